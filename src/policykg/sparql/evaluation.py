"""What a query worker does with one :class:`Job`: check, evaluate, serialize.

This is the only code that hands query text to a parser or to Oxigraph, and
it runs only inside a worker process (:mod:`policykg.sparql.workers`), under
the job's deadline and memory cap, whether the query came from the CLI, the
library or the web server. A job's reply is one of::

    ("ok", form, format, data)      form: SELECT, ASK or GRAPH; data: bytes
    ("error", class name, message)  a class of :mod:`policykg.errors`
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field

from ..errors import PolicyKGError, QuerySyntaxError, ResultTooLarge

DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 2048
#: The most a server worker sends back for one query: past it the worker
#: stops writing. Without a cap a large result sits whole in the server
#: process (3M rows of CSV took it to 2.7 GB).
SERVER_RESULT_BYTES = 64 << 20


@dataclass(frozen=True)
class Job:
    """One query for a worker.

    Build jobs with :func:`policykg.sparql.queries.make_job`, which sets
    ``shipped`` only for a query file the package holds: such a query is
    not walked for SERVICE, LOAD and FROM again (the tests walk every one).
    """

    text: str  # the query, parameters already bound
    shipped: bool = False
    select_format: str = "json"  # table, json, xml, csv, tsv
    graph_format: str = "turtle"  # table, turtle, nt, jsonld
    #: Standard prefixes are predeclared for text that is not shipped (shipped files declare their own).
    predeclare: bool = True
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    allowed_graphs: frozenset = field(default_factory=frozenset)  # graphs FROM may name
    base_iri: str | None = None  # relative IRIs in the query resolve against it
    max_bytes: int | None = None  # the result-size cap
    syntax_only: bool = False  # parse with both parsers, evaluate nothing that could matter
    update: bool = False  # a SPARQL update on the worker's own copy of a user's file: reply with all its triples
    #: For pages: ``(offset, limit)``; the reply is one page of terms and a count (see :func:`page_of`).
    page: tuple[int, int] | None = None
    #: For pages: ``(variable, descending)`` to order the rows by before paging (see :func:`term_order`).
    sort: tuple[str, bool] | None = None


class Verdicts:
    """The safety walk's verdicts on recent texts, so a repeated query skips rdflib's parser."""

    def __init__(self, size: int = 512):
        self.size = size
        self._seen: collections.OrderedDict = collections.OrderedDict()

    def known(self, key) -> bool:
        if key in self._seen:
            self._seen.move_to_end(key)
            return True
        return False

    def add(self, key) -> None:
        self._seen[key] = True
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)


def _check(job: Job, verdicts: Verdicts | None) -> None:
    from ..namespaces import sparql_prefixes
    from .safety import check_query

    key = (job.text, job.allowed_graphs)
    if verdicts is not None and verdicts.known(key):
        return
    check_query(job.text, preamble=sparql_prefixes() if job.predeclare else "", allowed_graphs=job.allowed_graphs)
    if verdicts is not None:
        verdicts.add(key)


def evaluate(store, job: Job, verdicts: Verdicts | None = None) -> tuple:
    """The reply tuple for ``job`` on ``store`` (see the module docstring); never raises PolicyKGError."""
    try:
        return _evaluate(store, job, verdicts)
    except PolicyKGError as e:
        return ("error", type(e).__name__, str(e))
    except MemoryError:
        return ("error", "EvaluationFailed", "the query exceeded the worker's memory limit")
    except RecursionError:
        return ("error", "UnsafeQueryError", "query nested too deeply for the parser")


def _evaluate(store, job: Job, verdicts: Verdicts | None) -> tuple:
    import pyoxigraph as ox

    from ..namespaces import PREFIXES
    from .formats import write
    from .safety import check_syntax, precheck

    if job.syntax_only:
        check_syntax(job.text, preamble="", base_iri=job.base_iri)
        return ("ok", "ASK", "json", b"")
    if job.update:
        return _update(store, job)
    precheck(job.text)
    if not job.shipped:
        _check(job, verdicts)
    kwargs = {"prefixes": PREFIXES} if job.predeclare else {}
    if job.base_iri:
        kwargs["base_iri"] = job.base_iri
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        result = store.query(job.text, **kwargs)
    except SyntaxError as e:
        from .messages import oxigraph_message

        raise QuerySyntaxError(oxigraph_message(str(e), job.text, predeclared=kwargs.get("prefixes", ()))) from None
    except OSError as e:
        raise PolicyKGError(f"query failed: {e}") from None
    if job.page is not None and not isinstance(result, ox.QueryBoolean):
        return ("ok", "GRAPH" if isinstance(result, ox.QueryTriples) else "SELECT", "page",
                page_of(result, *job.page, sort=job.sort))
    fmt = job.graph_format if isinstance(result, ox.QueryTriples) else job.select_format
    form, data = write(result, fmt, limit=job.max_bytes)
    return ("ok", form, fmt, data)


#: A page counts the rows after it up to this many, so a page's cost stays bounded.
COUNT_CAP = 10_000
#: The most rows a page sorts by a column: sorting needs every row, so past this the page says so.
SORT_CAP = 200_000

_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {_XSD + t for t in (
    "integer decimal float double nonPositiveInteger negativeInteger long int short byte nonNegativeInteger "
    "unsignedLong unsignedInt unsignedShort unsignedByte positiveInteger").split()}


def term_order(term) -> tuple:
    """A sort key giving a total order over RDF terms, as SPARQL's ORDER BY sorts them.

    Unbound first, then blank nodes, IRIs, and literals; numeric literals
    by value (NaN after every number), then other literals by their text
    (case folded first, so "apple" sorts with "Apple"). Ties are broken by
    the exact lexical form, language and datatype, so no two different
    terms compare equal and the order never depends on the input's order.
    """
    import pyoxigraph as ox

    if term is None:
        return (0,)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, term.value)
    if isinstance(term, ox.Triple):
        return (4, tuple(term_order(t) for t in (term.subject, term.predicate, term.object)))
    lang = term.language or ""
    datatype = "" if lang else term.datatype.value
    if datatype in _NUMERIC:
        from decimal import Decimal, InvalidOperation

        lexical = term.value.strip()
        try:
            number = Decimal({"INF": "Infinity", "+INF": "Infinity", "-INF": "-Infinity"}.get(lexical, lexical))
        except InvalidOperation:
            number = None
        if number is not None:
            value = (1, Decimal(0)) if number.is_nan() else (0, number)
            return (3, 0, value, term.value, datatype)
    return (3, 1, term.value.casefold(), term.value, lang, datatype)


def page_of(result, offset: int, limit: int, sort: tuple[str, bool] | None = None) -> bytes:
    """One page of a SELECT or graph result, pickled: ``{"variables", "rows", "total", "complete"}``.

    ``rows`` are tuples of terms (a graph result's rows are its triples);
    ``total`` counts the rows seen, at most ``offset + limit + COUNT_CAP``,
    and ``complete`` says whether that was all of them. The web pages render
    only this, so a result of any size costs a page of HTML.

    ``sort`` is ``(variable, descending)``: the rows are ordered by that
    column (:func:`term_order`; stable, so rows that tie keep the query's
    order) before the page is cut. That reads the whole result, at most
    :data:`SORT_CAP` rows, keeping only ``offset + limit`` of them.
    """
    import heapq
    import itertools
    import pickle

    import pyoxigraph as ox

    variables = [v.value for v in result.variables] if isinstance(result, ox.QuerySolutions) else \
        ["subject", "predicate", "object"]

    def row(item):
        return tuple(item) if isinstance(item, ox.QuerySolution) else (item.subject, item.predicate, item.object)

    if sort is not None and sort[0] in variables:
        column, descending = variables.index(sort[0]), bool(sort[1])
        counted = 0

        def rows_counted():
            nonlocal counted
            for item in result:
                counted += 1
                if counted > SORT_CAP:
                    raise ResultTooLarge(f"sorting reads every row, and this result has more than {SORT_CAP:,} "
                                         "rows: add ORDER BY to the query, or narrow it")
                yield row(item)

        # nsmallest / nlargest equal sorted(...)[:n]: stable, and they hold n rows, not the whole result.
        pick = heapq.nlargest if descending else heapq.nsmallest
        top = pick(offset + limit, rows_counted(), key=lambda r: term_order(r[column]))
        rows = list(itertools.islice(top, offset, offset + limit))
        return pickle.dumps({"variables": variables, "rows": rows, "total": counted, "complete": True})
    rows, total, complete = [], 0, True
    for item in result:
        if offset <= total < offset + limit:
            rows.append(row(item))
        total += 1
        if total >= offset + limit + COUNT_CAP:
            complete = False
            break
    return pickle.dumps({"variables": variables, "rows": rows, "total": total, "complete": complete})


def _update(store, job: Job) -> tuple:
    import pyoxigraph as ox

    from ..namespaces import PREFIXES
    from .safety import check_update

    check_update(job.text)
    try:
        store.update(job.text, prefixes=PREFIXES)
    except SyntaxError as e:
        raise QuerySyntaxError(f"update syntax error: {e}") from None
    data = ox.serialize((q.triple for q in store), format=ox.RdfFormat.N_TRIPLES)
    return ("ok", "GRAPH", "nt", data)
