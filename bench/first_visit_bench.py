"""The first visit to /charts and /search after ``policykg serve`` starts, with and without the warm-up.

    python bench/first_visit_bench.py [--runs 3] [--sizes shipped,100k]   # writes its section of bench/RESULTS.md

Each run starts a fresh ``policykg serve`` on a free loopback port, polls
/health until it answers 200 (the server is ready), then:

* ``no warm-up`` (``POLICYKG_WARMUP=0``: every cache is built by its first
  visitor, as before the warm-up existed): GET /charts, then GET
  /search?q=Beijing, at once;
* ``warm-up, visit at once``: the same two requests right after /health, so
  they meet the warm-up under way (a request waits for at most the item
  being built, and shares it);
* ``warm-up, visit once warm``: the same two requests after /health reports
  the warm-up done (the time until then is reported too).

Figures are medians of ``--runs`` runs, round-robin. The verdict cache
(``POLICYKG_CACHE``, a folder of this run) is filled by an untimed first
start, so every timed start finds the graph unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results_file import command_line, loadavg, machine_line, now, replace_section  # noqa: E402
from serve_start_bench import free_port, status_of, stop_session  # noqa: E402

HEADING = "## First visit after start-up"
PAGES = {"charts": "/charts", "search": "/search?q=Beijing"}
MODES = ("no warm-up", "warm-up, visit at once", "warm-up, visit once warm")


def get(port: int, path: str) -> tuple[int, float]:
    start = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=600) as r:
        r.read()
        return r.status, time.perf_counter() - start


def warmup_state(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=60) as r:
        return json.loads(r.read())["warmup"]


def one_run(mode: str, data: Path | None, env: dict) -> dict[str, float]:
    port = free_port()
    argv = [str(Path(sys.executable).with_name("policykg")), "serve", "--port", str(port)]
    if data is not None:
        argv += ["--data-dir", str(data)]
    env = dict(env, POLICYKG_WARMUP="0" if mode == "no warm-up" else "1")
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    out: dict[str, float] = {}
    try:
        while status_of(port, "/health") != 200:
            if proc.poll() is not None:
                raise SystemExit(f"serve exited with {proc.returncode}")
            if time.perf_counter() - start > 300:
                raise SystemExit("serve did not answer /health within 300 s")
            time.sleep(0.005)
        out["ready"] = time.perf_counter() - start
        if mode == "warm-up, visit once warm":
            while warmup_state(port)["state"] != "done":
                time.sleep(0.05)
            out["warm"] = time.perf_counter() - start
        for name, path in PAGES.items():
            status, seconds = get(port, path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            out[name] = seconds
    finally:
        stop_session(proc)
    return out


def measure(data: Path | None, runs: int, env: dict) -> dict[str, dict[str, float]]:
    one_run("no warm-up", data, env)  # fills the verdict cache; untimed
    got: dict[str, list[dict]] = {m: [] for m in MODES}
    for _ in range(runs):
        for mode in MODES:
            got[mode].append(one_run(mode, data, env))
    return {mode: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for mode, rs in got.items()}


def section(results: dict, runs: int) -> str:
    lines = [HEADING, "",
             "The first GET /charts (11 charts) and GET /search?q=Beijing after `policykg serve` answers /health, "
             "without the warm-up (`POLICYKG_WARMUP=0`: caches built by their first visitor) and with it "
             "(`policykg.web.warmup`: caches built after start-up, between requests), medians of "
             f"{runs} runs (see the script's docstring).", "",
             f"- machine: {machine_line()}; load {loadavg()}; date: {now()}",
             f"- command: `{command_line('first_visit_bench.py')}`", ""]
    for size, by_mode in results.items():
        lines += [f"### {size}", "",
                  "| mode | /health ready (s) | warm-up done (s) | first /charts (s) | first /search (s) |",
                  "| --- | --- | --- | --- | --- |"]
        for mode, r in by_mode.items():
            warm = f"{r['warm']:.2f}" if "warm" in r else "-"
            lines.append(f"| {mode} | {r['ready']:.2f} | {warm} | {r['charts']:.2f} | {r['search']:.3f} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    from query_bench import ensure_graph, parse_size, size_name

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="shipped")
    parser.add_argument("--out-root", type=Path, default=Path("/tmp/pkg-bench"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="first-visit-") as work:
        env = dict(os.environ, POLICYKG_CACHE=str(Path(work) / "cache"))
        for size in args.sizes.split(","):
            if size == "shipped":
                results["shipped graph"] = measure(None, args.runs, env)
            else:
                n = parse_size(size)
                results[size_name(n)] = measure(ensure_graph(n, args.out_root, 1), args.runs, env)
            print(f"{size}: done", file=sys.stderr)
    text = section(results, args.runs)
    print(text)
    if not args.no_write:
        replace_section(HERE / "RESULTS.md", HEADING, text)


if __name__ == "__main__":
    main()
