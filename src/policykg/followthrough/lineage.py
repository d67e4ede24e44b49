"""Policy lineage: which later policies carry a policy out, and which earlier ones it carries out.

Links are ELI's ``eli:implements`` and ``eli:cites`` and policykg's
``pk:refines``, each with a ``pk:PolicyLink`` node holding its evidence
(``docs/modelling.md``). The rows come from the canned query
``policy-lineage``; this module groups them per linked policy.

>>> import policykg
>>> kg = policykg.load()
>>> [link.label for link in policykg.lineage(kg, "pkd:bj-ai-innovation-hub-plan-2023").later]
['Beijing "AI+" Action Plan (2024-2025)', 'Beijing E-Town AI-Native Industry Policies (2024)']
"""

from __future__ import annotations

from dataclasses import dataclass

from ..namespaces import PKD, PREFIXES

ELI, PK = PREFIXES["eli"], PREFIXES["pk"]
RELATION_WORDS = {ELI + "implements": "implements", ELI + "cites": "cites", PK + "refines": "refines"}


@dataclass(frozen=True)
class LineageLink:
    """One linked policy: the link's direction and kind, who issued the policy, when, at which level, and why we say so."""

    direction: str  # "later": it carries out the policy; "earlier": the policy carries it out
    relation: str  # implements, cites, refines
    policy: str
    label: str
    issued: str | None
    issuers: tuple[tuple[str, str], ...]  # (IRI, label), sorted by label
    level: str | None
    level_label: str | None
    link: str | None
    evidence: tuple[str, ...]  # every phrase of the link, sorted

    @property
    def issuer_labels(self) -> str:
        return "; ".join(label for _, label in self.issuers)

    def issued_text(self, lang: str = "en") -> str:
        """The issue date as people write it (policykg.wording)."""
        from ..wording import format_date

        return format_date(self.issued, lang)


@dataclass(frozen=True)
class Lineage:
    policy: str
    label: str
    links: tuple[LineageLink, ...]

    @property
    def later(self) -> list[LineageLink]:
        """Policies that carry this one out (implement, cite or refine it), by issue date."""
        return [link for link in self.links if link.direction == "later"]

    @property
    def earlier(self) -> list[LineageLink]:
        """Policies this one carries out."""
        return [link for link in self.links if link.direction == "earlier"]


def phrases_of(store, node: str) -> tuple[str, ...]:
    """Every evidence phrase of ``node``, sorted (look-ups, no query text is built from the IRI)."""
    import pyoxigraph as ox

    graph = ox.DefaultGraph()
    out = set()
    for q in store.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(PK + "evidence"), None, graph):
        for e in store.quads_for_pattern(q.object, ox.NamedNode(PREFIXES["oa"] + "exact"), None, graph):
            out.add(e.object.value)
    return tuple(sorted(out))


def is_policy(store, iri: str) -> bool:
    import pyoxigraph as ox

    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    return ox.Quad(node, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(PK + "PolicyDocument"),
                   ox.DefaultGraph()) in store


def _evidence(kg, link: str | None) -> tuple[str, ...]:
    return phrases_of(kg.store, link) if link else ()


def lineage_job(iri: str, lang: str = "en"):
    """The ``policy-lineage`` query for one policy IRI as a job (for the web server's pool)."""
    from ..sparql.query import make_job

    return make_job(name="policy-lineage", params={"policy": f"<{iri}>", "lang": lang}, lang=lang)


def lineage(kg, policy: str, *, lang: str = "en", result=None) -> Lineage:
    """The policies linked to ``policy`` (a name, ``pkd:`` name or IRI), grouped per policy and link.

    ``result`` is the answer of :func:`lineage_job` when the caller ran it.
    Raises :class:`~policykg.errors.EntityNotFoundError` for an unknown
    policy or for something that is not a policy.
    """
    from ..errors import EntityNotFoundError
    from ..rdf.labels import resolve_entity
    from ..sparql.query import run_query

    iri = resolve_entity(kg, policy, lang=lang)
    if not is_policy(kg.store, iri):
        raise EntityNotFoundError(f"{iri.replace(PKD, 'pkd:')} is not a policy")
    if result is None:
        result = run_query(kg, name="policy-lineage", params={"policy": f"<{iri}>", "lang": lang}, lang=lang)
    names = result.variables
    grouped: dict[tuple, dict] = {}
    for row in result.rows:
        v = {name: (term.value if term is not None else None) for name, term in zip(names, row)}
        key = (v["direction"], v["relation"], v["other"])
        entry = grouped.setdefault(key, {**v, "issuers": {}})
        if v["issuer"]:
            entry["issuers"][v["issuer"]] = v["issuerLabel"] or v["issuer"]
    links = []
    for (direction, relation, other), v in grouped.items():
        links.append(LineageLink(
            direction=direction, relation=RELATION_WORDS.get(relation, relation), policy=other,
            label=v["otherLabel"] or other, issued=v["issued"],
            issuers=tuple(sorted(v["issuers"].items(), key=lambda kv: (kv[1], kv[0]))),
            level=v["level"], level_label=v["levelLabel"], link=v["link"], evidence=_evidence(kg, v["link"])))
    links.sort(key=lambda link: (link.direction != "later", link.issued or "", link.policy, link.relation))
    return Lineage(policy=iri, label=kg.labels.best(iri, lang), links=tuple(links))


def lineage_text(found: Lineage) -> str:
    """A terminal table per direction: policy, link, issued, level, issuers, evidence."""
    from ..namespaces import shorten
    from ..terminal import table
    from ..wording import format_date

    out = [f"{found.label} ({shorten(found.policy)})\n"]
    for title, links in (("carried out by (later policies)", found.later), ("carries out (earlier policies)", found.earlier)):
        out.append(f"\n{title}: {len(links) or 'none'}\n")
        if links:
            out.append(table(["policy", "link", "issued", "level", "issued by", "evidence"],
                             [[f"{link.label} ({shorten(link.policy)})", link.relation, format_date(link.issued),
                               link.level_label or "", link.issuer_labels, " / ".join(link.evidence)]
                              for link in links]))
    return "".join(out)


def lineage_json(found: Lineage) -> str:
    from ..terminal import to_json

    return to_json(found)
