"""Ad-hoc queries: nothing reaches out, nothing writes, nothing runs away."""

from __future__ import annotations

import faulthandler
import os
import signal
import time

import pytest

from policykg.cli import cli
from policykg.errors import EvaluationFailed, QuerySyntaxError, QueryTimeout, UnsafeQueryError
from policykg.sparql import workers
from policykg.sparql.canned import canned_queries
from policykg.sparql.evaluation import Job
from policykg.sparql.safety import MAX_NESTING, check_query

from support import Listener


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


SERVICE_QUERIES = [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x a pk:PolicyDocument OPTIONAL { SERVICE <{url}> { ?x ?p ?o } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?s a pk:Goal FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s a pk:Goal MINUS { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { sErViCe <{url}> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_is_refused_before_any_connection(runner, listener, template):
    query = template.replace("{url}", f"http://127.0.0.1:{listener.port}/sparql")
    result = runner.invoke(cli, ["query", "-e", query])
    time.sleep(0.3)
    assert result.exit_code == 1
    assert "SERVICE" in result.output and "is refused" in result.output
    assert listener.connections == 0


@pytest.mark.parametrize("query, message", [
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM <file:///etc/passwd> is refused"),
    ("SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM NAMED"),
    ("LOAD <file:///etc/passwd>", "updates are refused"),
    ("LOAD <http://127.0.0.1:9/x.ttl>", "updates are refused"),
    ("DROP ALL", "updates are refused"),
    ("CLEAR DEFAULT", "updates are refused"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates are refused"),
    ("INSERT { ?s ?p ?o } USING <file:///etc/passwd> WHERE { ?s ?p ?o }", "updates are refused"),
])
def test_loads_remote_datasets_and_updates_are_refused(runner, query, message):
    result = runner.invoke(cli, ["query", "-e", query])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_the_shipped_graph_is_unchanged_by_a_refused_update(runner, kg):
    before = runner.invoke(cli, ["export", "--format", "nt"]).stdout
    runner.invoke(cli, ["query", "-e", "DELETE WHERE { ?s ?p ?o }"])
    assert runner.invoke(cli, ["export", "--format", "nt"]).stdout == before


def test_syntax_error_shows_line_and_column(runner):
    result = runner.invoke(cli, ["query", "-e", "SELECT ?s WHERE {\n  ?s ?p }"])
    assert result.exit_code == 1
    assert "query syntax error at line 2, column" in result.output
    assert "^" in result.output


def test_runaway_query_is_stopped_at_the_timeout(runner):
    start = time.monotonic()
    result = runner.invoke(cli, ["query", "--timeout", "1", "-e",
                                 "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"])
    elapsed = time.monotonic() - start
    assert result.exit_code == 1
    assert "timed out after 1 s" in result.output
    assert elapsed < 10


@pytest.mark.parametrize("query, message", [
    ("SELECT * WHERE " + "{" * 5000 + "}" * 5000, "nested too deeply"),
    ("SELECT * WHERE { FILTER(" + "(" * 10000 + "1" + ")" * 10000 + ") }", "nested too deeply"),
    ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000, "query too large"),
])
def test_oversized_and_over_deep_queries_get_a_clear_error(runner, query, message):
    result = runner.invoke(cli, ["query", "-e", query])
    assert result.exit_code == 1
    assert message in result.output


def test_nesting_within_the_limit_is_fine():
    check_query("SELECT * WHERE " + "{" * (MAX_NESTING - 2) + " ?s ?p ?o " + "}" * (MAX_NESTING - 2))


def test_a_crash_in_the_evaluator_does_not_take_the_caller_down(kg, monkeypatch):
    with monkeypatch.context() as m:
        # faulthandler (which pytest enables) would print the child's stack: the crash is the point here.
        m.setattr(workers, "evaluate",
                  lambda store, job, verdicts: (faulthandler.disable(), os.kill(os.getpid(), signal.SIGSEGV)))
        with pytest.raises(EvaluationFailed, match="SIGSEGV"):
            workers.run_isolated(kg.store, Job(text="ASK {}"), timeout=5)
    assert workers.run_isolated(kg.store, Job(text="ASK {}"), timeout=5) == ("ASK", "json", b'{"head":{},"boolean":true}')


def test_the_memory_cap_stops_an_evaluator_that_allocates_too_much(kg, monkeypatch):
    monkeypatch.setattr(workers, "evaluate", lambda store, job, verdicts: bytes(bytearray(3 * 1024 ** 3)))
    with pytest.raises(EvaluationFailed, match="memory"):
        workers.run_isolated(kg.store, Job(text="ASK {}"), timeout=20, memory_mb=200)


def test_isolated_timeout_kills_the_child(kg, monkeypatch):
    def spin(store, job, verdicts):
        while True:
            pass

    monkeypatch.setattr(workers, "evaluate", spin)
    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        workers.run_isolated(kg.store, Job(text="ASK {}"), timeout=0.5)
    assert time.monotonic() - start < 1.5


def test_parameter_values_cannot_change_the_query(runner):
    hostile = 'x")) } } SELECT * WHERE { ?s ?p ?o } #'
    result = runner.invoke(cli, ["query", "label-search", "-p", "text", hostile, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.count(b"\r\n") == 1  # the header only: nothing matched


@pytest.mark.parametrize("query", canned_queries(), ids=lambda q: q.name)
def test_every_shipped_query_passes_the_safety_walk(query):
    from policykg.namespaces import sparql_prefixes
    check_query(query.text, preamble=sparql_prefixes())


def test_standard_prefixes_are_predeclared_for_ad_hoc_queries(runner):
    result = runner.invoke(cli, ["query", "--format", "csv", "-e",
                                 "SELECT ?p WHERE { ?p a pk:PartnerProgram ; pk:jurisdiction pkd:beijing } ORDER BY ?p"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b"p\r\nhttps://w3id.org/policykg/id/bj-gai-partnership-program-2023\r\n"


def test_query_syntax_error_class_is_public():
    with pytest.raises(QuerySyntaxError):
        check_query("SELECT WHERE")
    with pytest.raises(UnsafeQueryError):
        check_query("DROP ALL")
