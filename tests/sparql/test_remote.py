"""The same answers from a real SPARQL server as from the embedded store.

Starts the Oxigraph server (PyPI package ``oxigraph``) on a free loopback
port, pushes the graph with the Graph Store Protocol, then runs every canned
query both ways.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from policykg.cli import cli
from policykg.sparql.query import make_job, run_query
from policykg.sparql.canned import canned_queries
from policykg.sparql.remote import EndpointError, query_endpoint


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = _free_port()
    proc = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("oxigraph server did not start")
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def pushed(server):
    from click.testing import CliRunner
    result = CliRunner().invoke(cli, ["push", "--endpoint", server + "/store"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("pushed ") and "default graph" in result.stdout
    return server


def _rows(result):
    if result.form == "ASK":
        return result.boolean
    if result.form == "GRAPH":
        return sorted(map(str, result.triples))
    return result.variables, sorted(tuple(str(t) if t is not None else "" for t in row) for row in result.rows)


def _example_params(query):
    return {p.name: (p.example or "") for p in query.params}


@pytest.mark.parametrize("query", canned_queries(), ids=lambda q: q.name)
def test_canned_query_gives_the_same_answers_remote_and_embedded(kg, pushed, query):
    params = _example_params(query)
    embedded = run_query(kg, name=query.name, params=params)
    remote = query_endpoint(pushed + "/query", make_job(name=query.name, params=params))
    assert _rows(remote) == _rows(embedded)
    if embedded.form == "SELECT":
        assert embedded.rows, "an example that returns nothing tests nothing"


def test_cli_query_on_an_endpoint_prints_the_same_table(runner, pushed):
    args = ["query", "cq-people-quoted"]
    local = runner.invoke(cli, args)
    remote = runner.invoke(cli, args + ["--endpoint", pushed + "/query"])
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout


def test_push_to_a_named_graph_and_query_it(runner, server):
    graph = "https://w3id.org/policykg/graph/test"
    assert runner.invoke(cli, ["push", "--endpoint", server + "/store", "--graph", graph]).exit_code == 0
    result = runner.invoke(cli, ["query", "--endpoint", server + "/query", "--graph", graph, "--format", "csv",
                                 "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?m a pk:PartnerMembership }"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["n", "10"]


def test_unreachable_endpoint_is_a_clear_error(runner):
    result = runner.invoke(cli, ["query", "cq-people-quoted", "--endpoint", f"http://127.0.0.1:{_free_port()}/query",
                                 "--timeout", "2"])
    assert result.exit_code == 1
    assert "Connection refused" in result.output and "Traceback" not in result.output


def test_endpoint_must_be_http():
    with pytest.raises(EndpointError, match="only http and https"):
        query_endpoint("file:///etc/passwd", make_job(sparql="ASK {}"))
