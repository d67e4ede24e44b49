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
    import fcntl
    import stat

    path = Path(path).resolve()
    shipped = paths.data_root().resolve()
    if shipped in path.parents:
        raise PolicyKGError(f"{path} is part of the shipped graph; copy it and update the copy")
    if path.suffix != ".ttl":
        raise PolicyKGError(f"{path}: 'policykg update' edits Turtle (.ttl) files")
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise PolicyKGError(f"{path}: not a regular file")
    if not mode & 0o222:  # root may write anything; the file's own bits still say it is read-only
        raise PolicyKGError(f"{path}: the file is read-only (mode {stat.filemode(mode)}); not changed")
    # One update at a time per file: a second waits for the lock, then reads the first one's result.
    with open(path.with_name(f".{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        before_stat = path.stat()
        data = parse_file(path)
        store = ox.Store()
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in data.triples)
        _, _, result = run_isolated(store, Job(text=update, update=True, graph_format="nt"),
                                    timeout=timeout, memory_mb=memory_mb)
        triples = [q.triple for q in ox.parse(result, format=ox.RdfFormat.N_TRIPLES)]
        after_stat = path.stat()
        if (after_stat.st_mtime_ns, after_stat.st_size, after_stat.st_ino) != \
                (before_stat.st_mtime_ns, before_stat.st_size, before_stat.st_ino):
            raise PolicyKGError(f"{path} changed while the update ran (another program wrote to it); "
                                "not overwritten: run the update again")
        write_atomic(path, turtle(triples))
    return len(store), len(triples)
