"""Refusing queries that would reach out, write, or exhaust the process.

Everything here but :func:`precheck` runs inside a query worker (see
:mod:`policykg.sparql.workers`), under its deadline and memory cap: a
parser, too, can be made to run long or crash on crafted text. Checks walk the *parsed* query (rdflib's SPARQL grammar, which decodes
``\\u0053ERVICE`` into SERVICE exactly as an engine would), never the raw
text, so an escape cannot hide a SERVICE clause. Size and nesting are
checked before any parser runs: Oxigraph's parser crashes the process on a
few thousand nested groups, and pyparsing recurses just as deeply.
"""

from __future__ import annotations

from ..errors import QuerySyntaxError, UnsafeQueryError, UpdateRefusedError
from .params import code_only

MAX_QUERY_CHARS = 100_000
# pyparsing needs about 35 Python frames per level of parentheses, so rdflib's
# parser hits the recursion limit near 30 levels; real queries nest far less.
MAX_NESTING = 24


def _nesting_depth(code: str) -> int:
    depth = deepest = 0
    for ch in code:
        if ch in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")}]":
            depth = max(0, depth - 1)
    return deepest


def precheck(text: str) -> None:
    """Size and nesting limits, before any parser sees the query."""
    if len(text) > MAX_QUERY_CHARS:
        raise UnsafeQueryError(f"query too large: {len(text)} characters (limit {MAX_QUERY_CHARS})")
    depth = _nesting_depth(code_only(text))
    if depth > MAX_NESTING:
        raise UnsafeQueryError(f"query nested too deeply: {depth} levels of brackets (limit {MAX_NESTING})")


def _names(tree) -> list:
    """Every grammar node in an rdflib parse tree, iteratively (no recursion limit)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    out, todo = [], [tree]
    while todo:
        x = todo.pop()
        if isinstance(x, CompValue):
            out.append(x)
            todo.extend(x.values())
        elif isinstance(x, (list, tuple)) or type(x).__name__ == "ParseResults":
            todo.extend(x)
    return out


def _position(e, text: str, skip_lines: int = 0) -> str:
    line, col = getattr(e, "lineno", None), getattr(e, "col", None)
    if not line:
        return str(e)
    line -= skip_lines
    lines = text.splitlines()[skip_lines:]
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    from .messages import rdflib_words

    return (f"line {line}, column {col}: {rdflib_words(getattr(e, 'msg', e))}\n  {source_line}\n"
            f"  {' ' * max(0, (col or 1) - 1)}^")


def _parse_tree(text: str, skip: int):
    """rdflib's parse tree of a query; syntax errors carry line and column."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        return parseQuery(text)
    except ParseException as query_error:
        try:
            update = parseUpdate(text)
        except (ParseException, Exception):
            from .messages import undeclared_prefixes, unknown_prefix_message

            unknown = undeclared_prefixes(text)
            if unknown:
                raise QuerySyntaxError(unknown_prefix_message(text, *unknown[0], skip=skip)) from None
            raise QuerySyntaxError("query syntax error at " + _position(query_error, text, skip)) from None
        if "request" not in update:  # nothing but comments, prefixes or white space
            raise QuerySyntaxError("the query is empty") from None
        raise UpdateRefusedError("updates are refused: policykg serves its graph read-only "
                                 "(use 'policykg update FILE' on a Turtle file of your own)") from None
    except RecursionError:
        raise UnsafeQueryError("query nested too deeply for the parser") from None


def _oxigraph_syntax(text: str, skip: int, base_iri: str | None = None) -> None:
    """Oxigraph's own parser, on an empty store, results never consumed.

    rdflib's grammar lets through some errors the SPARQL spec forbids
    (variable scoping in BIND and SELECT, VALUES arity, bad escapes); the
    engine that will run the query is the final judge. Called only after
    the walk has refused SERVICE, so nothing here can reach out; the store is
    empty and the lazy solutions are dropped unread.
    """
    import pyoxigraph as ox

    try:
        ox.Store().query(text, base_iri=base_iri)
    except SyntaxError as e:
        from .messages import oxigraph_message

        raise QuerySyntaxError(oxigraph_message(str(e), text, skip=skip)) from None
    except (OSError, RuntimeError):
        pass  # an evaluation error on an empty store is not a syntax error


def check_syntax(text: str, *, preamble: str = "", base_iri: str | None = None) -> None:
    """Only whether ``text`` is a syntactically valid SPARQL query (or update).

    Both parsers must accept it. A query holding SERVICE is judged by rdflib's
    parser alone, since Oxigraph's is reached only through its engine.
    ``base_iri`` resolves relative IRIs (without one they are an error).
    """
    precheck(text)
    skip = preamble.count("\n")
    full = preamble + text
    try:
        tree = _parse_tree(full, skip)
    except UpdateRefusedError:
        return
    if not any(node.name == "ServiceGraphPattern" for node in _names(tree)):
        _oxigraph_syntax(full, skip, base_iri)


def check_query(text: str, *, preamble: str = "", allowed_graphs=frozenset()) -> None:
    """Parse ``text`` as a SPARQL query and refuse what must not run.

    Raises :class:`QuerySyntaxError` (with line and column) if it does not
    parse, :class:`UnsafeQueryError` for updates, SERVICE, LOAD, and
    FROM / FROM NAMED (the embedded store has no named graphs, and policykg
    never fetches a graph on a query's behalf). ``preamble`` (PREFIX lines
    the user may rely on) is parsed before the text; positions in errors
    refer to the text alone. ``allowed_graphs`` (IRIs of named graphs the
    store holds) lets FROM / FROM NAMED name one of them. Oxigraph's own
    parser judges the text once more when it evaluates it.
    """
    precheck(text)
    skip = preamble.count("\n")
    text = preamble + text
    tree = _parse_tree(text, skip)
    for node in _names(tree):
        if node.name == "ServiceGraphPattern":
            raise UnsafeQueryError(f"SERVICE <{node.get('term')}> is refused: "
                                   "policykg never sends requests on a query's behalf")
        if node.name == "DatasetClause":
            named = "named" in node
            iri = node["named"] if named else node.get("default")
            if str(iri) in allowed_graphs:
                continue
            kind = "FROM NAMED" if named else "FROM"
            raise UnsafeQueryError(f"{kind} <{iri}> is refused: the embedded store has no such graph "
                                   "and policykg never fetches one")


def check_update(text: str) -> None:
    """Parse ``text`` as a SPARQL update and refuse LOAD, SERVICE and USING/WITH graphs.

    Used only by ``policykg update``, on a file the user names; the shipped
    graph is never the target.
    """
    precheck(text)
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        tree = parseUpdate(text)
    except ParseException as e:
        raise QuerySyntaxError("update syntax error at " + _position(e, text)) from None
    except RecursionError:
        raise UnsafeQueryError("update nested too deeply for the parser") from None
    for node in _names(tree):
        if node.name == "Load":
            raise UnsafeQueryError(f"LOAD <{node.get('iri')}> is refused: policykg never fetches data on an update's behalf")
        if node.name == "ServiceGraphPattern":
            raise UnsafeQueryError(f"SERVICE <{node.get('term')}> is refused")
        if node.name == "UsingClause":
            raise UnsafeQueryError("USING is refused: 'policykg update' edits the triples of one file")
