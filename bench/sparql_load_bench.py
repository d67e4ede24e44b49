"""SPARQL endpoint under load: `policykg serve` against `oxigraph serve-read-only`.

    python bench/sparql_load_bench.py [--clients 8] [--duration 30] [--queries all|NAME,...] [--data-dir DIR]

Starts, on free loopback ports,

* ``policykg serve --host 127.0.0.1 --port P`` (default workers and timeout),
  its endpoint ``/sparql``;
* Oxigraph: ``oxigraph serve --location DB`` on a fresh directory, filled with
  ``policykg push --endpoint http://127.0.0.1:P2/store`` (the asserted triples
  plus the entailed types, as the embedded store holds them), then stopped and
  reopened with ``oxigraph serve-read-only --location DB``; endpoint ``/query``.

For each of three canned queries (their ``example=`` parameters bound, text
from ``CannedQuery.bind(params)`` prefixed with
``policykg.namespaces.sparql_prefixes()``) it first checks that both servers
return the same solutions (row counts and the rows themselves), then runs
``--clients`` client processes (one keep-alive ``http.client`` connection
each, POST ``application/sparql-query``, ``Accept:
application/sparql-results+json``, the body read in full) against one server
at a time: a warm-up of ``--warmup`` s, then ``--duration`` s measured.
Throughput is the number of 200 responses completed inside the measured window
divided by its length; latencies are those responses' times. The order of the
two servers alternates from query to query. CPU seconds used by each server
(the process and its children: policykg's query workers) and by the clients
during the window are read from /proc.

Clients are separate processes so that Python's GIL does not cap the client
side; on a 2-core machine they still share the cores with the server.

The results replace the section "## SPARQL endpoint under load" of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling modules, also when the tests import this
from proc_tree import descendants  # noqa: E402
from results_file import cpu_model, replace_section, versions  # noqa: E402

HERE = Path(__file__).resolve().parent
PY = sys.executable
SECTION = "## SPARQL endpoint under load"
QUERIES = ["members-by-role", "city-indicators", "cq-people-quoted"]
TARGET_RATIO = 0.5
#: A query is heavy when Oxigraph's server spends at least this much CPU on one request (evaluation, not
#: HTTP, dominates); heavy queries must reach HEAVY_RATIO.
HEAVY_CPU_MS = 1.0
HEAVY_RATIO = 0.8
CLK = os.sysconf("SC_CLK_TCK")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def bin_path(name: str) -> str:
    exe = Path(PY).parent / name
    if exe.exists():
        return str(exe)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found next to {PY} or on PATH")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- servers

class Server:
    def __init__(self, name: str, cmd: list[str], port: int, path: str, log_path: Path):
        self.name, self.cmd, self.port, self.path = name, cmd, port, path
        self.log_file = open(log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def wait_ready(self, probe: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.proc.returncode}: {' '.join(self.cmd)}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", probe)
                r = c.getresponse()
                r.read()
                c.close()
                if r.status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the session this script started
                self.proc.wait(timeout=15)
        self.log_file.close()




def cpu_seconds(pids: list[int]) -> dict[int, float]:
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        out[pid] = (int(fields[11]) + int(fields[12])) / CLK  # utime + stime
    return out


def _proc_stat_cpu() -> list[int]:
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat; stolen time counts as busy."""
    fields = _proc_stat_cpu()
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / CLK


def stolen_cpu_seconds() -> float:
    """CPU seconds the hypervisor gave this virtual machine's cores to others (/proc/stat "steal")."""
    fields = _proc_stat_cpu()
    return fields[7] / CLK if len(fields) > 7 else 0.0


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[p] - before.get(p, 0.0) for p in after)


# --------------------------------------------------------------------------- queries

def query_texts() -> dict[str, str]:
    from policykg.namespaces import sparql_prefixes
    from policykg.sparql.canned import find_query

    out = {}
    for name in QUERIES:
        canned = find_query(name)
        if any(p.example is None for p in canned.params):
            continue
        params = {p.name: p.example for p in canned.params if p.example is not None}
        out[name] = sparql_prefixes() + canned.bind(params)
    return out


def params_text(name: str) -> str:
    from policykg.sparql.canned import find_query

    canned = find_query(name)
    return ", ".join(f"{p.name}={p.example}" for p in canned.params) or "-"


def post(conn: http.client.HTTPConnection, path: str, text: str) -> tuple[int, bytes]:
    conn.request("POST", path, body=text.encode("utf-8"),
                 headers={"Content-Type": "application/sparql-query; charset=utf-8",
                          "Accept": "application/sparql-results+json"})
    r = conn.getresponse()
    return r.status, r.read()


def solutions(body: bytes) -> list[tuple]:
    data = json.loads(body)
    rows = []
    for b in data["results"]["bindings"]:
        rows.append(tuple(sorted((k, v.get("type"), v.get("value"), v.get("xml:lang"), v.get("datatype"))
                                 for k, v in b.items())))
    return rows


def count_triples(server: Server) -> int:
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    status, body = post(c, server.path, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    c.close()
    if status != 200:
        raise SystemExit(f"{server.name}: COUNT(*) answered {status}: {body[:200]!r}")
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# --------------------------------------------------------------------------- load

def client_main(port: int, path: str, text: str, t_measure: float, t_end: float, hard_stop: float, out) -> None:
    """One client: requests back to back until t_end; reports the requests done inside the window."""
    body = text.encode("utf-8")
    headers = {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "application/sparql-results+json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    lat, statuses, errors, warm = [], {}, 0, 0
    while True:
        t0 = time.monotonic()
        if t0 >= t_end or t0 >= hard_stop:
            break
        try:
            conn.request("POST", path, body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            status = r.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status = -1
        t1 = time.monotonic()
        if t0 < t_measure:
            warm += 1
            continue
        if t1 > t_end:
            break  # finished after the window: not counted
        if status == 200:
            lat.append(t1 - t0)
        else:
            errors += 1
            statuses[status] = statuses.get(status, 0) + 1
    conn.close()
    out.put({"lat": lat, "errors": errors, "statuses": statuses, "warm": warm})


def run_load(server: Server, text: str, clients: int, warmup: float, duration: float) -> dict:
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    start = time.monotonic() + 0.5
    t_measure, t_end = start + warmup, start + warmup + duration
    procs = [ctx.Process(target=client_main, args=(server.port, server.path, text, t_measure, t_end, t_end + 5, q),
                         daemon=True) for _ in range(clients)]
    for p in procs:
        p.start()
    server_pids = descendants(server.proc.pid)
    client_pids = [p.pid for p in procs]
    time.sleep(max(0.0, t_measure - time.monotonic()))
    s0, c0, l0, b0 = cpu_seconds(server_pids), cpu_seconds(client_pids), os.getloadavg()[0], busy_cpu_seconds()
    st0 = stolen_cpu_seconds()
    time.sleep(max(0.0, t_end - time.monotonic()))
    s1, c1, b1 = cpu_seconds(server_pids), cpu_seconds(client_pids), busy_cpu_seconds()
    st1 = stolen_cpu_seconds()
    results = []
    deadline = time.monotonic() + 90
    while len(results) < clients and time.monotonic() < deadline:
        try:
            results.append(q.get(timeout=max(0.1, deadline - time.monotonic())))
        except Exception:  # noqa: BLE001 - queue.Empty
            break
    for p in procs:
        p.join(timeout=5)
        if p.is_alive():
            p.kill()
            p.join(timeout=5)
    if len(results) < clients:
        raise SystemExit(f"only {len(results)} of {clients} clients reported")
    lat = sorted(x for r in results for x in r["lat"])
    errors = sum(r["errors"] for r in results)
    statuses: dict = {}
    for r in results:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    n = len(lat)

    def pct(p: float) -> float | None:
        if not lat:
            return None
        return lat[min(n - 1, max(0, int(round(p * n + 0.5)) - 1))]  # nearest rank

    return {"requests": n, "rps": n / duration, "p50_ms": pct(0.50) and pct(0.50) * 1e3,
            "p99_ms": pct(0.99) and pct(0.99) * 1e3, "mean_ms": statistics.fmean(lat) * 1e3 if lat else None,
            "max_ms": lat[-1] * 1e3 if lat else None, "errors": errors, "statuses": statuses,
            "warmup_requests": sum(r["warm"] for r in results),
            "server_cpu_s": cpu_delta(s0, s1), "client_cpu_s": cpu_delta(c0, c1), "loadavg_1m": l0,
            "machine_busy_cpu_s": b1 - b0, "stolen_cpu_s": st1 - st0,
            "server_main_cpu_s": s1.get(server.proc.pid, 0.0) - s0.get(server.proc.pid, 0.0),
            "server_processes": len(server_pids)}


# --------------------------------------------------------------------------- report

def machine() -> dict:
    vers = versions("pyoxigraph", "uvicorn", "starlette")
    try:
        vers["oxigraph"] = subprocess.run([bin_path("oxigraph"), "--version"], capture_output=True, text=True,
                                          timeout=30).stdout.strip()
    except Exception:  # noqa: BLE001
        vers["oxigraph"] = "?"
    return {"cores": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version(),
            "platform": platform.platform(), "versions": vers, "loadavg": os.getloadavg()}


def f1(x) -> str:
    return "-" if x is None else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def report(data: dict) -> str:
    m = data["machine"]
    v = m["versions"]
    L = [SECTION, ""]
    L.append(f"`/sparql` of `policykg serve` (default: {data['workers']} query worker processes, each holding the store; "
             "uvicorn, one server process) against Oxigraph's own server (`oxigraph serve-read-only`, filled by "
             "`policykg push` through `oxigraph serve`, so it holds the asserted triples plus the entailed types), "
             f"both on loopback over the {data['graph']}. {data['clients']} client processes, each with one keep-alive "
             "connection, send the same query back to back (POST `application/sparql-query`, "
             "`Accept: application/sparql-results+json`, the response read in full) for a "
             f"{data['warmup']:.0f} s warm-up and then {data['duration']:.0f} s measured; one server at a time, the "
             "order alternating from query to query. The query text is "
             "`policykg.namespaces.sparql_prefixes()` + `CannedQuery.bind(params)` "
             "with each parameter's `example=` value (`lang` = en).")
    L.append("")
    L.append(f"- machine: {m['cores']} cores, {m['cpu']} ({m['platform']})")
    L.append(f"- load average at start: {' / '.join(f'{x:.2f}' for x in m['loadavg'])} (1 / 5 / 15 min); the machine "
             "is shared, so other processes add noise")
    L.append(f"- versions: Python {m['python']}; policykg {v['policykg']} (uvicorn {v['uvicorn']}, starlette "
             f"{v['starlette']}, pyoxigraph {v['pyoxigraph']} in the workers); {v['oxigraph']} (CLI server)")
    L.append(f"- date: {data['date']}")
    L.append(f"- command: `{data['command']}` (total {data['total_seconds'] / 60:.1f} min)")
    L.append(f"- store: {data['triples']['policykg']} triples through policykg's endpoint, "
             f"{data['triples']['oxigraph']} in Oxigraph (`SELECT (COUNT(*) AS ?n)`); {data['pushed']}")
    L.append("")
    L.append("### Targets")
    L.append("")
    L.append("| target | measured | result |")
    L.append("| --- | --- | --- |")
    for t in data["targets"]:
        L.append(f"| {t['target']} | {t['measured']} | {t['result']} |")
    L.append("")
    L.append("### Results")
    L.append("")
    L.append("| query | params | rows (policykg / oxigraph) | same rows | server | requests/s | p50 (ms) | p99 (ms) "
             "| max (ms) | non-200 | server CPU (s) | of which main process (s) | client CPU (s) "
             "| server CPU per request (ms) | policykg / oxigraph (req/s) |")
    L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for q in data["queries"]:
        ratio = q["policykg"]["rps"] / q["oxigraph"]["rps"] if q["oxigraph"]["rps"] else None
        for i, name in enumerate(("policykg", "oxigraph")):
            r = q[name]
            cpu_per = r["server_cpu_s"] / r["requests"] * 1e3 if r["requests"] else None
            lead = (f"| {q['name']} | {q['params']} | {q['rows']['policykg']} / {q['rows']['oxigraph']} | "
                    f"{'yes' if q['same'] else 'NO'} " if i == 0 else "| | | | ")
            L.append(lead + f"| {name} | {r['rps']:.0f} | {f1(r['p50_ms'])} | {f1(r['p99_ms'])} | {f1(r['max_ms'])} | "
                     f"{r['errors']}{' ' + json.dumps(r['statuses']) if r['statuses'] else ''} | {r['server_cpu_s']:.1f} | "
                     f"{r['server_main_cpu_s']:.1f}{'' if name == 'policykg' else ' (one process)'} | "
                     f"{r['client_cpu_s']:.1f} | {f1(cpu_per)} | {f'{ratio:.2f}' if i == 0 and ratio else ''} |")
    L.append("")
    L.append(f"CPU seconds are over the {data['duration']:.0f} s window, from /proc (utime + stime of the server "
             f"process and its children, and of the client processes); the machine has {m['cores']} cores, so "
             f"{m['cores'] * data['duration']:.0f} CPU-seconds is the most the window holds. For policykg the main "
             "process is uvicorn + Starlette (HTTP, protocol checks, handing the job to a worker over a pipe); the "
             "rest is its query workers (evaluation and serialisation).")
    notes = list(data.get("notes", [])) + derived_notes(data)
    if notes:
        data = dict(data, notes=notes)
        L.append("")
        L.append("### Observations")
        L.append("")
        for n in data["notes"]:
            L.append(f"- {n}")
    return "\n".join(L) + "\n"


def derived_notes(data: dict) -> list[str]:
    out = []
    if all("machine_busy_cpu_s" in q[s] for q in data["queries"] for s in ("policykg", "oxigraph")):
        other = ", ".join(
            f"{q['name']} " + " / ".join(
                f"{q[s]['machine_busy_cpu_s'] - q[s]['server_cpu_s'] - q[s]['client_cpu_s']:.1f}"
                for s in ("policykg", "oxigraph")) for q in data["queries"])
        out.append(f"Other work on the shared machine during each window: CPU seconds the machine was busy "
                   f"(/proc/stat, all cores) minus the server's and the clients', policykg / oxigraph: {other} "
                   f"(of {data['duration'] * data['machine']['cores']:.0f} available). It takes CPU from both servers, "
                   "not evenly; the order alternates to even it out.")
    if all("stolen_cpu_s" in q[s] for q in data["queries"] for s in ("policykg", "oxigraph")):
        stolen = ", ".join(f"{q['name']} " + " / ".join(f"{q[s]['stolen_cpu_s']:.1f}" for s in ("policykg", "oxigraph"))
                           for q in data["queries"])
        out.append(f"Of that, CPU seconds the hypervisor gave to other machines (/proc/stat steal), policykg / "
                   f"oxigraph: {stolen}. Stolen time is lost to whichever server ran then.")
    loads = ", ".join(f"{q['name']} {q['policykg']['loadavg_1m']:.1f} / {q['oxigraph']['loadavg_1m']:.1f}"
                      for q in data["queries"])
    out.append(f"1-minute load average at the start of each window (policykg / oxigraph): {loads}; it includes the "
               "previous window's 8 clients and server, so it overstates outside work.")
    for q in data["queries"]:
        p, o = q["policykg"], q["oxigraph"]
        if not p["requests"] or not o["requests"]:
            continue
        main_ms = p["server_main_cpu_s"] / p["requests"] * 1e3
        workers_ms = (p["server_cpu_s"] - p["server_main_cpu_s"]) / p["requests"] * 1e3
        ox_ms = o["server_cpu_s"] / o["requests"] * 1e3
        out.append(f"{q['name']}: CPU per request, policykg {main_ms:.2f} ms in the server process + {workers_ms:.2f} ms "
                   f"in the workers, Oxigraph {ox_ms:.2f} ms; clients {p['client_cpu_s'] / p['requests'] * 1e3:.2f} / "
                   f"{o['client_cpu_s'] / o['requests'] * 1e3:.2f} ms.")
    return out


def write_results(path: Path, section: str) -> None:
    replace_section(path, SECTION, section)


# --------------------------------------------------------------------------- main

def main() -> None:
    global QUERIES
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--duration", type=float, default=30.0, help="measured seconds per server and query")
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--data-dir", type=Path, help="a data dir (default: the shipped graph)")
    ap.add_argument("--out-root", type=Path, default=Path("/tmp/pkg-bench/sparql-load"))
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--queries", default=",".join(QUERIES),
                    help="comma-separated canned query names, or 'all' for every shipped canned query")
    ap.add_argument("--from-json", type=Path, help="only re-render the section from a previous run's JSON")
    args = ap.parse_args()
    if args.queries == "all":
        from policykg.sparql.canned import canned_queries

        QUERIES = [q.name for q in canned_queries()]
    else:
        QUERIES = [name.strip() for name in args.queries.split(",") if name.strip()]
    if args.from_json:
        data = json.loads(args.from_json.read_text())
        section = report(data)
        print(section) if args.no_write else write_results(args.results, section)
        return
    if not (1 <= args.clients <= 64) or not (1 <= args.duration <= 120):
        raise SystemExit("--clients must be 1..64 and --duration 1..120 s")
    t_start = time.perf_counter()
    command = "python bench/sparql_load_bench.py" + "".join(f" {a}" for a in sys.argv[1:])
    data = {"machine": machine(), "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "command": command, "clients": args.clients, "duration": args.duration, "warmup": args.warmup,
            "workers": 2, "graph": f"graph of `{args.data_dir}`" if args.data_dir else "shipped graph",
            "queries": [], "notes": []}
    out = args.out_root
    out.mkdir(parents=True, exist_ok=True)
    db = out / "oxigraph-db"
    if db.exists():
        shutil.rmtree(db)
    dd = ["--data-dir", str(args.data_dir)] if args.data_dir else []
    policykg, oxigraph = bin_path("policykg"), bin_path("oxigraph")
    servers: list[Server] = []
    try:
        port = free_port()
        pk = Server("policykg", [policykg, "serve", "--host", "127.0.0.1", "--port", str(port), *dd],
                    port, "/sparql", out / "policykg-serve.log")
        servers.append(pk)
        port = free_port()
        ox_rw = Server("oxigraph serve", [oxigraph, "serve", "--location", str(db), "--bind", f"127.0.0.1:{port}"],
                       port, "/query", out / "oxigraph.log")
        servers.append(ox_rw)
        ox_rw.wait_ready("/")
        log(f"pushing the graph to {ox_rw.name} on port {port}")
        push = subprocess.run([policykg, "push", "--endpoint", f"http://127.0.0.1:{port}/store", *dd],
                              capture_output=True, text=True, timeout=600)
        if push.returncode != 0:
            raise SystemExit(f"policykg push failed: {push.stderr}")
        data["pushed"] = f"`policykg push`: {push.stdout.strip()}"
        ox_rw.stop()
        servers.remove(ox_rw)
        port = free_port()
        ox = Server("oxigraph", [oxigraph, "serve-read-only", "--location", str(db), "--bind", f"127.0.0.1:{port}"],
                    port, "/query", out / "oxigraph.log")
        servers.append(ox)
        ox.wait_ready("/")
        pk.wait_ready("/sparql")
        data["policykg_processes"] = len(descendants(pk.proc.pid))
        log(f"policykg serve on {pk.port} ({data['policykg_processes']} processes: server, forkserver, workers), "
            f"oxigraph on {ox.port}")
        data["triples"] = {"policykg": count_triples(pk), "oxigraph": count_triples(ox)}
        texts = query_texts()
        for i, name in enumerate(texts):
            text = texts[name]
            rows, sols = {}, {}
            for s in (pk, ox):
                c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
                status, body = post(c, s.path, text)
                c.close()
                if status != 200:
                    raise SystemExit(f"{s.name} answered {status} to {name}: {body[:300]!r}")
                sols[s.name] = sorted(solutions(body))
                rows[s.name] = len(sols[s.name])
            entry = {"name": name, "params": params_text(name), "rows": rows,
                     "same": sols["policykg"] == sols["oxigraph"], "bytes": len(text)}
            order = (pk, ox) if i % 2 == 0 else (ox, pk)
            for s in order:
                log(f"{name}: {s.name}, {args.clients} clients, {args.warmup:.0f} s warm-up + {args.duration:.0f} s")
                entry[s.name] = run_load(s, text, args.clients, args.warmup, args.duration)
                r = entry[s.name]
                log(f"  {r['rps']:.0f} req/s, p50 {f1(r['p50_ms'])} ms, p99 {f1(r['p99_ms'])} ms, "
                    f"{r['errors']} non-200, server CPU {r['server_cpu_s']:.1f} s, clients {r['client_cpu_s']:.1f} s")
            data["queries"].append(entry)
            if not entry["same"]:
                data["notes"].append(f"{name}: the two servers' solutions differ ({rows}).")
    finally:
        for s in reversed(servers):
            s.stop()
    data["total_seconds"] = time.perf_counter() - t_start
    targets = []
    for q in data["queries"]:
        ratio = q["policykg"]["rps"] / q["oxigraph"]["rps"] if q["oxigraph"]["rps"] else 0.0
        ox_cpu_ms = 1000 * q["oxigraph"]["server_cpu_s"] / max(1, q["oxigraph"]["requests"]) \
            if "requests" in q["oxigraph"] else 0.0
        heavy = ox_cpu_ms >= HEAVY_CPU_MS
        need = HEAVY_RATIO if heavy else TARGET_RATIO
        what = f"heavy: Oxigraph {ox_cpu_ms:.2f} ms CPU per request" if heavy else "light"
        targets.append({"target": f"{q['name']} ({what}): policykg at least {need:g}x Oxigraph's requests/s",
                        "measured": f"{q['policykg']['rps']:.0f} vs {q['oxigraph']['rps']:.0f} req/s = {ratio:.2f}x",
                        "result": "PASS" if ratio >= need else "FAIL"})
    data["targets"] = targets
    (out / "sparql_load_bench.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
    section = report(data)
    if args.no_write:
        print(section)
    else:
        write_results(args.results, section)
        print(section)


if __name__ == "__main__":
    main()
