"""The HTTP layer of `policykg serve` (httptools): header limits and the per-text screening of queries."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlencode

import pytest

from support import get, start_server, stop_server

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server():
    proc, base = start_server("--timeout", "5", "--workers", "1", "--header-timeout", "1")
    yield int(base.rsplit(":", 1)[1]), base
    stop_server(proc)


def _closed(s: socket.socket) -> bool:
    s.settimeout(3)
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return True
    except TimeoutError:
        return False
    except OSError:
        return True


def test_request_headers_over_the_limit_are_refused_and_the_connection_closed(server):
    port, base = server
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        # 66 x 1 kB header lines, never ended: over the 64 kB limit, well before the header deadline.
        s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (b"X-Padding: " + b"a" * 1013 + b"\r\n") * 66)
        head = s.recv(200)
        assert head.startswith(b"HTTP/1.1 400"), head
        assert _closed(s)
    assert get(base + "/health")[0] == 200


def test_a_large_body_sent_in_one_write_with_its_headers_is_not_taken_for_large_headers(server):
    port, _ = server
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 90_000  # under the 100,000-character limit
    body = urlencode({"query": query}).encode()
    request = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/sparql-results+json\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + str(len(body)).encode()
               + b"\r\n\r\n" + body)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)  # headers and 90 kB of body, over the header cap: the server reads them together
        head = s.recv(200)
    assert head.startswith(b"HTTP/1.1 200"), head


def test_a_half_sent_request_on_a_kept_alive_connection_is_closed_at_the_header_deadline(server):
    port, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = s.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first
        s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.")
        time.sleep(1.5)
        assert _closed(s)


def test_a_query_refused_for_its_nesting_is_refused_every_time_and_a_repeated_query_answers_alike(server):
    _, base = server
    nested = "SELECT * WHERE " + "{" * 40 + "?s ?p ?o" + "}" * 40
    for _ in range(3):
        status, body = get(base + "/sparql?" + urlencode({"query": nested}))
        assert status == 400 and b"nested too deeply" in body, body
    ask = base + "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"})
    answers = {get(ask) for _ in range(3)}
    assert len(answers) == 1 and next(iter(answers))[0] == 200
