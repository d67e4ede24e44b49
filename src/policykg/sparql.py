"""Running SPARQL on the embedded Oxigraph store, results as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import PolicyKGError
from .loading import KnowledgeGraph
from .namespaces import PREFIXES


class QuerySyntaxError(PolicyKGError):
    """A query that does not parse; the message carries the position."""


@dataclass
class QueryResult:
    form: str  # "SELECT", "ASK" or "GRAPH"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # tuples of ox terms or None
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


def run(kg: KnowledgeGraph, query: str, *, substitutions: dict | None = None) -> QueryResult:
    """Evaluate ``query`` over the merged graph with the standard prefixes predeclared."""
    try:
        result = kg.store.query(query, prefixes=PREFIXES, substitutions=substitutions or None)
    except SyntaxError as e:
        raise QuerySyntaxError(f"query syntax error: {e}") from None
    if isinstance(result, ox.QueryBoolean):
        return QueryResult(form="ASK", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [tuple(solution[n] for n in names) for solution in result]
        return QueryResult(form="SELECT", variables=names, rows=rows)
    return QueryResult(form="GRAPH", triples=list(result))
