"""A real server stops the query of a client that went away, long before the query's deadline."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from urllib.parse import urlencode, urlsplit

import pytest

from support import start_server, stop_server

pytestmark = pytest.mark.server

#: A cross join of the whole graph with itself, twice: it runs far past any deadline.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DEADLINE = 60.0


@pytest.fixture(scope="module")
def server():
    proc, base = start_server("--timeout", f"{DEADLINE:g}", "--workers", "2")
    yield base
    stop_server(proc)


def _health(base: str) -> dict:
    with urllib.request.urlopen(base + "/health", timeout=10) as r:
        return json.loads(r.read())


def _ask_then_leave(base: str, path: str, busy_before: int) -> None:
    """Send a GET for ``path``, wait until a worker runs it, then close the connection unanswered."""
    where = urlsplit(base)
    sock = socket.create_connection((where.hostname, where.port), timeout=10)
    try:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {where.netloc}\r\nConnection: close\r\n\r\n".encode())
        give_up = time.monotonic() + 20
        while _health(base)["idle"] >= busy_before and time.monotonic() < give_up:
            time.sleep(0.1)
        time.sleep(0.5)  # the query is running, well into its slices
        assert _health(base)["idle"] < busy_before, "the query never reached a worker"
    finally:
        sock.close()


@pytest.mark.parametrize("path", ["/query?" + urlencode({"query": HEAVY, "fragment": "1"}),
                                  "/sparql?" + urlencode({"query": HEAVY})],
                         ids=["editor-fragment", "sparql-endpoint"])
def test_a_client_that_disconnects_frees_its_worker_before_the_deadline(server, path):
    before = _health(server)
    assert before["idle"] == before["size"]
    started = time.monotonic()
    _ask_then_leave(server, path, before["idle"])
    give_up = started + DEADLINE / 2
    after = _health(server)
    while not (after["cancelled"] > before["cancelled"] and after["idle"] == after["size"]):
        assert time.monotonic() < give_up, f"the worker was not freed: {after}"
        time.sleep(0.1)
        after = _health(server)
    assert after["cancelled"] == before["cancelled"] + 1
    assert after["replaced"] > before["replaced"], "the running query's worker was not stopped"
    # The pool still answers.
    with urllib.request.urlopen(server + "/sparql?" + urlencode({"query": "ASK {}"}), timeout=30) as r:
        assert json.loads(r.read())["boolean"] is True


def _open_request(base: str, path: str) -> socket.socket:
    where = urlsplit(base)
    sock = socket.create_connection((where.hostname, where.port), timeout=10)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {where.netloc}\r\nConnection: close\r\n\r\n".encode())
    return sock


def _until(base: str, what, message: str) -> dict:
    give_up = time.monotonic() + DEADLINE / 2
    state = _health(base)
    while not what(state):
        assert time.monotonic() < give_up, f"{message}: {state}"
        time.sleep(0.1)
        state = _health(base)
    return state


def test_a_waiting_query_whose_client_disconnects_leaves_the_queue_and_takes_no_slot(server):
    before = _health(server)
    assert before["running"] == before["waiting"] == 0
    paths = ["/sparql?" + urlencode({"query": HEAVY.replace("?i }", f"?i FILTER(?i != {n}) }}")})
             for n in range(before["size"] + 1)]  # distinct texts: one more than there are workers
    socks = [_open_request(server, p) for p in paths]
    try:
        _until(server, lambda s: s["running"] == s["size"] and s["waiting"] >= 1,
               "the workers never filled with one query left waiting")
    finally:
        for sock in socks:
            sock.close()
    after = _until(server, lambda s: s["cancelled"] == before["cancelled"] + len(paths),
                   "the queries were not all dropped")
    after = _until(server, lambda s: s["idle"] == s["size"], "the workers were not freed")
    assert after["running"] == after["waiting"] == 0  # the dropped waiter was never handed a slot
