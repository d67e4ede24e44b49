"""Start-up: ``policykg query NAME`` as a whole process, against importing pyoxigraph.

The reference is ``python -c "import pyoxigraph"`` from the same interpreter:
the least any process that queries an Oxigraph store pays. It is a floor, not
a same-work baseline (it loads no graph and runs no query). Runs are
interleaved (baseline, then each policykg command, in turn) so machine noise
falls on all of them alike; the figure is the ratio of medians. Python runs
with its default settings here, and this environment sets
PYTHONDONTWRITEBYTECODE, so the package's own modules are compiled on every
run, as a user of a checkout sees them.

    python bench/startup_bench.py --runs 21       # writes its section of bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results_file import machine_line, replace_section  # noqa: E402

HEADING = "## Start-up of policykg query"
TARGET = 3.0


def commands() -> dict[str, list[str]]:
    exe = Path(sys.executable)
    policykg = str(exe.with_name("policykg"))
    return {
        'python -c "import pyoxigraph" (floor)': [str(exe), "-c", "import pyoxigraph"],
        "policykg --version": [policykg, "--version"],
        "policykg query cq-people-quoted": [policykg, "query", "cq-people-quoted"],
        "policykg query members-by-role -p program ...": [policykg, "query", "members-by-role", "-p", "program",
                                                          "pkd:bj-gai-partnership-program-2023"],
    }


def measure(runs: int) -> dict[str, list[float]]:
    cmds = commands()
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for name, argv in cmds.items():  # one warm-up each: the OS page cache, not Python's
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    for _ in range(runs):
        for name, argv in cmds.items():
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - start)
    return times


def section(times: dict[str, list[float]], runs: int) -> str:
    names = list(times)
    base = statistics.median(times[names[0]])
    rows = []
    for name in names:
        med = statistics.median(times[name])
        rows.append(f"| {name} | {med * 1000:.1f} | {min(times[name]) * 1000:.1f} | "
                    f"{max(times[name]) * 1000:.1f} | {med / base:.2f} |")
    query_ratio = statistics.median(times[names[2]]) / base
    verdict = "PASS" if query_ratio <= TARGET else "FAIL"
    return "\n".join([
        HEADING,
        "",
        f"Whole processes, median of {runs} interleaved runs, beside `python -c \"import pyoxigraph\"` "
        "from the same interpreter. That is a floor, not a same-work baseline: it loads no graph and runs "
        "no query; the ratio says how far above bare start-up a query process is. A query run imports "
        "click, loads the graph and runs the loader's updates (entailed types, display labels), forks a "
        "worker that checks, evaluates and serializes, and prints.",
        "",
        f"- machine: {machine_line()}; shared with a test suite, so other processes add noise "
        "(interleaved runs spread it over all commands)",
        f"- PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!s} (1: no bytecode cache "
        "for the package's own modules)",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- command: `python bench/startup_bench.py --runs {runs}`",
        "",
        "| command | median (ms) | min (ms) | max (ms) | x floor |",
        "| --- | --- | --- | --- | --- |",
        *rows,
        "",
        f"Target: `policykg query NAME` within {TARGET:g}x the floor: {query_ratio:.2f}x, {verdict}.",
    ]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--no-write", action="store_true", help="Print the section only.")
    args = parser.parse_args()
    text = section(measure(args.runs), args.runs)
    print(text)
    if not args.no_write:
        replace_section(HERE / "RESULTS.md", HEADING, text)


if __name__ == "__main__":
    main()
