r"""Running a query: where it comes from, and what comes back.

:func:`run_query` is the library's entry point. The caller says what it
gives, by keyword: ``name=`` a canned query the package ships, ``path=`` a
query file of the caller's, ``sparql=`` query text. Nothing is guessed from
the text, and trust comes only from provenance: a shipped file is not
walked for SERVICE, LOAD and FROM again; everything else is. The query runs
in a worker process (:mod:`policykg.sparql.workers`) under a deadline and a
memory cap, exactly as it would from the CLI or the web server.

>>> import policykg
>>> kg = policykg.load()
>>> result = policykg.run_query(kg, name="members-by-role",
...                             params={"program": "pkd:bj-gai-partnership-program-2023"})
>>> result.form, len(result.rows)
('SELECT', 10)
>>> policykg.run_query(kg, sparql="ASK { pkd:baidu-netcom a org:Organization }").boolean
True
>>> policykg.run_query(kg, sparql="SELECT (1 + 1 AS ?two) {}", format="csv").data
b'two\r\n2\r\n'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import PolicyKGError, QuerySyntaxError
from .evaluation import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, Job


@dataclass(frozen=True)
class QueryResult:
    """What a query gave, as the bytes of ``format``, read into terms on demand.

    ``rows``, ``variables`` and ``boolean`` need a format that keeps term
    types (json, xml, tsv); ``triples`` any RDF format but table.
    """

    form: str  # SELECT, ASK or GRAPH (CONSTRUCT and DESCRIBE)
    format: str
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    @cached_property
    def _parsed(self):
        import pyoxigraph as ox

        from .formats import READABLE

        if self.form == "GRAPH":
            formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
            if self.format not in formats:
                raise PolicyKGError(f"a {self.format} result cannot be read back into triples")
            return [q.triple for q in ox.parse(self.data, format=formats[self.format])]
        if self.format not in READABLE:
            raise PolicyKGError(f"a {self.format} result cannot be read back into terms: use json, xml or tsv")
        parsed = ox.parse_query_results(self.data, format=getattr(ox.QueryResultsFormat, READABLE[self.format]))
        if isinstance(parsed, ox.QueryBoolean):
            return bool(parsed)
        return [v.value for v in parsed.variables], [tuple(s) for s in parsed]

    @property
    def boolean(self) -> bool | None:
        return self._parsed if self.form == "ASK" else None

    @property
    def variables(self) -> list[str]:
        return self._parsed[0] if self.form == "SELECT" else []

    @property
    def rows(self) -> list[tuple]:
        """Tuples of pyoxigraph terms (None where a variable is unbound)."""
        return self._parsed[1] if self.form == "SELECT" else []

    @property
    def triples(self) -> list:
        return self._parsed if self.form == "GRAPH" else []


def _require_utf8(text: str) -> None:
    """Undecodable bytes in argv or stdin arrive as lone surrogates, which no parser takes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise QuerySyntaxError(f"the query text is not UTF-8 (undecodable byte at character {e.start + 1})") from None


def make_job(*, sparql: str | None = None, name: str | None = None, path: Path | str | None = None,
             params: dict[str, str] | None = None, lang: str | None = "en", format: str = "json") -> Job:
    """The :class:`Job` for a query given by exactly one of ``sparql``, ``name``, ``path``.

    ``params`` binds the parameters a canned query or a query file declares
    in its ``# param:`` header; ``lang`` fills a ``lang`` parameter that is
    not given. ``format`` is the result format (SELECT/ASK formats apply to
    those forms, RDF formats to CONSTRUCT and DESCRIBE; ``table`` to both).
    """
    from .canned import find_query
    from .formats import GRAPH_FORMATS, SELECT_FORMATS

    if sum(x is not None for x in (sparql, name, path)) != 1:
        raise PolicyKGError("give exactly one of sparql=, name= or path=")
    if format not in SELECT_FORMATS and format not in GRAPH_FORMATS:
        raise PolicyKGError(f"unknown format {format!r}; choose one of "
                            f"{', '.join(dict.fromkeys(SELECT_FORMATS + GRAPH_FORMATS))}")
    # The same format for both forms: the worker refuses one that does not fit the query's form.
    formats = {"select_format": format, "graph_format": format}
    if sparql is not None:
        _require_utf8(sparql)
        if params:
            raise PolicyKGError("parameters apply to canned queries and query files with '# param:' headers")
        return Job(text=sparql, **formats)
    if name is not None:
        canned = find_query(name)
    else:
        canned = _query_file(Path(path))
        if canned is None:
            if params:
                raise PolicyKGError(f"{path} declares no parameters ('# param:' header lines)")
            return Job(text=_read(Path(path)), **formats)
    return Job(text=canned.bind(params, lang=lang), shipped=canned.shipped, predeclare=not canned.shipped,
               **formats)


def _read(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PolicyKGError(f"{path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise PolicyKGError(f"{path}: not UTF-8 text ({e.reason})") from None
    _require_utf8(text)
    return text


def _query_file(path: Path):
    """The file as a canned query if it has a header (title, description, params), else None."""
    from .canned import parse_query_file

    text = _read(path)
    if not text.lstrip().startswith("# title:"):
        return None
    return parse_query_file(path)


def resolve_names(kg, *, name: str | None = None, path: Path | str | None = None, params: dict[str, str],
                  lang: str = "en") -> dict[str, str]:
    """``params`` with names given for IRI parameters ("Beijing", "北京") turned into IRIs of ``kg``.

    Only a query with ``# param:`` headers has typed parameters; other
    files keep their values as given. See :func:`policykg.sparql.canned.resolve_params`.
    """
    from .canned import find_query, resolve_params

    canned = find_query(name) if name is not None else _query_file(Path(path))
    return resolve_params(kg, canned, params, lang=lang) if canned is not None else params


def run_query(kg, *, sparql: str | None = None, name: str | None = None, path: Path | str | None = None,
              params: dict[str, str] | None = None, lang: str | None = "en", format: str = "json",
              timeout: float = DEFAULT_TIMEOUT, memory_mb: int | None = DEFAULT_MEMORY_MB) -> QueryResult:
    """Run one query on ``kg``'s store in a worker process; see the module docstring.

    A shipped canned query that an index answers (``label-search``: see
    :mod:`policykg.sparql.indexed`) is answered from it, with the same rows.

    Raises :class:`~policykg.errors.QueryTimeout` past ``timeout`` seconds,
    :class:`~policykg.errors.EvaluationFailed` if the worker dies (past
    ``memory_mb`` of memory, for one), and the query's own errors
    (:class:`~policykg.errors.QuerySyntaxError`, ``UnsafeQueryError``,
    ``ParameterError``).
    """
    from . import indexed
    from .canned import find_query
    from .workers import run_isolated

    if params and (name is not None or path is not None) and sparql is None:
        params = resolve_names(kg, name=name, path=path, params=params, lang=lang or "en")
    if name is not None and sparql is None and path is None and indexed.answers(canned := find_query(name)):
        return QueryResult(*indexed.run_indexed(kg, canned, params, lang=lang, format=format))
    job = make_job(sparql=sparql, name=name, path=path, params=params, lang=lang, format=format)
    form, fmt, data = run_isolated(kg.store, job, timeout=timeout, memory_mb=memory_mb)
    return QueryResult(form, fmt, data)


def check_syntax(text: str, *, base_iri: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Raise :class:`~policykg.errors.QuerySyntaxError` unless both rdflib's and Oxigraph's
    parsers accept ``text`` (a query or an update); parsed in a worker like any query."""
    import pyoxigraph as ox

    from .workers import run_isolated

    run_isolated(ox.Store(), Job(text=text, syntax_only=True, predeclare=False, base_iri=base_iri),
                 timeout=timeout)
