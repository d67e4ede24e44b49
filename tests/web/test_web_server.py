"""A real ``policykg serve`` process on a loopback port: answers, deadlines, refusals, survival."""

from __future__ import annotations

import json
import select
import socket
import subprocess
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from policykg.sparql.canned import canned_queries

from support import import_bench, POLICYKG, get, start_server, stop_server

pytestmark = pytest.mark.server

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@pytest.fixture(scope="module")
def server():
    proc, base = start_server("--timeout", "1", "--workers", "2")
    yield base
    stop_server(proc)
    assert proc.returncode is not None


def _binding_set(bindings: list[dict]) -> set:
    def term(t: dict) -> tuple:
        datatype = t.get("datatype")
        if t["type"] == "literal" and datatype in (None, XSD_STRING) and "xml:lang" not in t:
            datatype = None
        return (t["type"].replace("typed-literal", "literal"), t["value"], t.get("xml:lang"), datatype)
    return {tuple(sorted((v, term(t)) for v, t in b.items())) for b in bindings}


def _example_params(q) -> dict[str, str] | None:
    params = {}
    for p in q.params:
        if p.example:
            params[p.name] = p.example
        elif p.name != "lang":
            return None
    return params


CANNED = [q for q in canned_queries() if _example_params(q) is not None]


def test_every_canned_query_is_covered():
    assert len(CANNED) == len(canned_queries())


@pytest.mark.parametrize("q", CANNED, ids=[q.name for q in CANNED])
def test_sparqlwrapper_answers_like_the_cli(server, q):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    params = _example_params(q)
    cli_args = [POLICYKG, "query", q.name, "--format", "json", "--lang", "en"]
    for k, v in params.items():
        cli_args += ["-p", k, v]
    cli = subprocess.run(cli_args, capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)

    text = q.bind(params, lang="en")
    for method in ("GET", POST):
        sparql = SPARQLWrapper(server + "/sparql")
        sparql.setQuery(text)
        sparql.setReturnFormat(JSON)
        sparql.setMethod(method)
        got = sparql.query().convert()
        if "boolean" in expected:
            assert got["boolean"] == expected["boolean"]
            continue
        assert got["head"]["vars"] == expected["head"]["vars"]
        assert _binding_set(got["results"]["bindings"]) == _binding_set(expected["results"]["bindings"])
        assert len(got["results"]["bindings"]) == len(expected["results"]["bindings"])


# serial: the next ASK's 1 s bound is for the server's recovery, not for a second test run beside it.
@pytest.mark.serial
def test_a_slow_query_gets_503_and_the_server_answers_the_next(server):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    start = time.monotonic()
    status, body = get(server + "/sparql?" + urlencode({"query": slow}), timeout=30)
    took = time.monotonic() - start
    assert status == 503, body
    assert took < 5, f"the timeout answer took {took:.1f} s"
    start = time.monotonic()
    status, body = get(server + "/sparql?" + urlencode({"query": "ASK { ?s a pk:PolicyDocument }"}), timeout=5)
    assert status == 200 and json.loads(body)["boolean"] is True
    assert time.monotonic() - start < 1.0


def test_service_to_a_loopback_listener_is_refused_without_connecting(server):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        for query in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
                      f"SELECT * FROM <http://127.0.0.1:{port}/g.ttl> WHERE {{ ?s ?p ?o }}"):
            status, body = get(server + "/sparql?" + urlencode({"query": query}))
            assert status == 400, body
        status, _ = get(server + "/sparql?" + urlencode({"query": "ASK {}",
                                                          "default-graph-uri": f"http://127.0.0.1:{port}/g"}))
        assert status == 400
        ready, _, _ = select.select([listener], [], [], 1.0)
        assert ready == [], "the server connected to the SERVICE address"


def test_deeply_nested_query_is_400_and_the_server_lives(server):
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    req = urllib.request.Request(server + "/sparql", data=query.encode(),
                                 headers={"Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    assert status == 400
    status, body = get(server + "/sparql?" + urlencode({"query": "ASK {}"}), timeout=5)
    assert status == 200


def test_pages_are_served(server):
    status, body = get(server + "/")
    assert status == 200 and body.startswith(b"<!DOCTYPE html>")
    status, body = get(server + "/id/baidu-netcom")
    assert status == 200 and "百度".encode() in body


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_serve_stops_cleanly_and_leaves_no_workers():
    proc, base = start_server("--workers", "2")
    # Recorded while the server runs: once it is gone its children are re-parented and can no longer be found.
    tree = [pid for pid in import_bench("proc_tree").descendants(proc.pid) if pid != proc.pid]
    assert len(tree) >= 3, "expected the forkserver and two query workers under the server"
    stop_server(proc)
    assert proc.returncode is not None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in tree):
        time.sleep(0.1)
    assert [pid for pid in tree if _alive(pid)] == []
