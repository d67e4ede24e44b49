"""Hostile load on a real ``policykg serve``, on loopback only: the figures RELIABILITY.md quotes.

Each scenario starts its own server, runs a bounded attack, measures, and
stops. The tests in ``tests/test_attack_load.py`` run the same functions
and assert the bounds; this script writes the figures as its section of
bench/RESULTS.md:

    python bench/hostile_load_bench.py             # all scenarios, writes bench/RESULTS.md
    python bench/hostile_load_bench.py --no-write  # print only
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from loopback import free_port, get, stop  # noqa: E402
POLICYKG = str(Path(sys.executable).with_name("policykg"))
HEADING = "## Hostile load"

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# Rows of 100 kB each (cheap to make): LIMIT n gives about n/10 MB of results.
BIG_ROWS = ('SELECT ?big WHERE { ?s ?p ?o BIND(REPLACE(REPLACE(REPLACE(REPLACE("aaaaaaaaaa", "a", "aaaaaaaaaa"), '
            '"a", "aaaaaaaaaa"), "a", "aaaaaaaaaa"), "a", "aaaaaaaaaa") AS ?big) } LIMIT {n}')
HUGE_PAGE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 100000"


class Server:
    """``policykg serve ARGS`` on a free loopback port, optionally under a descriptor limit."""

    def __init__(self, *args: str, nofile: int | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

        def limit():
            if nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.proc = subprocess.Popen([POLICYKG, "serve", "--host", "127.0.0.1", "--port", str(self.port), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=limit)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stdout.read().decode(errors="replace"))
            try:
                if get(self.base + "/health", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.proc.kill()
        raise RuntimeError("the server did not start")

    def health(self) -> dict:
        return json.loads(get(self.base + "/health", timeout=5)[1])

    def rss_kb(self, field: str = "VmRSS") -> int:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def ask(self, timeout: float = 10) -> tuple[int, float]:
        start = time.monotonic()
        status, _ = get(self.base + "/sparql?" + urlencode({"query": "ASK {}"}), timeout=timeout)
        return status, time.monotonic() - start

    def stop(self) -> bytes:
        stop(self.proc)
        return self.proc.stdout.read()


def half_request(port: int) -> socket.socket | None:
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never the blank line
        return s
    except OSError:
        s.close()
        return None


def probe(port: int, source: str, path: str = "/sparql?query=ASK%7B%7D") -> tuple[int, float]:
    """One request from ``source`` (a loopback address), on a fresh connection: (status, seconds)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=15, source_address=(source, 0)) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), time.monotonic() - start


# ---------------------------------------------------------------- scenarios

def descriptor_exhaustion(connections: int = 300, nofile: int = 256) -> dict:
    """A runaway query times out while half-sent connections hold every descriptor; then?"""
    server = Server("--timeout", "2", "--workers", "1", "--max-connections", "5000", "--header-timeout", "6",
                    nofile=nofile)
    held = []
    try:
        runaway: dict = {}
        thread = threading.Thread(target=lambda: runaway.update(
            status=get(server.base + "/sparql?" + urlencode({"query": RUNAWAY}), timeout=30)[0]))
        thread.start()
        time.sleep(0.3)
        for _ in range(connections):
            s = half_request(server.port)
            if s is not None:
                held.append(s)
        thread.join(30)
        opened = len(held)
        for s in held:
            s.close()
        held.clear()
        released = time.monotonic()
        while time.monotonic() - released < 15:
            try:
                if server.ask(timeout=3)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        recovered = time.monotonic() - released
        statuses = [server.ask()[0] for _ in range(3)]
        health = server.health()
    finally:
        for s in held:
            s.close()
        log = server.stop()
    return {"nofile": nofile, "connections_opened": opened, "runaway_status": runaway.get("status"),
            "seconds_to_first_answer": round(recovered, 2), "asks_after": statuses, "health": health,
            "log_bytes": len(log)}


def huge_pages(parallel: int = 4) -> dict:
    """Four /query pages of a 100,000-row result at once, and ASK {} beside them."""
    server = Server("--timeout", "20", "--workers", "2")
    try:
        before = server.rss_kb()
        url = server.base + "/query?" + urlencode({"query": HUGE_PAGE})
        results: list = []
        threads = [threading.Thread(target=lambda: results.append(get(url, timeout=60))) for _ in range(parallel)]
        start = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(0.5)
        ask_status, ask_seconds = server.ask()
        for t in threads:
            t.join(60)
        took = time.monotonic() - start
        peak = server.rss_kb("VmHWM")
    finally:
        server.stop()
    return {"statuses": sorted(r[0] for r in results), "page_bytes": max(len(r[1]) for r in results),
            "pages_bounded": all(b"rows 1\xe2\x80\x93200 of" in r[1] for r in results),
            "seconds": round(took, 2), "ask_status": ask_status, "ask_seconds": round(ask_seconds, 3),
            "server_growth_mb": round((peak - before) / 1024, 1)}


def slow_readers(clients: int = 12, rows: int = 300) -> dict:
    """Clients that ask for about 30 MB each and never read (the server's budget for held results is 256 MB)."""
    import socket as sock

    server = Server("--timeout", "20", "--workers", "2", "--send-timeout", "3")
    sockets = []
    try:
        before = server.rss_kb()
        query = urlencode({"query": BIG_ROWS.replace("{n}", str(rows)), "format": "csv"})
        for i in range(clients):  # twelve clients, each from its own loopback address
            s = sock.socket()
            s.setsockopt(sock.SOL_SOCKET, sock.SO_RCVBUF, 4096)
            s.bind((f"127.0.0.{10 + i}", 0))
            s.connect(("127.0.0.1", server.port))
            s.sendall(f"GET /sparql?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            sockets.append(s)  # and never read
        peak, released_after = 0, None
        start = time.monotonic()
        seen_held = False
        while time.monotonic() - start < 45:
            peak = max(peak, server.rss_kb())
            held = server.health()["held_result_bytes"]
            seen_held = seen_held or held > 0
            if seen_held and held == 0:
                released_after = time.monotonic() - start
                break
            time.sleep(0.2)
        ask_status, _ = server.ask()
    finally:
        for s in sockets:
            s.close()
        server.stop()
    return {"clients": clients, "result_mb_each": rows / 10, "server_growth_mb": round((peak - before) / 1024, 1),
            "held_released_after_s": round(released_after, 1) if released_after else None,
            "ask_status_after": ask_status}


def runaway_clients(clients: int = 50, probes: int = 9, warm_up: float = 8.0, hogs: int = 0) -> dict:
    """50 clients (distinct loopback addresses) loop on runaway queries; new clients probe with ASK {}.

    With ``hogs``, that many processes spin on the CPU throughout, as other
    work on a busy machine would: queries get less CPU than wall time.
    """
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(hogs)]
    try:
        return _runaway_clients(clients, probes, warm_up) | {"hogs": hogs}
    finally:
        for p in spinners:
            p.kill()
            p.wait()


def _runaway_clients(clients: int, probes: int, warm_up: float) -> dict:
    server = Server("--timeout", "10", "--workers", "2")
    stop = threading.Event()
    body = urlencode({"query": RUNAWAY}).encode()
    answers: list[bytes] = []

    def attacker(source: str):
        while not stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", server.port), timeout=15,
                                              source_address=(source, 0)) as s:
                    s.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                              b"Content-Type: application/x-www-form-urlencoded\r\n"
                              + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                    data = s.recv(64)
                    while s.recv(65536):
                        pass
                    answers.append(data.split(b" ", 2)[1] if data else b"?")
            except OSError:
                time.sleep(0.05)

    threads = [threading.Thread(target=attacker, args=(f"127.0.0.{i}",), daemon=True) for i in range(2, 2 + clients)]
    latencies, statuses = [], []
    try:
        for t in threads:
            t.start()
        # The first burst of 50 queries, none of their clients seen before, is served in arrival order;
        # the bound is for the attack under way, once every attacker has asked.
        time.sleep(warm_up)
        for i in range(probes):
            # A different query each time: an answer the server has cached would measure nothing.
            status, took = probe(server.port, f"127.0.0.{200 + i}", f"/sparql?query=ASK%7BBIND({i}%20AS%20%3Fx)%7D")
            statuses.append(status)
            latencies.append(round(took, 3))
            time.sleep(0.3)
        page_status, page_took = probe(server.port, "127.0.0.250", "/ontology")
    finally:
        stop.set()
        for t in threads:
            t.join(20)
        server.stop()
    from collections import Counter

    return {"clients": clients, "probe_statuses": statuses, "probe_seconds": latencies,
            "probe_median_s": statistics.median(latencies), "probe_max_s": max(latencies),
            "ontology_status": page_status, "ontology_seconds": round(page_took, 3),
            "attacker_answers": dict(Counter(a.decode() for a in answers))}


# ---------------------------------------------------------------- report

def section(figures: dict) -> str:
    d, h, s = (figures[k] for k in ("descriptors", "pages", "slow"))

    def runaway(r: dict) -> str:
        return (f"ASK {{}} from {len(r['probe_seconds'])} new clients: {r['probe_statuses'].count(200)} answered, "
                f"median {r['probe_median_s']} s, max {r['probe_max_s']} s; /ontology {r['ontology_status']} in "
                f"{r['ontology_seconds']} s; attackers got {r['attacker_answers']}")

    rows = [
        ("pool after descriptor exhaustion",
         f"{d['connections_opened']} half-sent connections under a {d['nofile']}-descriptor limit while a runaway "
         f"query timed out ({d['runaway_status']}); first answer {d['seconds_to_first_answer']} s after they closed; "
         f"then {d['asks_after']}; pool: {d['health']['workers']} serving, {d['health']['spares']} spare, "
         f"{d['health']['replaced']} replaced; log {d['log_bytes']} bytes"),
        ("/query pages of a 100,000-row result",
         f"4 at once: {h['statuses']}, largest page {h['page_bytes'] // 1024} kB, server grew {h['server_growth_mb']} MB; "
         f"ASK {{}} beside them {h['ask_status']} in {h['ask_seconds']} s"),
        ("clients that do not read",
         f"{s['clients']} clients x {s['result_mb_each']:g} MB, never read: server grew {s['server_growth_mb']} MB; "
         f"results released after {s['held_released_after_s']} s; ASK {{}} after: {s['ask_status_after']}"),
        ("50 runaway clients", runaway(figures["runaway"])),
        (f"50 runaway clients, {figures['runaway_busy']['hogs']} CPU-bound processes beside",
         runaway(figures["runaway_busy"])),
    ]
    return "\n".join([
        HEADING, "",
        "Real `policykg serve` processes on loopback, one per scenario, each attack bounded in count and time; "
        "the tests in `tests/test_attack_load.py` run the same scenarios and assert the bounds.", "",
        f"- machine: {platform.machine()}, Python {platform.python_version()}; "
        f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "- command: `python bench/hostile_load_bench.py`", "",
        "| scenario | measured |", "| --- | --- |",
        *[f"| {a} | {b} |" for a, b in rows], "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    figures = {"descriptors": descriptor_exhaustion(), "pages": huge_pages(), "slow": slow_readers(),
               "runaway": runaway_clients(), "runaway_busy": runaway_clients(hogs=2)}
    print(json.dumps(figures, indent=1))
    text = section(figures)
    print(text)
    if not args.no_write:
        sys.path.insert(0, str(HERE))
        from results_file import replace_section

        replace_section(HERE / "RESULTS.md", HEADING, text)


if __name__ == "__main__":
    main()
