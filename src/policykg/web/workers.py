"""A pool of query worker processes, each holding its own copy of the store.

Neither pyoxigraph nor rdflib can interrupt a running query, and a crafted
query can crash the engine, so the server never evaluates a query itself.
Each worker is a process started through multiprocessing's *forkserver*
(a clean single-threaded process, so it is safe to start workers while
uvicorn's threads run) and loads the store once; a request goes to a free
worker over a pipe with a deadline. At the deadline the worker is SIGKILLed
(the query really stops) and a fresh one takes its place; a worker that dies
is replaced the same way. The server process only waits on pipes.
"""

from __future__ import annotations

import collections
import io
import multiprocessing
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PolicyKGError
from ..query import DEFAULT_MEMORY_MB, EvaluationFailed, QueryTimeout


class PoolBusy(PolicyKGError):
    """No worker became free before the request's deadline."""


#: The most a worker sends back for one query. Without a cap, a query with a
#: large LIMIT (or none, with a long timeout) has the worker serialize
#: hundreds of MB that then sit in the server process: 3M rows of CSV took
#: the server to 2.7 GB of memory. Past the cap the worker stops writing.
MAX_RESULT_BYTES = 64 << 20


class ResultTooLarge(PolicyKGError):
    """The serialized result would exceed :data:`MAX_RESULT_BYTES`."""


class _CappedBuffer(io.RawIOBase):
    """A write target for pyoxigraph's serializers that refuses to grow past ``limit``."""

    def __init__(self, limit: int):
        super().__init__()
        self.data = bytearray()
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        if len(self.data) + len(chunk) > self.limit:
            self.data = bytearray()
            raise ResultTooLarge(f"the result is over the limit of {self.limit >> 20} MB: "
                                 "add a LIMIT or narrow the query")
        self.data += chunk
        return len(chunk)


@dataclass(frozen=True)
class StoreSource:
    """How a worker (or the server) builds its store: picklable, so it can travel."""

    data_dir: Path | None = None
    #: Extra named graphs: graph IRI -> N-Triples/Turtle file (None: an empty graph).
    named_graphs: tuple[tuple[str, Path | None], ...] = ()

    def open(self):
        """The loaded :class:`policykg.loading.KnowledgeGraph`, with the named graphs added."""
        import pyoxigraph as ox

        from ..loading import _format, load

        kg = load(self.data_dir)
        for iri, path in self.named_graphs:
            graph = ox.NamedNode(iri)
            kg.store.add_graph(graph)
            if path is not None:
                kg.store.load(path=path, format=_format(Path(path)), to_graph=graph)
        return kg


@dataclass
class Job:
    """One query for a worker."""

    text: str
    select_format: str = "json"  # json, xml, csv, tsv
    graph_format: str = "turtle"  # turtle, nt, jsonld
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    checked: bool = False  # a shipped canned query: skip the safety walk
    allowed_graphs: frozenset = field(default_factory=frozenset)
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint's URL)


# ---------------------------------------------------------------- worker side

_RESULT_FORMATS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
_GRAPH_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD"}


def _evaluate(store, job: Job, verdicts: collections.OrderedDict) -> tuple:
    import pyoxigraph as ox

    from ..namespaces import PREFIXES, sparql_prefixes
    from ..safety import check_query

    if not job.checked:
        key = (job.text, job.allowed_graphs)
        if key not in verdicts:
            check_query(job.text, preamble=sparql_prefixes(), allowed_graphs=job.allowed_graphs, base_iri=job.base_iri)
            verdicts[key] = True
            if len(verdicts) > 512:
                verdicts.popitem(last=False)
        else:
            verdicts.move_to_end(key)
    kwargs = {"base_iri": job.base_iri} if job.base_iri else {}
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        result = store.query(job.text, prefixes=PREFIXES, **kwargs)
    except SyntaxError as e:
        from ..safety import QuerySyntaxError
        raise QuerySyntaxError(f"query syntax error: {e}") from None
    if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
        fmt = job.select_format
        out = _CappedBuffer(MAX_RESULT_BYTES)
        result.serialize(out, format=getattr(ox.QueryResultsFormat, _RESULT_FORMATS[fmt]))
        return ("ok", "ASK" if isinstance(result, ox.QueryBoolean) else "SELECT", fmt, bytes(out.data))
    fmt = job.graph_format
    out = _CappedBuffer(MAX_RESULT_BYTES)
    result.serialize(out, format=getattr(ox.RdfFormat, _GRAPH_FORMATS[fmt]))
    return ("ok", "GRAPH", fmt, bytes(out.data))


def worker_main(conn, source: StoreSource, memory_mb: int | None) -> None:
    """The worker's loop: load the store, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    try:
        store = source.open().store
    except BaseException as e:  # noqa: BLE001
        conn.send(("failed", f"{type(e).__name__}: {e}"))
        return
    if memory_mb:
        import resource

        from ..query import _current_address_space
        cap = _current_address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    verdicts: collections.OrderedDict = collections.OrderedDict()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = _evaluate(store, job, verdicts)
        except PolicyKGError as e:
            reply = ("error", type(e).__name__, str(e))
        except MemoryError:
            reply = ("error", "EvaluationFailed", f"query exceeded the memory limit of {memory_mb} MB")
        except BaseException as e:  # noqa: BLE001 - report anything
            reply = ("error", "EvaluationFailed", f"query failed: {type(e).__name__}: {e}")
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("error", "EvaluationFailed", "the result exceeded the memory limit"))


# ---------------------------------------------------------------- server side

class _Worker:
    def __init__(self, process, conn):
        self.process = process
        self.conn = conn

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        try:
            os.kill(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, TypeError):
            pass
        try:
            self.conn.close()
        except OSError:
            pass
        self.process.join(timeout=5)


def _error_class(name: str):
    from ..safety import QuerySyntaxError, UnsafeQueryError, UpdateRefusedError

    return {"QuerySyntaxError": QuerySyntaxError, "UnsafeQueryError": UnsafeQueryError,
            "UpdateRefusedError": UpdateRefusedError, "QueryTimeout": QueryTimeout,
            "ResultTooLarge": ResultTooLarge}.get(name, EvaluationFailed)


class WorkerPool:
    """``size`` worker processes; :meth:`run` is blocking (call it from a thread)."""

    def __init__(self, source: StoreSource, size: int = 2, *, memory_mb: int | None = DEFAULT_MEMORY_MB,
                 start_timeout: float = 120.0):
        if size < 1:
            raise PolicyKGError("a worker pool needs at least one worker")
        self.source = source
        self.size = size
        self.memory_mb = memory_mb
        self.start_timeout = start_timeout
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["policykg.web.workers", "policykg.loading", "policykg.safety",
                                          "rdflib.plugins.sparql.parser"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._closed = False
        self.replaced = 0
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=worker_main, args=(child, self.source, self.memory_mb),
                                    name="policykg-query-worker", daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        if not parent.poll(self.start_timeout):
            worker.kill()
            raise EvaluationFailed("a query worker did not start in time")
        try:
            msg = parent.recv()
        except (EOFError, OSError):
            worker.kill()
            raise EvaluationFailed("a query worker died while loading the store") from None
        if msg[0] != "ready":
            worker.kill()
            raise EvaluationFailed(f"a query worker could not load the store: {msg[1]}")
        with self._lock:
            self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background."""
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            self.replaced += 1
            if self._closed:
                return

        def start():
            for attempt in range(3):
                try:
                    new = self._start()
                except Exception:  # noqa: BLE001 - try again, then give up quietly
                    time.sleep(0.5 * (attempt + 1))
                    continue
                if self._closed:
                    new.kill()
                else:
                    self._idle.put(new)
                return

        threading.Thread(target=start, name="policykg-worker-replace", daemon=True).start()

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._workers)

    def run(self, job: Job, timeout: float) -> tuple[str, str, bytes]:
        """``(form, format, data)`` for ``job``; raises the worker's error, QueryTimeout, PoolBusy."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise PoolBusy(f"all {self.size} query workers stayed busy for {timeout:g} s") from None
        try:
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker)
                raise QueryTimeout(f"query timed out after {timeout:g} s and was stopped")
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            raise EvaluationFailed("the query worker died (the query may be too large or too deep for the "
                                   f"engine, or exceeded the memory limit of {self.memory_mb} MB); "
                                   "it has been replaced") from None
        except QueryTimeout:
            raise
        except BaseException:
            self._replace(worker)
            raise
        self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1], reply[2], reply[3]
        raise _error_class(reply[1])(reply[2])

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for w in workers:
            w.kill()
