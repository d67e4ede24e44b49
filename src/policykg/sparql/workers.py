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
import threading
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


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("inf")


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

_warm = False


def _warm_parser() -> None:
    """Import rdflib's SPARQL parser and let it build its grammar once, in this process.

    The forked child walks the query with it; done here, every child starts
    warm (about 0.1 s saved per query, 0.5 s on the first). Only a fixed
    query of our own is parsed here, never the user's text.
    """
    global _warm
    if not _warm:
        from rdflib.plugins.sparql.parser import parseQuery

        parseQuery("PREFIX x: <urn:x:> ASK { ?s x:p ?o FILTER(?o > 1) BIND(1 AS ?b) }")
        _warm = True


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
    if not job.shipped:
        _warm_parser()
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
    _warm_parser()  # while no job has come yet
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


class Preempted(Exception):
    """A job stopped before its deadline because its worker was needed for others (see run_sliced)."""


class Yielded(Preempted):
    """A job stopped before its slice ended so a lighter client's query could have its worker (see run_sliced)."""


class Cancelled(Exception):
    """A job stopped because whoever asked for it set its ``stop`` event (a client that went away)."""


#: How often a job with a ``stop`` event looks at it: the longest a worker goes on for nobody.
STOP_POLL = 0.1


#: Descriptors a pool keeps open in reserve, so that it can start a worker even when
#: client connections have taken every other descriptor the process may open.
FD_RESERVE = 24


#: What the forkserver imports once, so that every worker forks with it already imported
#: (rdflib's SPARQL parser alone takes a quarter of a second).
FORKSERVER_PRELOAD = ["policykg.sparql.workers", "policykg.rdf.loading", "policykg.sparql.safety",
                      "rdflib.plugins.sparql.parser"]


def start_forkserver():
    """Start multiprocessing's forkserver now, without waiting for it; its context.

    It imports :data:`FORKSERVER_PRELOAD` in its own process, so a server
    that calls this first (``policykg serve``) has that done while it
    imports its web stack and checks its verdict cache, instead of after.
    A running forkserver is reused.
    """
    import multiprocessing
    import multiprocessing.forkserver

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(FORKSERVER_PRELOAD)
    multiprocessing.forkserver.ensure_running()
    return ctx


class WorkerPool:
    """``size`` serving workers plus ``spares`` started ones on standby; :meth:`run` blocks.

    A worker that times out or dies is killed; a spare takes its place at
    once and a new spare is started in the background, retrying with
    backoff for as long as the pool is open, so the pool never stays empty.
    """

    _open = 0  # pools open in this process: the forkserver they share stops with the last
    _open_lock = threading.Lock()

    def __init__(self, source: StoreSource, size: int = 2, *, memory_mb: int | None = DEFAULT_MEMORY_MB,
                 start_timeout: float = 120.0, spares: int = 1, wait: bool = True):
        import logging
        import queue
        import threading

        if size < 1:
            raise PolicyKGError("a worker pool needs at least one worker")
        self.source = source
        self.size = size
        self.spares = spares
        self.memory_mb = memory_mb
        self.start_timeout = start_timeout
        self.log = logging.getLogger("policykg.pool")
        self._ctx = start_forkserver()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._standby: list[_Worker] = []
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._closed = False
        self._starting = 0
        self._reserve: list[int] = []
        self.replaced = 0
        self.start_failures = 0
        self.last_error: str | None = None
        self._logged: set[str] = set()
        self._hold_reserve()
        with WorkerPool._open_lock:
            WorkerPool._open += 1
        # The serving workers load the store side by side; the spares come after, in the background.
        self._launched = [self._launch() for _ in range(size)]
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Wait until the serving workers have loaded the store, then start the spares in the background.

        With ``wait=False`` the constructor only starts the workers, so the
        caller can do its own start-up while they load; it must call this
        before the pool serves (and :meth:`close` if this raises).
        """
        import threading

        launched = bool(self._launched)
        while self._launched:  # one at a time: close() still sees the ones not yet awaited
            self._idle.put(self._await_ready(self._launched[0]))
            self._launched.pop(0)
        for _ in range(self.spares if launched else 0):
            with self._lock:
                self._starting += 1
            threading.Thread(target=self._refill, args=(True,), name="policykg-worker-start", daemon=True).start()

    # ---- descriptors

    def _hold_reserve(self) -> None:
        while len(self._reserve) < FD_RESERVE:
            try:
                self._reserve.append(os.open(os.devnull, os.O_RDONLY))
            except OSError:
                return

    def _release_reserve(self) -> None:
        while self._reserve:
            os.close(self._reserve.pop())

    def _log_once(self, kind: str, message: str) -> None:
        if kind not in self._logged:
            self._logged.add(kind)
            self.log.warning(message)

    # ---- starting and replacing

    def _launch(self) -> _Worker:
        """Start a worker process; it is not ready before :meth:`_await_ready`."""
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=worker_main, args=(child, self.source, self.memory_mb),
                                    name="policykg-query-worker", daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _await_ready(self, worker: _Worker) -> _Worker:
        parent = worker.conn
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

    def _start(self) -> _Worker:
        return self._await_ready(self._launch())

    def _start_with_reserve(self) -> _Worker:
        """Start a worker with the reserved descriptors freed for it, then take them back."""
        with self._lock:
            self._release_reserve()
        try:
            return self._start()
        finally:
            with self._lock:
                self._hold_reserve()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker``; a spare serves in its place, and a new spare is started in the background."""
        import threading

        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            self.replaced += 1
            if self._closed:
                return
            spare = self._standby.pop() if self._standby else None
            self._starting += 1
        if spare is not None:
            self._idle.put(spare)
        threading.Thread(target=self._refill, args=(spare is not None,), name="policykg-worker-start",
                         daemon=True).start()

    def _refill(self, as_spare: bool) -> None:
        delay = 0.25
        try:
            while not self._closed:
                try:
                    new = self._start_with_reserve()
                except Exception as e:  # noqa: BLE001 - keep trying: the pool must not stay short
                    with self._lock:
                        self.start_failures += 1
                        self.last_error = f"{type(e).__name__}: {e}"
                    self._log_once(type(e).__name__, f"policykg: a query worker could not start ({e}); "
                                                     "retrying with backoff")
                    time.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
                if self._closed:
                    new.kill()
                elif as_spare:
                    with self._lock:
                        self._standby.append(new)
                else:
                    self._idle.put(new)
                return
        finally:
            with self._lock:
                self._starting -= 1

    # ---- use

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._workers)

    def health(self) -> dict:
        """What ``/health`` reports: workers serving, on standby, starting, and failures so far."""
        with self._lock:
            return {"size": self.size, "workers": len(self._workers) - len(self._standby),
                    "idle": self._idle.qsize(), "spares": len(self._standby), "starting": self._starting,
                    "replaced": self.replaced, "start_failures": self.start_failures,
                    "last_error": self.last_error, "reserved_descriptors": len(self._reserve)}

    def run(self, job: Job, timeout: float, stop: threading.Event | None = None) -> tuple[str, str, bytes]:
        """``(form, format, data)`` for ``job``; raises the worker's error, QueryTimeout, PoolBusy, Cancelled."""
        return self.run_sliced(job, timeout, stop=stop)

    def _take(self, timeout: float, stop: threading.Event | None) -> _Worker:
        import queue

        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if stop is not None and stop.is_set():
                raise Cancelled()
            try:
                return self._idle.get(timeout=max(0.0, min(left, STOP_POLL) if stop is not None else left))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    raise PoolBusy(f"all {self.size} query workers stayed busy for {timeout:g} s") from None

    def run_sliced(self, job: Job, timeout: float, slice_: float | None = None,
                   at_slice=None, stop: threading.Event | None = None,
                   yield_now=None) -> tuple[str, str, bytes]:
        """:meth:`run`, asking ``at_slice()`` every ``slice_`` seconds what to do while the job runs.

        ``at_slice(cpu_seconds)``, given the CPU time the job has used so far,
        answers "wait" (ask again after another slice), "long" (run on to the
        deadline) or "preempt" (stop the job now: the worker is replaced and
        :class:`Preempted` raised). Until the job is judged, ``yield_now(seconds
        held)`` is asked every :data:`STOP_POLL` seconds too (after the
        slice's verdict when both are due); when it says yes the job stops the
        same way and :class:`Yielded` is raised. Once ``stop`` is set the job
        stops within :data:`STOP_POLL` seconds, waiting or running (its worker
        is replaced), and :class:`Cancelled` is raised.
        """
        deadline = time.monotonic() + timeout
        worker = self._take(timeout, stop)
        deciding = at_slice is not None and slice_ is not None
        cpu_at_start = _cpu_seconds(worker.pid) if deciding else 0.0
        began = time.monotonic()
        next_slice = began + slice_ if deciding else deadline
        try:
            worker.conn.send(job)
            while True:
                now = time.monotonic()
                left = deadline - now
                if left <= 0:
                    self._replace(worker)
                    raise QueryTimeout(f"query timed out after {timeout:g} s and was stopped")
                if stop is not None and stop.is_set():
                    self._replace(worker)
                    raise Cancelled()
                watching = stop is not None or (deciding and yield_now is not None)
                wait = min(left, max(0.0, next_slice - now)) if deciding else left
                if worker.conn.poll(min(wait, STOP_POLL) if watching else wait):
                    break
                now = time.monotonic()
                # The slice's verdict first: a query judged long at its slice's end never yields.
                if deciding and next_slice <= now < deadline:
                    verdict = at_slice(_cpu_seconds(worker.pid) - cpu_at_start)
                    if verdict == "preempt":
                        self._replace(worker)
                        raise Preempted()
                    deciding = verdict == "wait"
                    next_slice = now + slice_
                if deciding and yield_now is not None and yield_now(now - began):
                    self._replace(worker)
                    raise Yielded()
            reply = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            raise _died(self.memory_mb, "; it has been replaced") from None
        except (QueryTimeout, Preempted, Cancelled):
            raise
        except BaseException:
            self._replace(worker)
            raise
        self._idle.put(worker)
        return reply_value(reply)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._workers) + self._launched
            self._launched = []
            self._workers.clear()
            self._standby.clear()
            self._release_reserve()
        for w in workers:
            w.kill()
        with WorkerPool._open_lock:
            WorkerPool._open -= 1
            last = WorkerPool._open == 0
        if last:
            _stop_forkserver()


def _stop_forkserver() -> None:
    """Stop multiprocessing's forkserver and remove its ``pymp-*`` folder now.

    multiprocessing leaves both to exit handlers, which do not run when the
    server is stopped by SIGTERM (uvicorn shuts down, then dies of the signal
    it caught). Called when the last pool of the process closes; the next
    pool starts a new forkserver in a new folder. Waits at most two seconds
    for the forkserver to go, then kills it.
    """
    import multiprocessing.forkserver
    import multiprocessing.process
    import multiprocessing.util as util
    import shutil

    server = multiprocessing.forkserver._forkserver
    try:
        with server._lock:
            pid, alive = server._forkserver_pid, server._forkserver_alive_fd
            if pid is not None:
                os.close(alive)  # the forkserver exits when this closes
                server._forkserver_alive_fd = None
                deadline = time.monotonic() + 2
                while not os.waitpid(pid, os.WNOHANG)[0]:
                    if time.monotonic() > deadline:
                        os.kill(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                        break
                    time.sleep(0.02)
                server._forkserver_pid = None
                address, server._forkserver_address = server._forkserver_address, None
                if address and not util.is_abstract_socket_namespace(address):
                    try:
                        os.unlink(address)
                    except OSError:
                        pass
    except (AttributeError, ChildProcessError, OSError):  # a private API: if it changes, leave it to exit
        return
    tempdir = multiprocessing.process.current_process()._config.get("tempdir")
    if not tempdir:
        return
    for finalizer in list(util._finalizer_registry.values()):
        if tempdir in (getattr(finalizer, "_args", None) or ()):
            finalizer()  # removes the folder and forgets it, as at exit
    if os.path.exists(tempdir):
        shutil.rmtree(tempdir, ignore_errors=True)
        multiprocessing.process.current_process()._config["tempdir"] = None
