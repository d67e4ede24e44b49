"""What the home page says the graph is: its sources, the period it covers, its coverage, its entry points.

Every number and name here is read from the store when the page is built
(:func:`overview`), so the home page stays true when a source is added with
``policykg add``: no count is typed into a template. The questions people
ask (:data:`QUESTIONS`) link to the page that answers them with its
evidence; a question whose page is not in this graph is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox

from ..namespaces import PKD, PKV, sparql_prefixes
from ..rdf.labels import LabelIndex
from ..wording import format_date, format_number
from .entities import _source_date, entity_path, label_lang

_COUNTS = """
SELECT
  (COUNT(DISTINCT ?policy) AS ?policies)
  (COUNT(DISTINCT ?org) AS ?organizations)
  (COUNT(DISTINCT ?gov) AS ?government_bodies)
  (COUNT(DISTINCT ?obs) AS ?figures)
  (COUNT(DISTINCT ?target) AS ?targets)
  (COUNT(DISTINCT ?goal) AS ?goals)
  (COUNT(DISTINCT ?city) AS ?cities)
  (COUNT(DISTINCT ?person) AS ?people)
  (COUNT(DISTINCT ?statement) AS ?statements)
  (COUNT(DISTINCT ?evidence) AS ?phrases)
WHERE {
  { ?policy a pk:PolicyDocument }
  UNION { ?org a org:Organization FILTER NOT EXISTS { ?org a pk:GovernmentBody }
          FILTER NOT EXISTS { ?org a pk:PolicyDocument } }
  UNION { ?gov a pk:GovernmentBody }
  UNION { ?obs a pk:Observation }
  UNION { ?target a pk:Target }
  UNION { ?goal a pk:Goal }
  UNION { ?city a pk:City }
  UNION { ?person a foaf:Person }
  UNION { ?statement a pk:Statement }
  UNION { ?evidence a pk:Evidence }
}
"""

# Named and stated members per program: named = memberships, stated = the batches' stated counts.
_PROGRAMS = """
SELECT ?program (COUNT(DISTINCT ?m) AS ?named) (MAX(?total) AS ?stated) WHERE {
  ?program a pk:PartnerProgram .
  OPTIONAL { ?m org:organization ?program }
  OPTIONAL { SELECT ?program (SUM(?n) AS ?total) WHERE { ?b pk:batchOf ?program ; pk:statedMemberCount ?n }
             GROUP BY ?program }
} GROUP BY ?program ORDER BY ?program
"""

_MEMBERS = """
SELECT ?program ?role ?member ?since ?stated WHERE {
  ?m org:organization ?program ; org:member ?member ; org:role ?role .
  OPTIONAL { ?m org:memberDuring/time:hasBeginning/time:inXSDDate ?since }
  OPTIONAL { ?c pk:countOf ?role ; pk:countIn/pk:batchOf ?program ; pk:statedCount ?stated }
} ORDER BY ?program ?role ?member
"""

# Dates compared as text (YYYY-MM-DD, YYYY-MM, YYYY sort the same way): the graph mixes xsd:date and gYear.
# One query per range: an aggregate over a UNION branch where its variable is unbound gives no value.
_RANGES = {
    "issued": "?policy a pk:PolicyDocument ; dct:issued ?v",
    "plans_from": "?policy a pk:PolicyDocument ; pk:period/time:hasBeginning/(time:inXSDgYear|time:inXSDDate) ?v",
    "plans_to": "?policy a pk:PolicyDocument ; pk:period/time:hasEnd/(time:inXSDgYear|time:inXSDDate) ?v",
    "figures": "?obs a pk:Observation ; sdmx-dimension:refPeriod ?v",
}


def _range(store: ox.Store, pattern: str) -> tuple[str, str]:
    row = _query(store, f"SELECT (MIN(STR(?v)) AS ?low) (MAX(STR(?v)) AS ?high) WHERE {{ {pattern} }}")[0]
    return (row["low"].value if row["low"] is not None else "", row["high"].value if row["high"] is not None else "")


_POLICIES = """
SELECT ?policy ?issued ?issuer ?from ?to WHERE {
  ?policy a pk:PolicyDocument .
  OPTIONAL { ?policy dct:issued ?issued }
  OPTIONAL { ?policy pk:issuedBy ?issuer }
  OPTIONAL { ?policy pk:period/time:hasBeginning/(time:inXSDgYear|time:inXSDDate) ?from }
  OPTIONAL { ?policy pk:period/time:hasEnd/(time:inXSDgYear|time:inXSDDate) ?to }
} ORDER BY STR(?issued) STR(?from) ?policy
"""

# Sources the graph quotes phrases from: the texts policykg has read (the seed article, and any added later).
_READ_SOURCES = """
SELECT ?source (COUNT(DISTINCT ?ev) AS ?phrases) (COUNT(DISTINCT ?cited) AS ?cites) WHERE {
  ?ev pk:quotedFrom ?source .
  OPTIONAL { ?source pk:cites ?cited }
} GROUP BY ?source ORDER BY DESC(?phrases) ?source
"""

_OTHER_SOURCES = """
SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a pk:Source FILTER NOT EXISTS { ?ev pk:quotedFrom ?s }
}
"""


def _query(store: ox.Store, text: str) -> list[dict]:
    rows = store.query(sparql_prefixes() + text)
    names = [v.value for v in rows.variables]
    return [{n: row[n] for n in names} for row in rows]


def _int(term) -> int:
    try:
        return int(term.value) if term is not None else 0
    except ValueError:
        return 0


def _year(term) -> str:
    return term.value[:4] if term is not None else ""


@dataclass(frozen=True)
class Question:
    text: str
    path: str  # a page of this site; /id/... pages are checked against the graph
    how: str  # "page", "query", "chart"
    needs: str = ""  # IRI that must be in the graph, or query / chart name that must exist


def _q(text: str, path: str, how: str = "page", needs: str = "") -> Question:
    if not needs and path.startswith("/id/"):
        needs = PKD + path[4:].split("?")[0].split("#")[0]
    return Question(text, path, how, needs)


def _query_path(name: str, **params: str) -> str:
    return f"/queries/{name}" + ("?" + urlencode(params) if params else "")


#: The questions analysts ask of this graph, each linked to the page that answers it with its evidence.
QUESTIONS: tuple[tuple[str, tuple[Question, ...]], ...] = (
    ("Programs and members", (
        _q("Who are the members of Beijing's general-AI partnership program, in which role, since when?",
           "/id/bj-gai-partnership-program-2023"),
        _q("Is Baidu a member? In what role, since when, and says who?", "/id/baidu-netcom"),
        _q("How many partners does each category have (7 model partners…), and how many are named?",
           "/id/bj-gai-partnership-batch-1"),
        _q("Members by role, as a table", _query_path("members-by-role", program="pkd:bj-gai-partnership-program-2023"),
           "query", "members-by-role"),
    )),
    ("Policies, goals and targets", (
        _q("Which policies were issued on 30 May 2023?", _query_path("cq-policies-issued-on-2023-05-30"), "query",
           "cq-policies-issued-on-2023-05-30"),
        _q("Who issued Beijing's AI implementation plan, when, and what are its 2025 targets?",
           "/id/bj-ai-innovation-hub-plan-2023"),
        _q("Which later policies carry out the implementation plan, and which organizations are linked to it?",
           "/id/bj-ai-innovation-hub-plan-2023#lineage"),
        _q("Which measure categories do Beijing's general-AI measures cover?", "/id/bj-gai-measures-2023"),
        _q("Which technologies does Shanghai's metaverse plan target, and for which period?",
           "/id/shanghai-metaverse-key-tech-plan-2023"),
        _q("How many metaverse support policies had Chinese regions issued?",
           "/id/dataset-china-metaverse-policy-summary-2023-03"),
    )),
    ("Cities and figures", (
        _q("Beijing and Shanghai side by side, with values", _query_path("cq-beijing-vs-shanghai-ranks"), "query",
           "cq-beijing-vs-shanghai-ranks"),
        _q("Which cities lead in digital-technology patent applications?",
           entity_path(PKV + "indicator/digital-tech-total"), needs=PKV + "indicator/digital-tech-total"),
        _q("How did China's digital-economy index grow?", entity_path(PKV + "indicator/digital-economy-index"),
           needs=PKV + "indicator/digital-economy-index"),
        _q("How many large models were released in China and in Beijing?", "/id/dataset-china-ai-large-model-map"),
        _q("What does the 2022 Beijing AI white paper say?", "/id/report-beijing-ai-white-paper-2022"),
        _q("All figures about Beijing", _query_path("city-indicators", city="pkd:beijing"), "query", "city-indicators"),
    )),
    ("People and sources", (
        _q("Who is quoted, in which post at which organization?", _query_path("cq-people-quoted"), "query",
           "cq-people-quoted"),
        _q("Which reports and articles does the seed article cite?",
           "/id/article-beijing-ai-capital-shanghai-metaverse"),
    )),
)


def _questions(store: ox.Store, query_names: set[str], chart_names: set[str] | None) -> list[dict]:
    groups = []
    for title, questions in QUESTIONS:
        items = []
        for q in questions:
            if q.how == "query" and q.needs not in query_names:
                continue
            if q.how == "chart" and (chart_names is None or q.needs not in chart_names):
                continue
            if q.how == "page" and q.needs and not _exists(store, q.needs):
                continue
            items.append({"text": q.text, "href": q.path, "how": q.how})
        if items:
            groups.append({"title": title, "questions": items})
    return groups


def _exists(store: ox.Store, iri: str) -> bool:
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    return any(True for _ in store.quads_for_pattern(node, None, None, ox.DefaultGraph()))


def overview(store: ox.Store, labels: LabelIndex, lang: str = "en", *, query_names: set[str] = frozenset(),
             chart_names: set[str] | None = None) -> dict:
    """The home page's account of the graph: coverage, period, sources, programs and questions."""
    counts = {k: _int(v) for k, v in _query(store, _COUNTS)[0].items()}
    programs = []
    for row in _query(store, _PROGRAMS):
        iri = row["program"].value
        name, name_lang = label_lang(labels, iri, lang)
        programs.append({"iri": iri, "href": entity_path(iri), "label": name, "lang": name_lang,
                         "named": _int(row["named"]), "stated": _int(row["stated"]), "roles": []})
    by_iri = {p["iri"]: p for p in programs}
    for row in _query(store, _MEMBERS):
        program = by_iri.get(row["program"].value)
        if program is None:
            continue
        role_iri = row["role"].value
        if not program["roles"] or program["roles"][-1]["iri"] != role_iri:
            role, role_lang = label_lang(labels, role_iri, lang)
            program["roles"].append({"iri": role_iri, "href": entity_path(role_iri), "label": role,
                                     "lang": role_lang, "stated": _int(row["stated"]), "members": []})
        member, member_lang = label_lang(labels, row["member"].value, lang)
        short = min((t for t, l, _ in labels.labels.get(row["member"].value, ()) if l == member_lang),
                    key=len, default=member)
        program["roles"][-1]["members"].append({
            "href": entity_path(row["member"].value), "label": short, "lang": member_lang,
            "since": format_date(row["since"].value) if row["since"] is not None else ""})
    ranges = {name: _range(store, pattern) for name, pattern in _RANGES.items()}
    period = {"issued_first": format_date(ranges["issued"][0]), "issued_last": format_date(ranges["issued"][1]),
              "plans_from": ranges["plans_from"][0][:4], "plans_to": ranges["plans_to"][1][:4],
              "figures_from": ranges["figures"][0][:4], "figures_to": ranges["figures"][1][:4]}
    policies, seen = [], set()
    for row in _query(store, _POLICIES):
        iri = row["policy"].value
        if iri in seen:
            continue
        seen.add(iri)
        name, name_lang = label_lang(labels, iri, lang)
        issuer = label_lang(labels, row["issuer"].value, lang) if row["issuer"] is not None else ("", "")
        policies.append({"href": entity_path(iri), "label": name, "lang": name_lang,
                         "issued": format_date(row["issued"].value) if row["issued"] is not None else "",
                         "issuer": issuer[0], "issuer_lang": issuer[1],
                         "period": "–".join(t.value[:4] for t in (row["from"], row["to"]) if t is not None)})
    from ..rdf.facts import source_of

    read = []
    for row in _query(store, _READ_SOURCES):
        src = source_of(store, labels, row["source"].value, lang)
        title_lang = label_lang(labels, row["source"].value, lang)[1] if src["title"] == labels.best(
            row["source"].value, lang) else ""
        read.append(dict(src, title_lang=title_lang, phrases=_int(row["phrases"]), cites=_int(row["cites"]),
                         date=_source_date(store, row["source"].value)))
    other_sources = _int(_query(store, _OTHER_SOURCES)[0]["n"])
    coverage = [
        (counts["policies"], "policy", "policies", "/queries/policies-by-issuer-and-date"),
        (counts["organizations"], "organization", "organizations", None),
        (counts["government_bodies"], "government body", "government bodies", None),
        (counts["cities"], "city", "cities", None),
        (counts["figures"], "figure", "figures", None),
        (counts["goals"], "goal", "goals", None),
        (counts["targets"], "numeric target", "numeric targets", None),
        (counts["people"], "person quoted", "people quoted", None),
        (counts["phrases"], "evidence phrase", "evidence phrases", None),
    ]
    return {
        "coverage": [{"count": format_number(n), "noun": one if n == 1 else many} for n, one, many, _ in coverage if n],
        "programs": programs, "period": period, "policies": policies, "sources": read, "other_sources": other_sources,
        "questions": _questions(store, set(query_names), chart_names),
    }
