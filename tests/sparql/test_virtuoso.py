"""The same answers from Virtuoso (Debian's virtuoso-opensource) as from the embedded store.

Starts ``virtuoso-t`` on loopback with a temporary database, pushes the
graph to its digest-protected Graph Store endpoint with ``policykg push
--user dba --graph IRI`` (Virtuoso keeps no default graph of its own), and
runs every canned query with its example parameters, then a sweep of
parameter values (every instance of the example's class, in en, ja and zh;
names for label-search), against the embedded answers. Where only a
numeric datatype differs (Virtuoso 7.2 returns integers above 2^31 as
xsd:decimal) answers are compared by value; docs/sparql.md lists what
differs and why. ``make system-deps`` installs Virtuoso; CI must have it.
"""

from __future__ import annotations

import decimal
import os
import shutil
import subprocess
import time
import urllib.request

import pyoxigraph as ox
import pytest

from policykg.cli import cli
from policykg.namespaces import PKD, PREFIXES, RDF_TYPE
from policykg.sparql.canned import canned_queries
from policykg.sparql.evaluation import evaluate
from policykg.sparql.query import QueryResult, make_job
from policykg.sparql.remote import query_endpoint

from support import free_port

pytestmark = pytest.mark.server
GRAPH = "https://w3id.org/policykg/graph/virtuoso-test"
XSD = PREFIXES["xsd"]
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long")}

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    binary = shutil.which("virtuoso-t")
    if binary is None:
        message = "virtuoso-t not found: 'make system-deps' installs Debian's virtuoso-opensource"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("virtuoso")
    http = free_port()
    (folder / "virtuoso.ini").write_text(INI.format(d=folder, sql=free_port(), http=http), encoding="utf-8")
    proc = subprocess.Popen([binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                log = (folder / "virtuoso.log").read_text(errors="replace")[-2000:] \
                    if (folder / "virtuoso.log").exists() else ""
                pytest.fail(f"virtuoso did not start:\n{log}")
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def pushed(virtuoso):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["push", "--endpoint", virtuoso + "/sparql-graph-crud-auth", "--user", "dba",
                                      "--graph", GRAPH], env={"POLICYKG_PASSWORD": "dba", "HOME": "/nonexistent"})
    assert result.exit_code == 0, result.output
    return virtuoso + "/sparql"


def test_push_without_a_graph_explains_virtuosos_refusal(virtuoso):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["push", "--endpoint", virtuoso + "/sparql-graph-crud-auth", "--user", "dba"],
                                env={"POLICYKG_PASSWORD": "dba", "HOME": "/nonexistent"})
    assert result.exit_code == 1
    assert "not configured to have default graph" in result.output and "--graph" in result.output


def test_push_with_a_wrong_password_is_a_401_with_advice(virtuoso):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["push", "--endpoint", virtuoso + "/sparql-graph-crud-auth", "--user", "dba",
                                      "--graph", GRAPH + "-x"], env={"POLICYKG_PASSWORD": "wrong", "HOME": "/nonexistent"})
    assert result.exit_code == 1 and "401" in result.output


def _term(t, by_value: bool):
    if t is None:
        return ""
    if by_value and isinstance(t, ox.Literal) and t.datatype and t.datatype.value in NUMERIC:
        return ("number", decimal.Decimal(t.value))
    return str(t)


def _answers(result: QueryResult, by_value: bool):
    if result.form == "ASK":
        return result.boolean
    if result.form == "GRAPH":
        return sorted(map(str, result.triples))
    return result.variables, sorted(tuple(_term(t, by_value) for t in row) for row in result.rows)


def _embedded(kg, name: str, params: dict) -> QueryResult:
    reply = evaluate(kg.store, make_job(name=name, params=params))
    assert reply[0] == "ok", reply
    return QueryResult(*reply[1:])


def _compare(kg, endpoint, name, params) -> str:
    """'same', 'by value' (only numeric datatypes differ) or 'different'."""
    embedded = _embedded(kg, name, params)
    remote = query_endpoint(endpoint, make_job(name=name, params=params), default_graph=GRAPH)
    if _answers(remote, False) == _answers(embedded, False):
        return "same"
    return "by value" if _answers(remote, True) == _answers(embedded, True) else "different"


@pytest.mark.parametrize("query", canned_queries(), ids=lambda q: q.name)
def test_canned_query_gives_the_embedded_answers_on_virtuoso(kg, pushed, query, record_property):
    params = {p.name: (p.example or "") for p in query.params}
    verdict = _compare(kg, pushed, query.name, params)
    record_property("virtuoso", verdict)
    assert verdict in ("same", "by value")


def _sweep(kg):
    """(query name, params) for every instance of each IRI parameter's example class, in three languages."""
    asserted_types: dict[str, set[str]] = {}
    for t in kg.triples():
        if t.predicate.value == RDF_TYPE:
            asserted_types.setdefault(t.subject.value, set()).add(t.object.value)
    names = sorted({text for iri in sorted(kg.labels.labels) if iri.startswith(PKD)
                    for text in kg.labels.names(iri)[:1]})
    for query in canned_queries():
        declared = {p.name: p for p in query.params}
        base = {p.name: (p.example or "") for p in query.params}
        iri_params = [p for p in query.params if (p.example or "").startswith("pkd:")]
        if "text" in declared:
            for text in names[::7]:
                yield query.name, {**base, "text": text[:4]}
            continue
        for p in iri_params:
            kinds = asserted_types.get(PKD + p.example[4:], set())
            for iri in sorted(s for s, ts in asserted_types.items() if ts & kinds and s.startswith(PKD)):
                for lang in ("en", "ja", "zh") if "lang" in declared else (None,):
                    yield query.name, {**base, p.name: "pkd:" + iri[len(PKD):],
                                       **({"lang": lang} if lang else {})}


@pytest.mark.slow
def test_a_sweep_of_parameter_values_gives_the_embedded_answers_on_virtuoso(kg, pushed, record_property, capsys):
    tally: dict[str, dict[str, int]] = {}
    failures = []
    for name, params in _sweep(kg):
        verdict = _compare(kg, pushed, name, params)
        tally.setdefault(name, {}).setdefault(verdict, 0)
        tally[name][verdict] += 1
        if verdict == "different":
            failures.append((name, params))
    total = sum(sum(v.values()) for v in tally.values())
    agree = sum(v.get("same", 0) + v.get("by value", 0) for v in tally.values())
    lines = [f"{name}: " + ", ".join(f"{k} {n}" for k, n in sorted(v.items())) for name, v in sorted(tally.items())]
    summary = f"Virtuoso sweep: {agree}/{total} agree\n" + "\n".join(lines)
    record_property("virtuoso_sweep", summary)
    with capsys.disabled():
        print("\n" + summary)
    assert not failures, failures[:5]


def test_query_logs_in_to_virtuosos_protected_endpoint(kg, pushed, virtuoso):
    from click.testing import CliRunner

    args = ["query", "members-by-role", "-p", "program", "pkd:bj-gai-partnership-program-2023", "--format", "csv"]
    local = CliRunner().invoke(cli, args)
    remote = CliRunner().invoke(cli, args + ["--endpoint", virtuoso + "/sparql-auth", "--graph", GRAPH,
                                             "--user", "dba"], env={"POLICYKG_PASSWORD": "dba", "HOME": "/nonexistent"})
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout
