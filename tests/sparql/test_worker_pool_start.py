"""Starting the server's worker pool while the caller does its own start-up (``WorkerPool(wait=False)``)."""

from __future__ import annotations

import os

from policykg.sparql.evaluation import Job
from policykg.sparql.workers import StoreSource, WorkerPool


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purpose
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_pool_started_without_waiting_serves_once_ready_like_a_waiting_one():
    pool = WorkerPool(StoreSource(), 1, spares=0, wait=False)
    try:
        assert pool.health()["workers"] == 0  # loading: nothing may serve yet
        pool.wait_ready()
        assert pool.health()["workers"] == 1
        form, fmt, data = pool.run(Job(text="ASK { ?s ?p ?o }"), timeout=30)
    finally:
        pool.close()
    waiting = WorkerPool(StoreSource(), 1, spares=0)
    try:
        assert waiting.run(Job(text="ASK { ?s ?p ?o }"), timeout=30) == (form, fmt, data)
    finally:
        waiting.close()
    assert b"true" in data


def test_closing_a_pool_before_its_workers_are_ready_stops_them():
    pool = WorkerPool(StoreSource(), 2, spares=0, wait=False)
    pids = [w.pid for w in pool._launched]
    pool.close()
    assert pids and not any(_alive(pid) for pid in pids)
