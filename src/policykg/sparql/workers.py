"""Query worker processes: one for a CLI or library run, a pool for the server.

Neither pyoxigraph nor rdflib can interrupt a running query, and crafted text
can make either parser run long or crash the process, so no query text is
ever parsed or evaluated in the process that asked for it. A worker runs
:func:`policykg.sparql.evaluation.evaluate` (syntax check, safety walk,
evaluation, serialization) under a memory cap; the asking process waits on a
pipe with a deadline and SIGKILLs the worker when it passes, so the query
really stops. Both kinds of worker speak the same reply protocol and give
the same bytes for the same job.

- :func:`run_isolated` forks one child of the calling process (which already
  holds the store) for one job.
- :class:`WorkerPool` keeps ``size`` workers started through
  multiprocessing's *forkserver* (a clean single-threaded parent, so workers
  can be started while the web server's threads run), each loading the
  store once; a worker that times out or dies is killed and replaced.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import EvaluationFailed, PolicyKGError, PoolBusy, QueryTimeout, by_name
from .evaluation import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, Job, Verdicts, evaluate


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def cap_memory(memory_mb: int | None) -> None:
    """Cap this process's address space at its current size plus ``memory_mb``."""
    if memory_mb:
        import resource

        cap = _address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def reply_value(reply: tuple) -> tuple[str, str, bytes]:
    """``(form, format, data)`` of an ok reply; the worker's error raised otherwise."""
    if reply[0] == "ok":
        return reply[1], reply[2], reply[3]
    raise by_name(reply[1])(reply[2])


def _died(memory_mb: int | None, how: str = "") -> EvaluationFailed:
    cap = f"{memory_mb} MB" if memory_mb else "no"
    return EvaluationFailed(f"the query worker died{how}: the query may be too large or too deep for the engine, "
                            f"or exceeded the memory limit ({cap})")


def _guarded(store, job: Job, verdicts: Verdicts | None) -> tuple:
    try:
        return evaluate(store, job, verdicts)
    except MemoryError:
        return ("error", "EvaluationFailed", "the query exceeded the worker's memory limit")
    except BaseException as e:  # noqa: BLE001 - anything at all goes back as an error reply
        return ("error", "EvaluationFailed", f"query failed: {type(e).__name__}: {e}")


# ---------------------------------------------------------------- one job, one forked child

def _encode(reply: tuple) -> bytes:
    if reply[0] == "ok":
        return b"ok\0" + reply[1].encode() + b"\0" + reply[2].encode() + b"\0" + reply[3]
    return b"error\0" + reply[1].encode() + b"\0" + reply[2].encode("utf-8", "replace")


def _decode(payload: bytes) -> tuple:
    if payload.startswith(b"ok\0"):
        _, form, fmt, data = payload.split(b"\0", 3)
        return ("ok", form.decode(), fmt.decode(), data)
    if payload.startswith(b"error\0"):
        _, name, message = payload.split(b"\0", 2)
        return ("error", name.decode(), message.decode("utf-8", "replace"))
    raise EvaluationFailed("the query worker exited without a result")


def run_isolated(store, job: Job, *, timeout: float = DEFAULT_TIMEOUT,
                 memory_mb: int | None = DEFAULT_MEMORY_MB) -> tuple[str, str, bytes]:
    """Evaluate ``job`` in a forked child of this process; ``(form, format, data)``.

    Raises :class:`QueryTimeout` at the deadline (the child is killed),
    :class:`EvaluationFailed` if the child dies, or the error the query
    caused. Fork copies the caller's store at no cost, so this suits one
    query from a single-threaded program; a server uses :class:`WorkerPool`.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        code = 0
        try:
            cap_memory(memory_mb)
            payload = _encode(_guarded(store, job, None))
            view = memoryview(payload)
            while view:
                view = view[os.write(write_fd, view):]
        except BaseException:  # noqa: BLE001 - a dying child says nothing; the parent reports it
            code = 1
        os._exit(code)
    os.close(write_fd)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        chunks = _read_until(read_fd, deadline, pid, timeout)
    finally:
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
    payload = b"".join(chunks)
    if not payload and os.WIFSIGNALED(status):
        raise _died(memory_mb, f" ({signal.Signals(os.WTERMSIG(status)).name})")
    return reply_value(_decode(payload))


def _read_until(fd: int, deadline: float, pid: int, timeout: float) -> list[bytes]:
    import select

    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            raise QueryTimeout(f"query timed out after {timeout:g} s and was stopped")
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return chunks
            chunks.append(chunk)


# ---------------------------------------------------------------- the server's pool

@dataclass(frozen=True)
class StoreSource:
    """How a worker builds its store: picklable, so it can travel to the worker."""

    data_dir: Path | None = None
    #: Extra named graphs: ``(graph IRI, RDF file)``, served beside the default graph.
    named_graphs: tuple[tuple[str, Path], ...] = ()

    def open(self):
        """The loaded :class:`policykg.rdf.loading.KnowledgeGraph`, with the named graphs added."""
        from ..rdf.loading import add_named_graph, load

        kg = load(self.data_dir)
        for iri, path in self.named_graphs:
            add_named_graph(kg, iri, path)
        return kg


def worker_main(conn, source: StoreSource, memory_mb: int | None) -> None:
    """A pool worker's loop: load the store, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    try:
        store = source.open().store
    except BaseException as e:  # noqa: BLE001
        conn.send(("failed", f"{type(e).__name__}: {e}"))
        return
    cap_memory(memory_mb)
    verdicts = Verdicts()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        reply = _guarded(store, job, verdicts)
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("error", "EvaluationFailed", "the result exceeded the worker's memory limit"))


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


class WorkerPool:
    """``size`` worker processes; :meth:`run` blocks (call it from a thread)."""

    def __init__(self, source: StoreSource, size: int = 2, *, memory_mb: int | None = DEFAULT_MEMORY_MB,
                 start_timeout: float = 120.0):
        import multiprocessing
        import queue
        import threading

        if size < 1:
            raise PolicyKGError("a worker pool needs at least one worker")
        self.source = source
        self.size = size
        self.memory_mb = memory_mb
        self.start_timeout = start_timeout
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["policykg.sparql.workers", "policykg.rdf.loading",
                                          "policykg.sparql.safety", "rdflib.plugins.sparql.parser"])
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
        import threading

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
        import queue

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
        except (EOFError, OSError):
            self._replace(worker)
            raise _died(self.memory_mb, "; it has been replaced") from None
        except QueryTimeout:
            raise
        except BaseException:
            self._replace(worker)
            raise
        self._idle.put(worker)
        return reply_value(reply)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for w in workers:
            w.kill()
