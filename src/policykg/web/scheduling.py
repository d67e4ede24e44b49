"""Sharing the query workers fairly between the server's clients.

Every query starts as a *short* one: it may take any free worker, and
waiting queries are served lowest recent usage first, so a client that has
used little is served before one that keeps the workers busy. A query still
running after :data:`SLICE` seconds becomes a *long* one, but only while
fewer than ``slots - 1`` long queries run and its client has no other long
query running: one worker always stays free for short queries. Otherwise it
is stopped (its worker replaced by a spare) and waits in a bounded queue for
a long slot, up to its own deadline; when that queue is full the server
answers 503 with Retry-After at once. A query that used little CPU in its
slice was starved on a busy machine, not long: it gets another slice before
it is judged. With one worker there is no reserved slot: queries share it
in order of usage.

Until it is judged, a short query yields its worker at once (it is stopped
and queued again as a short one) to a waiting query of another client that
has used at least a slice less than its own, counting the time it has run
so far. So a newcomer waits for no heavier client, and at most one slice
behind a client as light as itself, starved or not. At a slice's end the
verdict comes first, so a query judged long never yields; and no query
yields to its own client's, or one client's queries could restart each
other until their deadline.

Waiting happens in the event loop, never in a thread, so queries that wait
do not take the threads that serve the other pages.

A query asked for over HTTP is dropped when its client goes away (the
editor's Cancel, a closed tab, a client that gave up): taken out of the
queue if it waits, its worker stopped and replaced if it runs, so nobody's
abandoned query holds a worker until its deadline.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import math
import threading
import time
from dataclasses import dataclass, field

from ..errors import PolicyKGError, PoolBusy, QueryTimeout
from ..sparql.workers import Preempted, Yielded

#: Seconds a query runs as a short one before it must become long or yield its worker.
SLICE = 0.5
#: Recent usage halves every this many seconds.
HALF_LIFE = 60.0
#: What asking costs, in worker-seconds of usage.
ASKING = 0.05
#: A query that used less than this share of its slice in CPU time was starved, not long.
STARVED = 0.5


class ClientGone(PolicyKGError):
    """The client that asked for a query went away before its answer; the query was dropped."""


@dataclass(order=True)
class _Waiter:
    priority: float
    seq: int
    client: str = field(compare=False)
    long: bool = field(compare=False)
    future: asyncio.Future = field(compare=False)
    #: A running query has yielded its worker for this waiter; no second one needs to.
    yielded_to: bool = field(default=False, compare=False)


class Scheduler:
    """Admission for ``slots`` workers (see the module docstring); :meth:`run` is awaited per query."""

    def __init__(self, pool, slots: int, *, long_queue: int | None = None, per_client_long: int = 1):
        self.pool = pool
        self.slots = slots
        self.long_slots = max(1, slots - 1) if slots > 1 else 1
        self.long_queue = long_queue if long_queue is not None else 4 * slots
        self.per_client_long = per_client_long
        self._lock = threading.Lock()  # the counts are read from worker threads at slice time
        self._running = 0
        self._long = 0
        self._long_by_client: dict[str, int] = {}
        self._waiting: list[_Waiter] = []
        self._seq = itertools.count()
        self._usage: dict[str, tuple[float, float]] = {}
        self._limiter = None
        self.cache = ResultCache()
        self.cancelled = 0  # queries dropped because their client went away

    def health(self) -> dict:
        """What ``/health`` adds: queries holding a slot, queries waiting, and queries dropped for clients gone."""
        with self._lock:
            return {"running": self._running, "waiting": sum(1 for w in self._waiting if not w.future.done()),
                    "cancelled": self.cancelled}

    # ---- usage

    def usage(self, client: str) -> float:
        value, when = self._usage.get(client, (0.0, time.monotonic()))
        return value * math.pow(0.5, (time.monotonic() - when) / HALF_LIFE)

    def charge(self, client: str, seconds: float) -> None:
        self._usage[client] = (self.usage(client) + seconds, time.monotonic())
        if len(self._usage) > 10_000:  # forget the least active clients
            for key in sorted(self._usage, key=self.usage)[:5_000]:
                del self._usage[key]

    # ---- slots

    def _long_allowed(self, client: str) -> bool:
        if self.slots == 1:
            return True
        return self._long < self.long_slots and self._long_by_client.get(client, 0) < self.per_client_long

    def _dispatch(self) -> None:
        """Hand free slots to the best waiters that may take them."""
        with self._lock:
            self._waiting = [w for w in self._waiting if not w.future.done()]
            for w in sorted(self._waiting):
                if self._running >= self.slots:
                    break
                if w.long and not self._long_allowed(w.client):
                    continue
                self._running += 1
                if w.long:
                    self._long += 1
                    self._long_by_client[w.client] = self._long_by_client.get(w.client, 0) + 1
                self._waiting.remove(w)
                w.future.set_result(True)

    async def _acquire(self, client: str, long: bool, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if long and sum(1 for w in self._waiting if w.long) >= self.long_queue:
                raise PoolBusy(f"the queue for long queries is full ({self.long_queue} waiting); try again later")
            waiter = _Waiter(self.usage(client), next(self._seq), client, long, loop.create_future())
            self._waiting.append(waiter)
        self._dispatch()
        try:
            await asyncio.wait_for(asyncio.shield(waiter.future), timeout)
        except asyncio.TimeoutError:
            if not waiter.future.done():
                waiter.future.cancel()
                raise PoolBusy(f"all {self.slots} query workers stayed busy") from None
        except asyncio.CancelledError:
            # The waiter must leave the queue too, or a slot would later be handed to nobody.
            if not waiter.future.done():
                waiter.future.cancel()
            elif not waiter.future.cancelled():
                self._release(client, long)
            raise

    def _release(self, client: str, long: bool) -> None:
        with self._lock:
            self._running -= 1
            if long:
                self._long -= 1
                self._long_by_client[client] -= 1
                if not self._long_by_client[client]:
                    del self._long_by_client[client]
        self._dispatch()

    def _should_yield(self, client: str, held: float) -> bool:
        """Whether ``client``'s short query, ``held`` seconds on its worker, gives the worker up now.

        It does for the lightest waiting short query of another client that
        no other running query has yielded to yet, if that waiter's client
        has used at least :data:`SLICE` less (the running time so far counts
        as used). Never to the same client: its queries would only stop each
        other's work.
        """
        with self._lock:
            waiting = [w for w in self._waiting
                       if not w.long and not w.yielded_to and w.client != client and not w.future.done()]
            if not waiting:
                return False
            lightest = min(waiting)
            if lightest.priority + SLICE > self.usage(client) + held:
                return False
            lightest.yielded_to = True
            return True

    def _at_slice(self, client: str, cpu: float) -> tuple[str, bool]:
        """What a short query does at the end of a slice, and whether it now counts as long.

        A query that used little CPU in its slice was starved on a busy
        machine, not long: it gets another slice rather than being judged.
        """
        with self._lock:
            if self.slots == 1:
                return "long", False
            if cpu < STARVED * SLICE:
                return "wait", False
            if self._long_allowed(client):
                self._long += 1
                self._long_by_client[client] = self._long_by_client.get(client, 0) + 1
                return "long", True
            if any(not w.long and not w.future.done() for w in self._waiting):
                return "preempt", False
            return "wait", False

    # ---- running

    async def _in_thread(self, fn, *args, **kwargs):
        """``fn(*args, stop=event, **kwargs)`` in a thread; cancelling the caller sets the event and waits for ``fn``.

        A thread cannot be cancelled, so the worker-side wait watches the
        event instead and stops its job (see ``WorkerPool.run_sliced``); the
        caller's slot is released only once the worker is really stopped.
        """
        import anyio

        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.slots + 2)
        stop = threading.Event()
        task = asyncio.ensure_future(anyio.to_thread.run_sync(functools.partial(fn, *args, stop=stop, **kwargs),
                                                              limiter=self._limiter))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            stop.set()
            await asyncio.gather(task, return_exceptions=True)
            raise

    async def run(self, job, timeout: float, client: str, request=None):
        """``(form, format, data)`` of ``job``, run as fairly as the slots allow (see the module docstring).

        A client is charged a little for asking and then for the seconds its
        queries hold a worker (never for waiting), so a client never seen
        before ranks ahead of every client that has asked. The graph never
        changes while the server runs, so a result already computed for the
        very same job is served from :class:`ResultCache` without a worker.
        With the HTTP ``request`` that asks, the query is dropped as soon as
        its client disconnects, and :class:`ClientGone` raised.
        """
        cached = self.cache.get(job)
        if cached is not None:
            return cached
        if request is None:
            result = await self._run(job, timeout, client)
        else:
            result = await self._unless_gone(request, self._run(job, timeout, client))
        self.cache.put(job, result)
        return result

    async def _unless_gone(self, request, work):
        """The result of ``work``, raced against the request's client disconnecting."""
        work = asyncio.ensure_future(work)
        gone = asyncio.ensure_future(_disconnect(request.receive))
        try:
            await asyncio.wait((work, gone), return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not work.done():
                work.cancel()
                await asyncio.gather(work, return_exceptions=True)
            gone.cancel()
        if work.cancelled():
            self.cancelled += 1
            raise ClientGone("the client went away; its query was stopped")
        return work.result()

    async def _run(self, job, timeout: float, client: str):
        start = time.monotonic()
        self.charge(client, ASKING)

        def left() -> float:
            remaining = timeout - (time.monotonic() - start)
            if remaining <= 0:
                raise QueryTimeout(f"query timed out after {timeout:g} s and was stopped")
            return remaining

        promoted = [False]

        def at_slice(cpu: float) -> str:
            verdict, promoted[0] = self._at_slice(client, cpu)
            return verdict

        yield_now = functools.partial(self._should_yield, client)
        while True:
            await self._acquire(client, long=False, timeout=left())
            promoted[0] = False
            began = time.monotonic()
            try:
                return await self._in_thread(self.pool.run_sliced, job, max(0.01, timeout - (began - start)),
                                             SLICE, at_slice, yield_now=yield_now)
            except Yielded:
                continue  # queued again as a short query, behind the lighter client it yielded to
            except Preempted:
                break
            except QueryTimeout:
                raise QueryTimeout(f"query timed out after {timeout:g} s and was stopped") from None
            finally:
                self.charge(client, time.monotonic() - began)
                self._release(client, long=promoted[0])
        # Stopped at its slice: wait for a long slot, within what is left of its deadline.
        await self._acquire(client, long=True, timeout=left())
        began = time.monotonic()
        try:
            return await self._in_thread(self.pool.run, job, max(0.01, timeout - (began - start)))
        except QueryTimeout:
            raise QueryTimeout(f"query timed out after {timeout:g} s and was stopped") from None
        finally:
            self.charge(client, time.monotonic() - began)
            self._release(client, long=True)


class ResultCache:
    """Recent results by job, for a graph that does not change while the server runs.

    Only results of at most ``max_item`` bytes are kept, ``max_bytes`` in all,
    least recently used first out; errors are never kept.
    """

    def __init__(self, max_bytes: int = 64 << 20, max_item: int = 1 << 20):
        import collections

        self.max_bytes, self.max_item = max_bytes, max_item
        self.size = 0
        self.hits = self.misses = 0
        self._items: collections.OrderedDict = collections.OrderedDict()

    def get(self, job):
        found = self._items.get(job)
        if found is None:
            self.misses += 1
            return None
        self._items.move_to_end(job)
        self.hits += 1
        return found

    def put(self, job, result) -> None:
        size = len(result[2])
        if size > self.max_item or job in self._items:
            return
        self._items[job] = result
        self.size += size
        while self.size > self.max_bytes:
            _, old = self._items.popitem(last=False)
            self.size -= len(old[2])


async def _disconnect(receive) -> None:
    """Return once the ASGI connection reports ``http.disconnect``.

    Called after the request body has been read (or for a request without
    one), so the messages skipped here are only the body's empty end.
    """
    try:
        while (await receive())["type"] != "http.disconnect":
            pass
    except Exception:  # noqa: BLE001 - a channel that cannot be watched never reports the client gone
        await asyncio.Event().wait()


def client_of(request) -> str:
    """Who is asking, for sharing the workers fairly: the peer's address."""
    return request.client.host if request.client else "unknown"
