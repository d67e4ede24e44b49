"""The attack corpus: one table of hostile inputs, each run against the CLI and a real server.

Every row of :data:`QUERY_ROWS` goes to ``policykg query -e TEXT`` (click's
CliRunner, in this process, so a 10 MB query needs no argv) and to
``/sparql`` on one ``policykg serve --timeout 2`` process on a free loopback
port, each with its expected outcome (CLI: exit code and a substring of the
output; server: HTTP status and a substring of the body). After *every* row:

* no outbound connection: the attack IRIs point at a loopback listener (and
  one row at a tarpit that accepts and never answers); both must have seen
  no connection at all;
* no file outside the project read: the rows name ``file://`` a canary file
  in a temp dir; its secret must not appear in any output, and its atime
  (set before its mtime, so that even ``relatime`` mounts would update it on
  a read) must be unchanged;
* the graph unchanged: the server's triple count is the same after each row,
  and the sha256 of ``policykg export --format nt`` is the same when the
  module's fixture ends as when it started;
* the server alive: ``ASK {}`` answers 200 within 1 second.

Graph input: policykg reads only Turtle (``.ttl``) and N-Triples (``.nt``),
with Oxigraph's strict parsers (``policykg.rdf.loading.rdf_format``); no code path
parses RDF/XML or JSON-LD from a user (``grep -rn`` over ``src/policykg`` for
rdflib ``parse``, ``RdfFormat.RDF_XML`` and ``JSON_LD`` finds JSON-LD only as
an *output* format, and the only other parse is of N-Triples answers from a
``--endpoint`` the user names). :data:`DATA_DIR_ROWS` prove it from the
outside: ``policykg validate --data-dir`` and ``policykg serve --data-dir``
on a graph folder holding an ``.rdf`` file (with an external entity naming
the canary and a listener URL) and a ``.jsonld`` file (whose ``@context`` is
the listener URL) ignore both files, and refuse a folder that holds nothing
else ("no graph files"), without a connection or a read of the canary.

Peak memory (VmHWM) of the server and its worker processes is sampled all
along; ``POLICYKG_ATTACK_REPORT=FILE`` writes the figures there as JSON.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import secrets
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from policykg import paths
from policykg.cli import cli

from support import POLICYKG, Listener, free_port, get, import_bench, port_is_open, start_server, stop_server

pytestmark = pytest.mark.server

TIMEOUT = 2  # seconds, for both the CLI (--timeout) and the server (--timeout)
GRACE = 3.0  # seconds allowed past the timeout for killing, replying, process start-up

SLOW = pytest.mark.slow


# ------------------------------------------------------------------ the rows

@dataclass(frozen=True)
class Row:
    id: str
    text: str  # {url}: the listener, {tarpit}: the tarpit, {canary}: file:// URL of the canary
    cli: tuple  # (exit code, substring of the output)
    server: tuple  # (HTTP status, substring of the body)
    slow: bool = False
    server_text: str | None = None  # what the server gets, where it must differ from the CLI's text


REFUSED_SERVICE = (1, "is refused"), (400, "is refused")
UPDATE = (1, "updates are refused"), (403, "updates are refused")
TIMED_OUT = (1, f"timed out after {TIMEOUT} s"), (503, f"timed out after {TIMEOUT} s")
TOO_DEEP = (1, "nested too deeply"), (400, "nested too deeply")

_DOUBLE_31 = "?x"  # 31 nested REPLACEs, each doubling: "aa" becomes 2^32 bytes (4 GiB)
for _ in range(31):
    _DOUBLE_31 = f'REPLACE({_DOUBLE_31}, "a", "aa")'
_CHAIN_31 = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(31))
# Three VALUES blocks of 1,000 numbers: 10^9 combinations for the FILTER (it once ran unbounded in the CLI's parent).
_VALUES_3X1000 = "ASK { " + " ".join(
    f"VALUES ?{v} {{ {' '.join(map(str, range(1000)))} }}" for v in "abc") + " FILTER(?a + ?b + ?c < 0) }"
# A path of 20,000 alternatives (it once crashed the CLI itself with SIGSEGV).
_ALTERNATION_20000 = "SELECT * WHERE { ?s " + "|".join(["a"] * 20_000) + " ?o }"
# Rows of 100 kB each: the server's 64 MB result cap is reached in well under a second.
_BIG_ROWS = ('SELECT ?big WHERE { ?s ?p ?o BIND(REPLACE(REPLACE(REPLACE(REPLACE("aaaaaaaaaa", "a", "aaaaaaaaaa"), '
             '"a", "aaaaaaaaaa"), "a", "aaaaaaaaaa"), "a", "aaaaaaaaaa") AS ?big) }')

QUERY_ROWS = [
    # ---- reaching out
    Row("service", "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }", *REFUSED_SERVICE),
    Row("service-silent", "SELECT * WHERE { SERVICE SILENT <{url}/sparql> { ?s ?p ?o } }", *REFUSED_SERVICE),
    Row("service-in-optional",
        "SELECT * WHERE { ?x a pk:PolicyDocument OPTIONAL { SERVICE <{url}/sparql> { ?x ?p ?o } } }",
        *REFUSED_SERVICE),
    Row("service-in-subquery", "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } } } }",
        *REFUSED_SERVICE),
    Row("service-in-filter-exists",
        "SELECT * WHERE { ?s a pk:Goal FILTER EXISTS { SERVICE <{url}/sparql> { ?s ?p ?o } } }", *REFUSED_SERVICE),
    Row("service-in-minus", "SELECT * WHERE { ?s a pk:Goal MINUS { SERVICE <{url}/sparql> { ?s ?p ?o } } }",
        *REFUSED_SERVICE),
    Row("service-unicode-escape", "SELECT * WHERE { \\u0053ERVICE <{url}/sparql> { ?s ?p ?o } }", *REFUSED_SERVICE),
    Row("service-to-tarpit", "SELECT * WHERE { SERVICE <{tarpit}/sparql> { ?s ?p ?o } }", *REFUSED_SERVICE),
    Row("service-file", "SELECT * WHERE { SERVICE <{canary}> { ?s ?p ?o } }", *REFUSED_SERVICE),
    # ---- reading files, fetching graphs, writing
    Row("load-file", "LOAD <{canary}>", *UPDATE),
    Row("load-http", "LOAD <{url}/data.ttl>", *UPDATE),
    Row("from-file", "SELECT * FROM <{canary}> WHERE { ?s ?p ?o }", (1, "FROM <file:"), (400, "FROM <file:")),
    Row("from-named-http", "SELECT * FROM NAMED <{url}/g.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
        (1, "FROM NAMED <http"), (400, "FROM NAMED <http")),
    Row("insert-using-file", "INSERT { ?s ?p ?o } USING <{canary}> WHERE { ?s ?p ?o }", *UPDATE),
    Row("drop-all", "DROP ALL", *UPDATE),
    Row("clear-default", "CLEAR DEFAULT", *UPDATE),
    Row("insert-data", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", *UPDATE),
    # ---- exhausting time, memory, the parser
    Row("cross-join-3-count", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", *TIMED_OUT,
        slow=True),
    Row("join-4-filter-never",
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l "
        "FILTER(STRLEN(STR(?c)) + STRLEN(STR(?f)) + STRLEN(STR(?i)) + STRLEN(STR(?l)) < 0) }", *TIMED_OUT, slow=True),
    # Oxigraph evaluates the closure fast (about 10^5 pairs on this graph): an answer, not an error.
    Row("path-p-or-not-p-star", "SELECT (COUNT(*) AS ?n) WHERE { ?s (rdfs:label|!rdfs:label)* ?o }",
        (0, "n\n"), (200, '"n"')),
    # Oxigraph's regex engine is linear-time: "^(a+)+$" on 10^4 a's and a "!" is false at once.
    Row("regex-redos",
        'SELECT ?m WHERE { BIND(CONCAT(REPLACE(REPLACE(REPLACE(REPLACE("aaaaaaaaaa", "a", "aaaaaaaaaa"), '
        '"a", "aaaaaaaaaa"), "a", "aaaaaaaaaa"), "a", "aaaaaaaaaa"), "!") AS ?s) BIND(regex(?s, "^(a+)+$") AS ?m) }',
        (0, "false"), (200, "false")),
    # 31 nested doublings (4 GiB): the nesting limit (24 brackets) answers, before the size limit or the engine.
    Row("concat-nested-31", f'SELECT (STRLEN(?s) AS ?n) WHERE {{ BIND("aa" AS ?x) BIND({_DOUBLE_31} AS ?s) }}',
        (1, "nested too deeply: 33 levels"), (400, "nested too deeply: 33 levels")),
    # The same 4 GiB as 31 chained BINDs, no nesting: it reaches the engine, and the deadline stops it.
    Row("concat-chained-31", f'SELECT (STRLEN(?x31) AS ?n) WHERE {{ BIND("aa" AS ?x0) {_CHAIN_31} }}',
        *TIMED_OUT, slow=True),
    Row("ask-values-3x1000-filter", _VALUES_3X1000, *TIMED_OUT, slow=True),
    Row("path-alternation-20000", _ALTERNATION_20000, *TIMED_OUT, slow=True),
    Row("nested-groups-5000", "SELECT * WHERE " + "{" * 5000 + "}" * 5000, *TOO_DEEP),
    Row("nested-parens-10000", "SELECT * WHERE { FILTER(" + "(" * 10000 + "1" + ")" * 10000 + ") }", *TOO_DEEP),
    Row("body-10mb", "SELECT * WHERE { ?s ?p ?o } #" + "x" * 10_000_000,
        (1, "query too large"), (413, "over the limit")),
    # Millions of rows: the CLI's deadline stops it. The server's result cap (64 MB) gets rows that reach it
    # long before the deadline, so the two limits never race.
    Row("millions-of-rows", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }",
        (1, f"timed out after {TIMEOUT} s"), (400, "result is over the limit"), slow=True, server_text=_BIG_ROWS),
]


@dataclass(frozen=True)
class DataDirRow:
    id: str
    files: dict  # name under graph/ -> text ({url}, {canary} filled in), or a Path to copy
    cli: tuple  # policykg validate --data-dir: (exit code, substring)
    serve_starts: bool  # policykg serve --data-dir: starts (and ignores the files) or exits 1
    serve_message: str = ""


VALID_TTL = paths.ontology_dir() / "examples" / "valid" / "partner-program.ttl"
JSONLD = """{"@context": "{url}/context.jsonld",
 "@id": "https://w3id.org/policykg/id/jsonld-intruder", "label": "intruder"}"""
RDFXML = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "{canary}"> <!ENTITY remote SYSTEM "{url}/entity.xml"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://w3id.org/policykg/id/rdfxml-intruder">
    <rdfs:label>&secret;&remote;</rdfs:label>
  </rdf:Description>
</rdf:RDF>
"""

DATA_DIR_ROWS = [
    DataDirRow("rdfxml-and-jsonld-beside-turtle",
               {"example.ttl": VALID_TTL, "intruder.jsonld": JSONLD, "intruder.rdf": RDFXML},
               (0, "valid: "), True),
    DataDirRow("only-rdfxml-and-jsonld", {"intruder.jsonld": JSONLD, "intruder.rdf": RDFXML},
               (1, "no graph files"), False, "no graph files"),
]


# ------------------------------------------------------------------ the environment

def _descendants(root: int) -> list[int]:
    return import_bench("proc_tree").descendants(root)


def _hwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class RssSampler:
    """Peak VmHWM of a process and of all its descendants (workers die, so sample often)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.parent_kb = 0
        self.children_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            self.parent_kb = max(self.parent_kb, _hwm_kb(self.pid))
            for child in _descendants(self.pid):
                self.children_kb = max(self.children_kb, _hwm_kb(child))
            self._stop.wait(0.05)

    def stop(self):
        self._stop.set()
        self._thread.join()


def _export_hash() -> str:
    out = subprocess.run([POLICYKG, "export", "--format", "nt"], capture_output=True, timeout=120, check=True)
    return hashlib.sha256(out.stdout).hexdigest()


@dataclass
class Env:
    base: str
    listener: Listener
    tarpit: Listener
    canary: Path
    secret: str
    atime_ns: int
    atime_reliable: bool
    triples: int
    hash_before: str
    sampler: RssSampler
    tmp: Path
    results: dict = field(default_factory=lambda: {"cli": [], "server": []})

    @property
    def canary_url(self) -> str:
        return self.canary.as_uri()

    def fill(self, text: str) -> str:
        return (text.replace("{url}", self.listener.url).replace("{tarpit}", self.tarpit.url)
                .replace("{canary}", self.canary_url))

    def check_invariants(self, *outputs: bytes | str) -> None:
        time.sleep(0.1)  # let a connection attempt, if any, reach the listeners
        assert self.listener.connections == 0, "something connected to the attack listener"
        assert self.tarpit.connections == 0, "something connected to the tarpit"
        for out in outputs:
            text = out.decode("utf-8", "replace") if isinstance(out, bytes) else out
            assert self.secret not in text, "the canary's content reached an output"
        assert os.stat(self.canary).st_atime_ns == self.atime_ns, "the canary file was read"


def _make_canary(tmp: Path) -> tuple[Path, str, int, bool]:
    secret = "policykg-canary-" + secrets.token_hex(16)
    canary = tmp / "canary" / "secret.ttl"
    canary.parent.mkdir()
    canary.write_text(f'<urn:canary> <urn:says> "{secret}" .\n', encoding="utf-8")
    mtime = canary.stat().st_mtime_ns
    # atime before mtime: Linux's relatime then updates atime on the next read.
    os.utime(canary, ns=(mtime - 10**10, mtime))
    before = canary.stat().st_atime_ns
    canary.read_bytes()
    reliable = canary.stat().st_atime_ns != before
    os.utime(canary, ns=(mtime - 10**10, mtime))
    return canary, secret, canary.stat().st_atime_ns, reliable


def _count_triples(base: str) -> int:
    status, body = get(base + "/sparql?" + urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}))
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attack")
    canary, secret, atime_ns, reliable = _make_canary(tmp)
    hash_before = _export_hash()
    listener, tarpit = Listener(), Listener(hold=True)
    proc, base = start_server("--timeout", str(TIMEOUT), "--workers", "2")
    sampler = RssSampler(proc.pid)
    e = Env(base=base, listener=listener, tarpit=tarpit, canary=canary, secret=secret, atime_ns=atime_ns,
            atime_reliable=reliable, triples=_count_triples(base), hash_before=hash_before, sampler=sampler,
            tmp=tmp)
    yield e
    # After every test that used the corpus, whatever ran and in whatever order:
    # the graph is the one exported before the first row, and nothing connected out.
    graph_unchanged = _export_hash() == hash_before
    no_connections = listener.connections == 0 and tarpit.connections == 0
    sampler.stop()
    stop_server(proc)
    listener.close()
    tarpit.close()
    assert graph_unchanged, "the graph changed during the attack corpus"
    assert no_connections, "a row made an outbound connection"
    report = os.environ.get("POLICYKG_ATTACK_REPORT")
    if report:
        figures = {
            "rows": {t: {"passed": sum(1 for _, ok in r if ok), "total": len(r)} for t, r in e.results.items()},
            "outbound_connections": listener.connections + tarpit.connections,
            "canary_atime_reliable": reliable,
            "server_peak_rss_mb": round(sampler.parent_kb / 1024, 1),
            "worker_peak_rss_mb": round(sampler.children_kb / 1024, 1),
            "graph_hash": hash_before,
        }
        Path(report).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


def _post(base: str, text: str, timeout: float) -> tuple[int, bytes]:
    """A form POST over a keep-alive HTTP/1.1 connection (http.client).

    urllib sends ``Connection: close``: then a server that answers 413 before
    reading a 10 MB body closes the socket with the body unread and the
    client sees a reset instead of the answer. Ordinary clients keep the
    connection alive and read the 413.
    """
    host, port = base.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("POST", "/sparql", body=urlencode({"query": text}).encode("utf-8"),
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _server_alive(env: Env) -> None:
    start = time.monotonic()
    status, body = get(env.base + "/sparql?query=ASK%7B%7D", timeout=5)
    took = time.monotonic() - start
    assert status == 200 and json.loads(body)["boolean"] is True, body
    assert took < 1.0, f"ASK {{}} took {took:.2f} s after the row"
    assert _count_triples(env.base) == env.triples, "the server's graph changed"


# ------------------------------------------------------------------ the tests

# serial: after every row the server must answer ASK {} within 1 s, a bound for its own recovery
# that a second test run on the same cores would eat into.
@pytest.mark.serial
@pytest.mark.parametrize("row", [pytest.param(r, id=r.id, marks=[SLOW] if r.slow else []) for r in QUERY_ROWS])
def test_query_row(env, runner, row):
    text = env.fill(row.text)

    start = time.monotonic()
    result = runner.invoke(cli, ["query", "--timeout", str(TIMEOUT), "--format", "csv", "-e", text])
    took = time.monotonic() - start
    code, message = row.cli
    cli_ok = result.exit_code == code and message in result.output and "Traceback" not in result.output
    env.results["cli"].append((row.id, cli_ok))
    assert result.exit_code == code, result.output[:500]
    assert message in result.output, result.output[:500]
    assert "Traceback" not in result.output
    assert took < TIMEOUT + GRACE, f"the CLI took {took:.1f} s"
    env.check_invariants(result.output)

    start = time.monotonic()
    status, body = _post(env.base, env.fill(row.server_text) if row.server_text else text, timeout=TIMEOUT + 30)
    took = time.monotonic() - start
    code, message = row.server
    env.results["server"].append((row.id, status == code and message.encode() in body))
    assert status == code, body[:500]
    assert message.encode() in body, body[:500]
    assert took < TIMEOUT + GRACE, f"the server took {took:.1f} s"
    env.check_invariants(body)
    _server_alive(env)


def _write_data_dir(env: Env, row: DataDirRow) -> Path:
    root = env.tmp / row.id
    (root / "graph").mkdir(parents=True)
    for name, content in row.files.items():
        if isinstance(content, Path):
            shutil.copy(content, root / "graph" / name)
        else:
            (root / "graph" / name).write_text(env.fill(content), encoding="utf-8")
    return root


@pytest.mark.parametrize("row", DATA_DIR_ROWS, ids=lambda r: r.id)
def test_data_dir_row(env, runner, row):
    root = _write_data_dir(env, row)

    result = runner.invoke(cli, ["validate", "--no-warnings", "--data-dir", str(root)])
    code, message = row.cli
    env.results["cli"].append((row.id, result.exit_code == code and message in result.output))
    assert result.exit_code == code, result.output
    assert message in result.output, result.output
    env.check_invariants(result.output)

    port = free_port()
    proc = subprocess.Popen([POLICYKG, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(root),
                             "--timeout", str(TIMEOUT), "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    output = b""
    try:
        if row.serve_starts:
            deadline, status = time.monotonic() + 60, None
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    status, _ = get(base + "/sparql?query=ASK%7B%7D", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            assert status == 200, "policykg serve did not start"
            ask = "ASK { ?s ?p ?o FILTER(CONTAINS(STR(?s), 'intruder')) }"
            status, body = get(base + "/sparql?" + urlencode({"query": ask}))
            assert status == 200 and json.loads(body)["boolean"] is False, "an .rdf or .jsonld file was loaded"
            output = body
            ok = True
        else:
            output, _ = proc.communicate(timeout=60)
            assert proc.returncode == 1, output
            assert row.serve_message.encode() in output, output
            assert not port_is_open(port)
            ok = True
    finally:
        if proc.poll() is None:
            stop_server(proc)
    env.results["server"].append((row.id, ok))
    env.check_invariants(output, proc.stdout.read() if proc.stdout and not proc.stdout.closed else b"")


RUNAWAY = [r for r in QUERY_ROWS if r.cli == TIMED_OUT[0]]


@pytest.mark.slow
@pytest.mark.parametrize("row", RUNAWAY, ids=lambda r: r.id)
def test_runaway_queries_stop_within_the_deadline_plus_one_second_in_the_library(kg, row):
    import policykg
    from policykg.errors import QueryTimeout

    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        policykg.run_query(kg, sparql=row.text, timeout=TIMEOUT)
    assert time.monotonic() - start < TIMEOUT + 1


# serial: two process starts are compared, and a second test run beside them makes the second slower.
@pytest.mark.slow
@pytest.mark.serial
@pytest.mark.parametrize("row", RUNAWAY, ids=lambda r: r.id)
def test_runaway_queries_stop_within_the_deadline_plus_one_second_in_the_cli(tmp_path, row):
    """A whole ``policykg query`` process: its deadline plus 1 s, beyond what starting and loading take.

    Start-up is measured in the same test (``ASK {}``, which needs no time of its own), so a loaded
    machine's slower start is not counted against the deadline.
    """
    path = tmp_path / "runaway.rq"
    path.write_text(row.text, encoding="utf-8")
    start = time.monotonic()
    subprocess.run([POLICYKG, "query", "-e", "ASK {}"], capture_output=True, timeout=60, check=True)
    startup = time.monotonic() - start
    start = time.monotonic()
    done = subprocess.run([POLICYKG, "query", "--timeout", str(TIMEOUT), "-f", str(path)],
                          capture_output=True, text=True, timeout=60)
    took = time.monotonic() - start
    assert done.returncode == 1 and f"timed out after {TIMEOUT} s" in done.stderr, done.stderr[-500:]
    assert took - startup < TIMEOUT + 1, f"the CLI took {took:.2f} s, of which {startup:.2f} s to start"
