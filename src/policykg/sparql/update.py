"""Applying a SPARQL update to a Turtle file of the user's own."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .. import paths
from ..atomic import write_atomic
from ..errors import PolicyKGError
from ..rdf.canonical import turtle
from ..rdf.loading import parse_file
from .evaluation import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, Job
from .workers import run_isolated


def update_file(path: Path, update: str, *, timeout: float = DEFAULT_TIMEOUT,
                memory_mb: int | None = DEFAULT_MEMORY_MB) -> tuple[int, int]:
    """Run ``update`` on the triples of ``path`` and rewrite it (canonical, atomic).

    Returns (triples before, triples after). The update is checked and run in
    a worker process, like any query, under ``timeout`` and ``memory_mb``;
    the file is rewritten only once it succeeded. Refuses the shipped data
    files: nothing changes the graph policykg ships.
    """
    path = Path(path).resolve()
    shipped = paths.data_root().resolve()
    if shipped in path.parents:
        raise PolicyKGError(f"{path} is part of the shipped graph; copy it and update the copy")
    if path.suffix != ".ttl":
        raise PolicyKGError(f"{path}: 'policykg update' edits Turtle (.ttl) files")
    data = parse_file(path)
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in data.triples)
    _, _, result = run_isolated(store, Job(text=update, update=True, graph_format="nt"),
                                timeout=timeout, memory_mb=memory_mb)
    triples = [q.triple for q in ox.parse(result, format=ox.RdfFormat.N_TRIPLES)]
    write_atomic(path, turtle(triples))
    return len(store), len(triples)
