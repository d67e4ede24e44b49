"""Canned queries that the local store answers from an index, with the rows their SPARQL gives.

``label-search`` in SPARQL tests every name in the store with CONTAINS (2 s
at a million triples, per keystroke of a search box). On the local store it
is answered from the label index instead (:meth:`LabelIndex.matches
<policykg.rdf.labels.LabelIndex.matches>`): the look-up takes well under a
millisecond there, and the answer costs a few hundredths of a millisecond a
row (``bench/search_bench.py``). Rows come in the one ranking of search,
autocomplete, reconciliation and linking
(:func:`policykg.rdf.textindex.rank_key`), which the query's ORDER BY spells
out in SPARQL. The ``.rq`` file stays the definition: it runs as it is on
any other engine (Virtuoso), and the tests check that the index gives the
query's rows in the query's order, plus the names only the index's folding
finds (人工智慧 for 人工智能, ＢＡＩＤＵ for Baidu).

Answers come back as the worker's would (:mod:`policykg.sparql.evaluation`):
the bytes of a result format, or one pickled page, written by the same
writers, so the CLI, the library and the pages need not know where an
answer came from. No query text is parsed, so nothing runs in a worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pyoxigraph as ox

#: One solution in the SPARQL 1.1 Query Results JSON form: variable -> {"type", "value", ...}; unbound
#: variables are left out. Built as such, not as pyoxigraph terms, because a search can give 10,000 rows.
Binding = dict


def _label_search(kg, values: dict[str, str]) -> tuple[list[str], list[Binding]]:
    labels = kg.labels
    lang = values.get("lang", "")
    rows = []
    entities: dict[str, Binding] = {}  # what every row of one entity shares
    for iri, name, name_lang in labels.matches(values.get("text", "")):
        entity = entities.get(iri)
        if entity is None:
            entity = entities[iri] = {"entity": {"type": "uri", "value": iri}}
            display = labels.display.get((iri, lang))
            if display is not None:
                entity["entityLabel"] = {"type": "literal", "value": display}
            cls = labels.main_type(iri)
            if cls:
                entity["type"] = {"type": "uri", "value": cls}
        label = {"type": "literal", "value": name, "xml:lang": name_lang} if name_lang else \
            {"type": "literal", "value": name}
        rows.append({**entity, "label": label, "language": {"type": "literal", "value": name_lang}})
    return ["entity", "entityLabel", "label", "language", "type"], rows


#: Canned query name -> how the local store answers it from an index:
#: ``(kg, bound values) -> (variables, bindings)``.
INDEXED: dict[str, Callable] = {"label-search": _label_search}


def answers(canned) -> bool:
    """Whether ``canned`` is answered from an index on the local store: a shipped query named in
    :data:`INDEXED` (a user's file of the same name runs as SPARQL)."""
    return canned.name in INDEXED and canned.shipped


def _solutions(variables: list[str], rows: list[Binding]) -> ox.QuerySolutions:
    """Rows as pyoxigraph solutions, so that the standard writers and the pager take them."""
    data = json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}, ensure_ascii=False)
    return ox.parse_query_results(data.encode("utf-8"), format=ox.QueryResultsFormat.JSON)


def run_indexed(kg, canned, values: dict[str, str] | None = None, *, lang: str | None = None, format: str = "json",
                page: tuple[int, int] | None = None, sort: tuple[str, bool] | None = None,
                max_bytes: int | None = None) -> tuple[str, str, bytes]:
    """``(form, format, data)`` of the indexed canned query ``canned`` (a
    :class:`~policykg.sparql.canned.CannedQuery`) with ``values`` for its
    parameters (names already resolved; ``lang`` fills a ``lang`` parameter
    not given), checked as for the SPARQL text: the bytes of ``format``, or
    with ``page`` one pickled page as :func:`policykg.sparql.evaluation.page_of` gives it."""
    from .evaluation import page_of
    from .formats import write
    from .params import bind_values

    values = dict(values or {})
    if lang and "lang" not in values and any(p.name == "lang" for p in canned.params):
        values["lang"] = lang
    terms = bind_values(canned.name, canned.params, values)
    variables, rows = INDEXED[canned.name](kg, {name: term.value for name, term in terms.items()})
    if page is not None:
        return "SELECT", "page", page_of(_solutions(variables, rows), *page, sort=sort)
    form, data = write(_solutions(variables, rows), format, limit=max_bytes)
    return form, format, data
