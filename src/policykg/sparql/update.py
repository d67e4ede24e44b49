"""Applying a SPARQL update to a Turtle file of the user's own."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .. import paths
from ..atomic import write_atomic
from ..errors import PolicyKGError, QuerySyntaxError
from ..namespaces import PREFIXES
from ..rdf.canonical import turtle
from ..rdf.loading import parse_file
from .safety import check_update


def update_file(path: Path, update: str) -> tuple[int, int]:
    """Run ``update`` on the triples of ``path`` and rewrite it (canonical, atomic).

    Returns (triples before, triples after). Refuses the shipped data files:
    a query never changes the graph policykg ships.
    """
    path = Path(path).resolve()
    shipped = paths.data_root().resolve()
    if shipped in path.parents:
        raise PolicyKGError(f"{path} is part of the shipped graph; copy it and update the copy")
    if path.suffix != ".ttl":
        raise PolicyKGError(f"{path}: 'policykg update' edits Turtle (.ttl) files")
    check_update(update)
    data = parse_file(path)
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in data.triples)
    before = len(store)
    try:
        store.update(update, prefixes=PREFIXES)
    except SyntaxError as e:
        raise QuerySyntaxError(f"update syntax error: {e}") from None
    triples = [q.triple for q in store]
    write_atomic(path, turtle(triples))
    return before, len(triples)
