"""A job on the server's worker pool between slices: judged first at a slice's end, yielding only until judged."""

from __future__ import annotations

import pytest

from policykg.errors import QueryTimeout
from policykg.sparql.evaluation import Job
from policykg.sparql.workers import StoreSource, WorkerPool, Yielded

#: A cross join of the graph with itself, twice: it runs past any deadline here.
RUNAWAY = Job(text="SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
SLICE = 0.3


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(StoreSource(), 1, spares=1)
    yield pool
    pool.close()


def test_a_job_judged_long_at_its_slice_never_yields_after(pool):
    asked = []

    def yield_now(held: float) -> bool:
        asked.append(held)
        return held >= SLICE  # a waiter that would take the worker from the slice's end on

    with pytest.raises(QueryTimeout):
        pool.run_sliced(RUNAWAY, 1.0, SLICE, lambda cpu: "long", yield_now=yield_now)
    assert asked and max(asked) < SLICE


def test_a_job_not_yet_judged_yields_its_worker_which_is_replaced(pool):
    replaced = pool.replaced
    with pytest.raises(Yielded):
        pool.run_sliced(RUNAWAY, 10.0, SLICE, lambda cpu: "wait", yield_now=lambda held: True)
    assert pool.replaced == replaced + 1
    assert b"true" in pool.run(Job(text="ASK { ?s ?p ?o }"), timeout=30)[2]
