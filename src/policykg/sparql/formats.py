"""Result formats: pyoxigraph's standard writers, and an aligned table for people.

SELECT and ASK results are written as SPARQL 1.1 Query Results JSON, XML,
CSV or TSV by pyoxigraph's own serializers; CONSTRUCT and DESCRIBE results
as Turtle, N-Triples or JSON-LD by its RDF writers, sorted first so that the
same answer always gives the same bytes. ``table`` is the one format written
here: aligned columns that line up with CJK text too.
"""

from __future__ import annotations

import io

import pyoxigraph as ox

from ..errors import PolicyKGError, ResultTooLarge
from ..namespaces import PREFIXES, shorten

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("table", "turtle", "nt", "jsonld", "rdfxml")
#: Media types of the standard formats, for the endpoint and remote servers.
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "table": "text/plain",
}
_RESULT_WRITERS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
_RDF_WRITERS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD", "rdfxml": "RDF_XML"}
def content_type(media: str) -> str:
    """The Content-Type header for ``media``: JSON types are UTF-8 by definition and take no charset."""
    return media if media.endswith("json") else media + "; charset=utf-8"


#: Results that can be read back into terms (CSV and the table lose the term types).
READABLE = {"json": "JSON", "xml": "XML", "tsv": "TSV"}


class CappedBuffer(io.RawIOBase):
    """A write target that refuses to grow past ``limit`` bytes (None: no limit)."""

    def __init__(self, limit: int | None = None):
        super().__init__()
        self.data = bytearray()
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        if self.limit is not None and len(self.data) + len(chunk) > self.limit:
            self.data = bytearray()
            raise ResultTooLarge(f"the result is over the limit of {self.limit >> 20} MB: "
                                 "add a LIMIT or narrow the query")
        self.data += chunk
        return len(chunk)


def check_format(form: str, fmt: str) -> None:
    """Refuse a format that does not fit the query form (GRAPH for CONSTRUCT/DESCRIBE)."""
    if form == "GRAPH" and fmt not in GRAPH_FORMATS:
        raise PolicyKGError(f"--format {fmt} is for SELECT/ASK; a graph result takes {', '.join(GRAPH_FORMATS[1:])}")
    if form != "GRAPH" and fmt not in SELECT_FORMATS:
        raise PolicyKGError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; SELECT/ASK take {', '.join(SELECT_FORMATS)}")


def write(result, fmt: str, *, limit: int | None = None) -> tuple[str, bytes]:
    """``(form, bytes)`` of a pyoxigraph query result in ``fmt``.

    ``result`` is what ``Store.query`` (or ``parse_query_results``) returns,
    or an iterable of triples. Raises :class:`ResultTooLarge` past ``limit``.
    """
    out = CappedBuffer(limit)
    if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
        form = "ASK" if isinstance(result, ox.QueryBoolean) else "SELECT"
        check_format(form, fmt)
        if fmt == "table":
            out.write(_table(result).encode("utf-8"))
        else:
            result.serialize(out, format=getattr(ox.QueryResultsFormat, _RESULT_WRITERS[fmt]))
        return form, bytes(out.data)
    check_format("GRAPH", fmt)
    triples = sorted(result, key=_triple_key)
    rdf_format = "turtle" if fmt == "table" else fmt
    kwargs = {"prefixes": _used_prefixes(triples)} if rdf_format in ("turtle", "jsonld", "rdfxml") else {}
    ox.serialize(triples, out, format=getattr(ox.RdfFormat, _RDF_WRITERS[rdf_format]), **kwargs)
    return "GRAPH", bytes(out.data)


def _triple_key(t) -> tuple:
    return (str(t.subject), str(t.predicate), str(t.object))


def _used_prefixes(triples) -> dict[str, str]:
    """The project's prefixes that some IRI of ``triples`` starts with (Turtle declares only those)."""
    used = {}
    namespaces = [(p, ns) for p, ns in PREFIXES.items() if ns.endswith(("/", "#"))]
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            value = term.value if isinstance(term, ox.NamedNode) else \
                term.datatype.value if isinstance(term, ox.Literal) else ""
            for p, ns in namespaces:
                if value.startswith(ns):
                    used[p] = ns
    return dict(sorted(used.items()))


def cell(term) -> str:
    """A term as a person reads it in a table: prefixed IRIs, literal values with their language."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    return str(term)


def _table(result) -> str:
    from ..terminal import table

    if isinstance(result, ox.QueryBoolean):
        return ("true" if bool(result) else "false") + "\n"
    variables = [v.value for v in result.variables]
    rows = [[cell(t) for t in solution] for solution in result]
    return table(variables, rows) + f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
