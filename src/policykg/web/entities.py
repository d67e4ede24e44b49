"""What an entity page shows, read straight from the server's store.

Only the store's pattern API is used (``quads_for_pattern`` with a parsed
:class:`pyoxigraph.NamedNode`), so no IRI from a URL is ever put into query
text. Labels come from the graph's one :class:`~policykg.rdf.labels.LabelIndex`.
"""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox

from ..namespaces import PKD, PREFIXES, shorten
from ..rdf.labels import DISPLAY_LABEL, LABEL_PROPS, LANG_ORDER, LabelIndex

RDF_TYPE = PREFIXES["rdf"] + "type"
DEFINITION_PROPS = (PREFIXES["skos"] + "definition", PREFIXES["rdfs"] + "comment")
PK_EVIDENCE = PREFIXES["pk"] + "evidence"
OA_EXACT = PREFIXES["oa"] + "exact"
PK_QUOTED_FROM = PREFIXES["pk"] + "quotedFrom"
#: What a page never lists as a fact of its own: labels have their own box.
_NOT_FACTS = set(LABEL_PROPS) | {DISPLAY_LABEL}


def entity_path(iri: str) -> str:
    """The page of ``iri`` on this server: /id/{slug} for pkd: IRIs, else /entity?iri=."""
    if iri.startswith(PKD):
        slug = iri[len(PKD):]
        if slug.strip(".") and all(c.isalnum() or c in "-_." for c in slug):  # never /id/. or /id/..
            return "/id/" + slug
    return "/entity?iri=" + quote(iri, safe="")


def entity_triples(store: ox.Store, node: ox.NamedNode) -> list[ox.Triple]:
    """The entity's outgoing and incoming triples (what its RDF views serve), without computed labels."""
    g = ox.DefaultGraph()
    out = [q.triple for q in store.quads_for_pattern(node, None, None, g) if q.predicate.value != DISPLAY_LABEL]
    out += [q.triple for q in store.quads_for_pattern(None, None, node, g) if q.subject != node]
    return out


def _term(term, labels: LabelIndex, lang: str) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"kind": "iri", "iri": term.value, "href": entity_path(term.value),
                "label": labels.best(term.value, lang), "short": shorten(term.value)}
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "label": "_:" + term.value}
    datatype = term.datatype.value if term.datatype else ""
    return {"kind": "literal", "label": term.value, "lang": term.language or "",
            "datatype": "" if term.language or datatype.endswith("#string") else shorten(datatype)}


def describe(store: ox.Store, labels: LabelIndex, iri: str, lang: str = "en") -> dict:
    """Everything the entity page shows about ``iri`` (which must parse as an IRI)."""
    node = ox.NamedNode(iri)
    g = ox.DefaultGraph()
    types, outgoing, incoming, evidence, definitions = [], [], [], [], []
    for q in store.quads_for_pattern(node, None, None, g):
        p = q.predicate.value
        if p == RDF_TYPE:
            types.append(_term(q.object, labels, lang))
        elif p in _NOT_FACTS and isinstance(q.object, ox.Literal):
            continue
        elif p in DEFINITION_PROPS and isinstance(q.object, ox.Literal):
            definitions.append({"prop": shorten(p), "text": q.object.value, "lang": q.object.language or ""})
        else:
            outgoing.append({"prop": _term(q.predicate, labels, lang), "value": _term(q.object, labels, lang)})
        if p == PK_EVIDENCE and isinstance(q.object, (ox.NamedNode, ox.BlankNode)):
            evidence += _evidence(store, q.object, labels, lang)
    for q in store.quads_for_pattern(None, None, node, g):
        incoming.append({"subject": _term(q.subject, labels, lang), "prop": _term(q.predicate, labels, lang)})
    key = lambda row: (row["prop"]["label"].casefold(), row.get("value", row.get("subject"))["label"])  # noqa: E731
    outgoing.sort(key=key)
    incoming.sort(key=key)
    types.sort(key=lambda t: t["label"].casefold())
    label_rows = sorted(({"text": t, "lang": l, "prop": shorten(p)} for t, l, p in labels.labels.get(iri, [])),
                        key=lambda r: (LANG_ORDER.index(r["lang"]) if r["lang"] in LANG_ORDER else 9,
                                       r["prop"] != "rdfs:label", r["text"]))
    evidence.sort(key=lambda e: (e["phrase"], e["source"]["label"] if e["source"] else ""))
    return {"iri": iri, "short": shorten(iri), "label": labels.best(iri, lang), "labels": label_rows,
            "types": types, "definitions": definitions, "outgoing": outgoing, "incoming": incoming,
            "evidence": evidence}


def _evidence(store: ox.Store, ev, labels: LabelIndex, lang: str) -> list[dict]:
    g = ox.DefaultGraph()
    phrases = [q.object.value for q in store.quads_for_pattern(ev, ox.NamedNode(OA_EXACT), None, g)]
    sources = [_term(q.object, labels, lang) for q in store.quads_for_pattern(ev, ox.NamedNode(PK_QUOTED_FROM), None, g)]
    return [{"phrase": p, "source": sources[0] if sources else None, "evidence": _term(ev, labels, lang)}
            for p in phrases]
