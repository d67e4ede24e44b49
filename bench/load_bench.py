"""Load on ``policykg serve``: concurrent clients, hostile queries, timeouts, memory.

Starts ``policykg serve`` on a free loopback port with ``--timeout 2`` and
runs N client threads for D seconds, each picking at random (seeded) among:
canned queries through /sparql (with their example parameters), entity
pages (/id/...), the home page, the ad-hoc query page, bad queries (syntax
errors, SERVICE, over-deep nesting, an update; all must be 4xx) and, at most
one at a time and at most one every few seconds, a cross join that runs
past the timeout (must be a 503 saying it timed out). Every second it
samples the RSS of the server and all its descendants (the query workers)
from /proc.

Pass: zero 5xx other than the intended timeout 503s, no connection errors,
and the server still answers at the end.

    python bench/load_bench.py                    # 30 s, 8 clients
    python bench/load_bench.py --seconds 60 --clients 16 --no-write

Writes the section "## Server under load" of bench/RESULTS.md (unless
--no-write); the raw JSON goes to stderr.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling modules, also when the tests import this
from proc_tree import descendants  # noqa: E402
from results_file import command_line, loadavg, machine_line, now, replace_section  # noqa: E402

POLICYKG = str(Path(sys.executable).with_name("policykg"))
TIMEOUT_S = 2.0

BAD_QUERIES = {
    "syntax": "SELECT * WHERE { ?s ?p }",
    "syntax-2": "SELEC ?x WHERE { ?x ?p ?o }",
    "service": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "nesting": "SELECT * WHERE " + "{ " * 300 + "?s ?p ?o " + "} " * 300,
    "unbalanced": "SELECT * WHERE " + "{ " * 5000,
    "update": "DELETE WHERE { ?s ?p ?o }",
}
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]




def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Stats:
    counts: collections.Counter = field(default_factory=collections.Counter)  # (kind, status) -> n
    unintended: list[str] = field(default_factory=list)
    errors: collections.Counter = field(default_factory=collections.Counter)  # connection errors by type
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    rss: list[tuple[float, int, int]] = field(default_factory=list)  # (t, total kB, processes)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _requests(seed: int):
    """The request mix: a list of (weight, kind, make) where make(rng) -> (method, path, body, headers)."""
    from policykg.rdf.loading import load
    from policykg.namespaces import PKD
    from policykg.sparql.canned import canned_queries

    canned = []
    for q in canned_queries():
        params = {p.name: p.example for p in q.params if p.example}
        if all(p.name in params or p.name == "lang" for p in q.params):
            canned.append(q.bind(params, lang="en"))
    kg = load()
    slugs = sorted({str(t.subject.value)[len(PKD):] for t in kg.triples()
                    if hasattr(t.subject, "value") and str(t.subject.value).startswith(PKD)})

    def sparql_get(text):
        return "GET", "/sparql?" + urllib.parse.urlencode({"query": text}), None, {"Accept": "application/sparql-results+json"}

    def sparql_post(text):
        return "POST", "/sparql", text.encode("utf-8"), {"Content-Type": "application/sparql-query",
                                                          "Accept": "text/csv"}

    mix = [
        (30, "canned", lambda r: (sparql_get if r.random() < 0.5 else sparql_post)(r.choice(canned))),
        (25, "entity", lambda r: ("GET", "/id/" + urllib.parse.quote(r.choice(slugs)), None, {})),
        (3, "entity-missing", lambda r: ("GET", "/id/no-such-entity-" + str(r.randrange(1000)), None, {})),
        (10, "home", lambda r: ("GET", "/", None, {})),
        (10, "adhoc-page", lambda r: ("GET", "/query?" + urllib.parse.urlencode(
            {"query": "SELECT ?org ?label WHERE { ?org a org:Organization ; rdfs:label ?label } ORDER BY ?label LIMIT 20"}),
            None, {})),
        (12, "bad-query", lambda r: sparql_post(BAD_QUERIES[r.choice(sorted(BAD_QUERIES))])),
        (3, "bad-query-page", lambda r: ("GET", "/query?" + urllib.parse.urlencode(
            {"query": BAD_QUERIES[r.choice(sorted(BAD_QUERIES))]}), None, {})),
    ]
    return mix, len(canned), len(slugs)


def _count_triples(port: int) -> int | None:
    """Triples in the server's default graph: what the cross join's four patterns each range over."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/sparql?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}),
                  headers={"Accept": "application/sparql-results+json"})
        r = c.getresponse()
        return int(json.loads(r.read())["results"]["bindings"][0]["n"]["value"])
    except (OSError, KeyError, IndexError, ValueError):
        return None


def _expected(kind: str, status: int, body: bytes) -> bool:
    if kind in ("canned", "entity", "home", "adhoc-page"):
        return status == 200
    if kind == "entity-missing":
        return status == 404
    if kind in ("bad-query", "bad-query-page"):
        return 400 <= status < 500
    if kind == "timeout":
        return status == 503 and b"timed out" in body
    return False


def run(seconds: float = 30.0, clients: int = 8, seed: int = 1, timeout_every: float = 4.0,
        workers: int = 2, log=print) -> dict:
    mix, n_canned, n_slugs = _requests(seed)
    port = free_port()
    server = subprocess.Popen([POLICYKG, "serve", "--port", str(port), "--timeout", str(TIMEOUT_S),
                               "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stats = Stats()
    try:
        t0 = time.monotonic()
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() - t0 > 60:
                raise RuntimeError(f"server did not start: {server.stderr.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.1)
        startup = time.monotonic() - t0
        store_triples = _count_triples(port)
        start = time.monotonic()
        stop_at = start + seconds
        timeout_gate = threading.Lock()  # at most one cross join at a time
        next_timeout = [start + 1.0]

        def client(i: int):
            rng = random.Random(f"{seed}:{i}")
            weights = [w for w, _, _ in mix]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.monotonic() < stop_at:
                kind, req = None, None
                now = time.monotonic()
                if now >= next_timeout[0] and now + TIMEOUT_S + 1 < stop_at and timeout_gate.acquire(blocking=False):
                    if now >= next_timeout[0]:
                        next_timeout[0] = now + timeout_every
                        kind = "timeout"
                        req = ("POST", "/sparql", CROSS_JOIN.encode(), {"Content-Type": "application/sparql-query"})
                    else:
                        timeout_gate.release()
                if kind is None:
                    _, kind, make = rng.choices(mix, weights=weights)[0]
                    req = make(rng)
                method, path, body, headers = req
                t = time.monotonic()
                try:
                    conn.request(method, path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    status = resp.status
                except (OSError, http.client.HTTPException) as e:
                    with stats.lock:
                        stats.errors[f"{kind}: {type(e).__name__}"] += 1
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    continue
                finally:
                    if kind == "timeout":
                        timeout_gate.release()
                took = time.monotonic() - t
                with stats.lock:
                    stats.counts[(kind, status)] += 1
                    stats.latencies[kind].append(took)
                    if not _expected(kind, status, data) and (status >= 500 or len(stats.unintended) < 50):
                        stats.unintended.append(f"{kind} {method} {path[:80]} -> {status}: {data[:200]!r}")
            conn.close()

        def sampler():
            while time.monotonic() < stop_at:
                pids = descendants(server.pid)
                stats.rss.append((time.monotonic() - start, sum(rss_kb(p) for p in pids), len(pids)))
                time.sleep(1.0)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)] + [threading.Thread(target=sampler)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        # Still alive and answering?
        alive = server.poll() is None
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}),
                      headers={"Accept": "application/sparql-results+json"})
            r = c.getresponse()
            alive = alive and r.status == 200 and json.loads(r.read())["boolean"] is True
        except OSError:
            alive = False
        procs_at_end = descendants(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    def left():  # the workers exit after the server; give them a moment (zombies count as gone)
        out = []
        for p in procs_at_end:
            try:
                with open(f"/proc/{p}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                        out.append(p)
            except OSError:
                pass
        return out

    grace = time.monotonic() + 10
    while left() and time.monotonic() < grace:
        time.sleep(0.2)
    leftover = left()
    total = sum(stats.counts.values())
    five_xx = {f"{k} {s}": n for (k, s), n in stats.counts.items() if s >= 500}
    unintended_5xx = sum(n for (k, s), n in stats.counts.items() if s >= 500 and not (k == "timeout" and s == 503))
    rss = [kb for _, kb, _ in stats.rss]
    first = rss[:5]
    last = rss[-5:]

    def pct(xs, q):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0

    result = {
        "seconds": round(elapsed, 1), "clients": clients, "workers": workers, "timeout_s": TIMEOUT_S,
        "startup_s": round(startup, 2), "canned_queries": n_canned, "entities": n_slugs,
        "store_triples": store_triples,
        "requests": total, "throughput_rps": round(total / elapsed, 1),
        "by_status": {f"{k} {s}": n for (k, s), n in sorted(stats.counts.items())},
        "five_xx": five_xx, "unintended_5xx": unintended_5xx, "unintended": stats.unintended[:20],
        "connection_errors": dict(stats.errors),
        "latency_ms": {k: {"p50": round(1000 * pct(v, 0.5), 1), "p95": round(1000 * pct(v, 0.95), 1),
                           "max": round(1000 * max(v), 1)} for k, v in sorted(stats.latencies.items())},
        "rss_mb": {"peak": round(max(rss) / 1024, 1) if rss else 0,
                   "first_5s_mean": round(sum(first) / len(first) / 1024, 1) if first else 0,
                   "last_5s_mean": round(sum(last) / len(last) / 1024, 1) if last else 0,
                   "processes": sorted({n for _, _, n in stats.rss})},
        "alive_at_end": alive,
        "processes_left_after_stop": len(leftover),
    }
    if first and last:
        result["rss_mb"]["growth_pct"] = round(100 * (sum(last) / len(last) / (sum(first) / len(first)) - 1), 1)
    return result


SECTION = "## Server under load"


def section(r: dict, command: str, ok: bool, load: str) -> str:
    """The RESULTS.md section rendered from run()'s result."""
    st = r["by_status"]
    lat = r["latency_ms"]
    rss = r["rss_mb"]
    n = r.get("store_triples")
    L = [SECTION, "",
         f"`policykg serve --timeout {r['timeout_s']:g} --workers {r['workers']}` on a free loopback port; "
         f"{r['clients']} client threads (seeded, keep-alive connections) for {r['seconds']:g} s against a mix of: "
         f"the {r['canned_queries']} canned queries through `/sparql` with their example parameters (half GET with "
         f"JSON, half POST with CSV); entity pages `/id/...` for all {r['entities']} `pkd:` subjects plus missing "
         "ones (404); the home page and the ad-hoc query page; bad queries on `/sparql` and `/query` (two syntax "
         "errors, SERVICE, 300 nested groups, 5,000 unclosed `{`, an update); and, at most one at a time and at "
         "most once every 4 s, a 4-way cross join (`COUNT(*)` over "
         + (f"{n:,}^4 rows: the store holds {n:,} triples" if n else "the store's triples to the 4th power")
         + ") meant to run past the timeout. Every second the RSS of the server and all its descendants is summed "
         "from /proc. A pass/fail run: no baseline; pass = no 5xx but the intended timeouts, no connection "
         "errors, the server alive at the end.",
         "",
         f"- machine: {machine_line()}",
         f"- load average at start: {load}; the machine is shared with a test suite, so other processes add noise",
         f"- date: {now()}",
         f"- command: `{command}`",
         "",
         "| | |",
         "| --- | --- |",
         f"| requests | {r['requests']:,} in {r['seconds']:g} s, so {r['throughput_rps']:g} requests/s |",
         "| by status | " + " · ".join(f"{k}: {v:,}" for k, v in st.items()) + " |",
         f"| 5xx | {sum(r['five_xx'].values())} ({', '.join(f'{k}: {v}' for k, v in r['five_xx'].items()) or 'none'}); "
         f"unintended 5xx: {r['unintended_5xx']}; connection errors: {sum(r['connection_errors'].values())}; "
         f"unexpected answers: {len(r['unintended'])} |",
         "| latency p50 / p95 / max (ms) | " + " · ".join(
             f"{k} {v['p50']:g} / {v['p95']:g} / {v['max']:g}" for k, v in lat.items()) + " |",
         f"| RSS (server + children; process counts seen {rss['processes']}) | peak {rss['peak']:g} MB; mean of "
         f"the first 5 s {rss['first_5s_mean']:g} MB, last 5 s {rss['last_5s_mean']:g} MB "
         f"({rss.get('growth_pct', 0):+g} %) |",
         f"| end | server {'alive' if r['alive_at_end'] else 'NOT alive'} (`ASK {{ ?s ?p ?o }}` answered); "
         f"processes left after SIGTERM: {r['processes_left_after_stop']} |",
         "",
         f"Summary: {r['requests']:,} requests, {r['throughput_rps']:g} requests/s, {r['unintended_5xx']} unintended "
         f"5xx, RSS peak {rss['peak']:g} MB ({rss.get('growth_pct', 0):+g} % first to last 5 s): {'PASS' if ok else 'FAIL'}."]
    if r["unintended"]:
        L += ["", "Unexpected answers (first 20):", ""] + [f"- `{u}`" for u in r["unintended"]]
    return "\n".join(L) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2, help="the server's --workers (default 2, its default)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md")
    ap.add_argument("--no-write", action="store_true", help="print the section (and the JSON) only")
    args = ap.parse_args(argv)
    load = loadavg()
    r = run(args.seconds, args.clients, args.seed, workers=args.workers)
    print(json.dumps(r, indent=1, ensure_ascii=False), file=sys.stderr)
    ok = r["unintended_5xx"] == 0 and not r["connection_errors"] and r["alive_at_end"]
    text = section(r, command_line("load_bench.py", argv), ok, load)
    print(text)
    if not args.no_write:
        replace_section(args.results, SECTION, text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
