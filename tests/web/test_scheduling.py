"""Who gets a query worker when all are busy: the scheduler's policy, on a pool that only pretends to work.

The pool here keeps ``WorkerPool.run_sliced``'s contract (``at_slice`` every
slice, ``yield_now`` between slices until the job is judged, ``stop``) but
its jobs only sleep, and a job's CPU share is given, so a query can be
starved on purpose. The assertions are on the order of events, not on how
long they took, so a busy machine changes none of them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time

from policykg.sparql.workers import Cancelled, Preempted, Yielded
from policykg.web.scheduling import SLICE, Scheduler

#: How often the pretend pool asks ``yield_now``, as the real one does between slices.
POLL = 0.05


class PretendPool:
    """Jobs are ``(name, seconds, cpu_share)``; each run, yield and finish is logged in order."""

    def __init__(self):
        self.log: list[tuple] = []
        self._lock = threading.Lock()

    def _note(self, *event) -> None:
        with self._lock:
            self.log.append(event)

    def run_sliced(self, job, timeout, slice_, at_slice, stop=None, yield_now=None):
        name, seconds, share = job
        began = time.monotonic()
        next_slice, deciding = began + slice_, True
        self._note("run", name)
        while (held := time.monotonic() - began) < seconds:
            if stop is not None and stop.is_set():
                raise Cancelled()
            if held >= timeout:
                raise Preempted()
            time.sleep(POLL)
            held = time.monotonic() - began
            if deciding and time.monotonic() >= next_slice:
                verdict = at_slice(held * share)
                if verdict == "preempt":
                    self._note("preempt", name)
                    raise Preempted()
                deciding = verdict == "wait"
                next_slice = time.monotonic() + slice_
            if deciding and yield_now is not None and yield_now(held):
                self._note("yield", name, held)
                raise Yielded()
        self._note("done", name)
        return ("select", "json", name.encode())

    def run(self, job, timeout, stop=None):
        return self.run_sliced(job, timeout, slice_=1e9, at_slice=lambda cpu: "long", stop=stop)

    def events(self, kind: str) -> list[tuple]:
        return [e for e in self.log if e[0] == kind]

    def index(self, kind: str, name: str) -> int:
        return next(i for i, e in enumerate(self.log) if e[0] == kind and e[1] == name)


def _scenario(running: list[tuple[str, tuple]], newcomer: tuple[str, tuple] | None = None, *,
              usage: dict[str, float], slots: int = 2) -> tuple[PretendPool, dict]:
    """Start ``running`` (client, job) queries, then ``newcomer`` once the workers are all busy; every answer."""
    pool = PretendPool()
    scheduler = Scheduler(pool, slots)
    for client, used in usage.items():
        scheduler.charge(client, used)

    async def main():
        tasks = {job[0]: asyncio.ensure_future(scheduler.run(job, 30.0, client)) for client, job in running}
        while len(pool.events("run")) < min(slots, len(running)):
            await asyncio.sleep(0.01)
        if newcomer is not None:
            client, job = newcomer
            tasks[job[0]] = asyncio.ensure_future(scheduler.run(job, 30.0, client))
        return {name: (await task)[2].decode() for name, task in tasks.items()}

    # Its own thread, so its own event loop: a browser test's loop may still run in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return pool, thread.submit(asyncio.run, main()).result()


def test_a_heavy_clients_query_yields_its_worker_to_a_newcomer_before_its_slice_ends():
    starved = 0.0  # never judged: a starved query gets slice after slice
    pool, answers = _scenario([("heavy-1", ("h1", 1.0, starved)), ("heavy-2", ("h2", 1.0, starved))],
                              ("new", ("n", 0.01, 1.0)), usage={"heavy-1": 5.0, "heavy-2": 5.0})
    assert answers == {"h1": "h1", "h2": "h2", "n": "n"}
    [(_, yielded, held)] = pool.events("yield")  # one worker is enough for one newcomer
    assert held < SLICE
    assert pool.index("done", "n") < pool.index("done", yielded)
    # The query that yielded ran again, from the start, once the newcomer was done.
    assert [e for e in pool.log if e[0] == "run" and e[1] == yielded] == [("run", yielded)] * 2


def test_a_starved_query_of_a_client_as_light_as_the_newcomer_yields_after_one_slice():
    starved = 0.0
    pool, answers = _scenario([("a", ("a", 1.5, starved)), ("b", ("b", 1.5, starved))],
                              ("c", ("c", 0.01, 1.0)), usage={})
    assert answers == {"a": "a", "b": "b", "c": "c"}
    [(_, yielded, held)] = pool.events("yield")
    # Not before its slice (equals do not stop each other's work), but not a second slice either.
    assert held >= SLICE
    assert pool.index("done", "c") < min(pool.index("done", "a"), pool.index("done", "b"))


def test_a_newcomer_heavier_than_the_running_clients_waits_for_a_free_worker():
    pool, answers = _scenario([("a", ("a", 1.2, 0.0)), ("b", ("b", 1.2, 0.0))],
                              ("heavy", ("h", 0.01, 1.0)), usage={"heavy": 5.0})
    assert answers == {"a": "a", "b": "b", "h": "h"}
    assert pool.events("yield") == []
    assert pool.index("run", "h") > min(pool.index("done", "a"), pool.index("done", "b"))


def test_one_clients_queries_never_stop_each_other_by_yielding():
    # A page that asks three second-long queries at once, from one address, on a machine so busy that
    # none is ever judged: yielding to each other, they would start over and over until their deadline.
    starved = 0.0
    pool, answers = _scenario([("page", ("q1", 1.2, starved)), ("page", ("q2", 1.2, starved)),
                               ("page", ("q3", 1.2, starved))], usage={})
    assert answers == {"q1": "q1", "q2": "q2", "q3": "q3"}
    assert pool.events("yield") == []


def test_queries_judged_long_at_their_slice_never_yield_to_clients_as_light():
    # Three clients, each with a second-long query: one runs long, one waits for the long slot, one runs short.
    pool, answers = _scenario([("a", ("a", 1.2, 1.0)), ("b", ("b", 1.2, 1.0)), ("c", ("c", 1.2, 1.0))],
                              usage={})
    assert answers == {"a": "a", "b": "b", "c": "c"}
    assert pool.events("yield") == []
