"""Running SPARQL: on the embedded Oxigraph store, isolated, or on an endpoint.

The library entry points are :func:`prepare` (parameters, safety checks),
:func:`execute` (in-process, returns a :class:`QueryResult`) and
:func:`execute_isolated` (in a child process that is killed at the deadline
or when it exceeds its memory cap, returning the formatted output).
"""

from __future__ import annotations

import os
import pickle
import re
import select
import signal
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from .errors import PolicyKGError
from .namespaces import PREFIXES
from .queries import CannedQuery, _code_only, query_form, substitutions as bind_params
from .safety import QuerySyntaxError, UnsafeQueryError, check_query

DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 2048


class QueryTimeout(PolicyKGError):
    """The query ran past its deadline and was stopped."""


class EvaluationFailed(PolicyKGError):
    """The process evaluating the query died (memory cap, crash)."""


@dataclass
class QueryResult:
    form: str  # "SELECT", "ASK" or "GRAPH"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # tuples of pyoxigraph terms or None
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


@dataclass(frozen=True)
class PreparedQuery:
    text: str  # as written, with $param variables
    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE
    substitutions: dict  # Variable -> RDF term
    name: str = "(ad hoc)"
    #: Shipped canned queries declare their own prefixes (tests check it); only
    #: other text needs the standard ones predeclared.
    predeclare: bool = True

    @cached_property
    def bound_text(self) -> str:
        """The text with each parameter bound (see :func:`substitute_text`)."""
        return substitute_text(self)


def prepare(text: str | None = None, *, canned: CannedQuery | None = None,
            params: dict[str, str] | None = None, lang: str | None = None,
            trusted: bool = True) -> PreparedQuery:
    """Bind parameters and check safety.

    A shipped canned query is a reviewed project file (tests walk every one
    of them for SERVICE, LOAD and FROM), so only its parameters are checked;
    a query file of the user's (``trusted=False``) and any other query text
    are parsed and walked by :func:`policykg.safety.check_query`.
    ``lang`` fills a declared ``lang`` parameter the user did not give.
    """
    params = dict(params or {})
    if canned is not None:
        if lang and "lang" not in params and any(p.name == "lang" for p in canned.params):
            params["lang"] = lang
        subs = bind_params(canned, params)
        text, name = canned.text, canned.name
        if not trusted:
            _check(text)
    else:
        if text is None:
            raise PolicyKGError("no query given")
        _require_utf8(text)
        if params:
            raise PolicyKGError("-p parameters apply to canned queries only")
        _check(text)
        subs, name = {}, "(ad hoc)"
    form = query_form(text) or "SELECT"
    return PreparedQuery(text=text, form=form, substitutions=subs, name=name,
                         predeclare=not (canned is not None and trusted))


def _require_utf8(text: str) -> None:
    """Undecodable bytes in argv or stdin arrive as lone surrogates, which no parser takes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise QuerySyntaxError(f"the query text is not UTF-8 (undecodable byte at character {e.start + 1})") from None


def _check(text: str) -> None:
    """Safety-check user text, with the standard prefixes it may rely on."""
    from .namespaces import sparql_prefixes
    check_query(text, preamble=sparql_prefixes())


def execute(store: ox.Store, query: PreparedQuery) -> QueryResult:
    """Evaluate in this process (no deadline) with the standard prefixes predeclared."""
    try:
        result = store.query(query.bound_text, prefixes=PREFIXES if query.predeclare else None)
    except SyntaxError as e:
        raise QuerySyntaxError(f"query syntax error: {e}") from None
    if isinstance(result, ox.QueryBoolean):
        return QueryResult(form="ASK", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        return QueryResult(form="SELECT", variables=[v.value for v in result.variables],
                           rows=[tuple(s) for s in result])
    return QueryResult(form="GRAPH", triples=list(result))


def substitute_text(query: PreparedQuery) -> str:
    """The query text with each ``$param`` variable replaced by its RDF term.

    This is SEP-0007 substitution done on tokens: the user's value was first
    made into an RDF term (an IRI checked by Oxigraph's IRI parser, a literal
    whose text the term serializer escapes), and only that term's canonical
    SPARQL form takes the place of the ``$name`` variable token (never a
    ``$`` inside a string, IRI or comment). The value can therefore never
    become query syntax. Oxigraph's own ``substitutions=`` would do the same
    but accepts only projected variables, and a remote endpoint has no such
    option at all; one mechanism serves both.
    """
    if not query.substitutions:
        return query.text
    values = {v.value: str(term) for v, term in query.substitutions.items()}
    code = _code_only(query.text)
    out, last = [], 0
    for m in re.finditer(r"\$([A-Za-z_][A-Za-z0-9_]*)", code):
        if m.group(1) in values:
            out.append(query.text[last:m.start()])
            out.append(values[m.group(1)])
            last = m.end()
    out.append(query.text[last:])
    return "".join(out)


def _current_address_space() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def run_isolated(fn, *, timeout: float = DEFAULT_TIMEOUT, memory_mb: int | None = DEFAULT_MEMORY_MB) -> bytes:
    """Run ``fn() -> bytes`` in a forked child; kill it at the deadline.

    Neither pyoxigraph nor rdflib can interrupt a running query, and a
    crafted query can crash pyoxigraph outright, so evaluation happens in a
    child process: the parent waits on a pipe with a deadline, SIGKILLs the
    child when it passes, and survives whatever happens to the child. The
    child's address space is capped at its size at fork plus ``memory_mb``.
    """
    if not hasattr(os, "fork"):
        return fn()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        code = 0
        try:
            if memory_mb:
                import resource
                cap = _current_address_space() + memory_mb * 1024 * 1024
                resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
            payload = b"O" + fn()
        except PolicyKGError as e:
            payload = b"E" + pickle.dumps((type(e).__name__, str(e)))
        except MemoryError:
            payload = b"E" + pickle.dumps(("EvaluationFailed", f"query exceeded the memory limit of {memory_mb} MB"))
        except BaseException as e:  # noqa: BLE001 - report anything to the parent
            payload = b"E" + pickle.dumps(("EvaluationFailed", f"query failed: {type(e).__name__}: {e}"))
        try:
            view = memoryview(payload)
            while view:
                n = os.write(write_fd, view)
                view = view[n:]
        except OSError:
            code = 1
        os._exit(code)
    os.close(write_fd)
    chunks, deadline, done = [], time.monotonic() + timeout, False
    try:
        while not done:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                raise QueryTimeout(f"query timed out after {timeout:g} s and was stopped")
            ready, _, _ = select.select([read_fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if chunk:
                    chunks.append(chunk)
                else:
                    done = True
    finally:
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
    payload = b"".join(chunks)
    if payload[:1] == b"O":
        return payload[1:]
    if payload[:1] == b"E":
        kind, message = pickle.loads(payload[1:])
        errors = {"QuerySyntaxError": QuerySyntaxError, "UnsafeQueryError": UnsafeQueryError,
                  "QueryTimeout": QueryTimeout}
        raise errors.get(kind, EvaluationFailed)(message)
    if os.WIFSIGNALED(status):
        sig = signal.Signals(os.WTERMSIG(status)).name
        raise EvaluationFailed(f"the query evaluator died ({sig}); the query may be too large or too deep "
                               f"for the engine, or exceeded the memory limit of {memory_mb} MB")
    raise EvaluationFailed("the query evaluator exited without a result")


def execute_isolated(store: ox.Store, query: PreparedQuery, fmt: str, *,
                     timeout: float = DEFAULT_TIMEOUT, memory_mb: int | None = DEFAULT_MEMORY_MB,
                     lang: str | None = None) -> bytes:
    """Evaluate and format in a child process; return the formatted output."""
    from .results import format_result

    def work() -> bytes:
        return format_result(execute(store, query), fmt, lang=lang).encode("utf-8")

    return run_isolated(work, timeout=timeout, memory_mb=memory_mb)


def read_query_source(source: str, *, stdin=None) -> tuple[str, str | None]:
    """``-`` reads stdin; an existing ``*.rq`` path reads a file; else a canned name."""
    if source == "-":
        import sys
        return (stdin or sys.stdin).read(), None
    path = Path(source)
    if path.suffix == ".rq" or path.is_file():
        try:
            return path.read_text(encoding="utf-8"), None
        except OSError as e:
            raise PolicyKGError(f"{source}: {e.strerror}") from None
        except UnicodeDecodeError as e:
            raise PolicyKGError(f"{source}: not UTF-8 text ({e.reason})") from None
    return "", source


def run_query(kg, query: str | PreparedQuery, *, params: dict[str, str] | None = None,
              lang: str | None = None) -> QueryResult:
    """Convenience for library users: run SPARQL text (checked) or a canned query name.

    ``query`` may be SPARQL text, a :class:`PreparedQuery`, or the name of a
    canned query (then ``params`` binds its parameters). Runs in-process
    without a deadline; use :func:`execute_isolated` for untrusted queries.
    """
    from .queries import find_query

    if isinstance(query, PreparedQuery):
        prepared = query
    elif re.fullmatch(r"[a-z0-9][a-z0-9-]*", query or ""):
        prepared = prepare(canned=find_query(query), params=params, lang=lang)
    else:
        prepared = prepare(query, params=params)
    return execute(kg.store, prepared)
