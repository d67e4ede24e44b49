"""Wall time of `policykg validate` on the shipped graph, median of N runs.

Baselines measured in the same run: Python start-up with the package
imported, and loading the graph without SHACL, so the figure says what
validation itself costs on this machine.

    python bench/validate_time.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "import policykg (baseline)": [sys.executable, "-c", "import policykg"],
    "load graph, strict parse (baseline)": [sys.executable, "-c", "import policykg; len(policykg.load().store)"],
    "policykg stats": [shutil.which("policykg") or "policykg", "stats"],
    "policykg validate": [shutil.which("policykg") or "policykg", "validate"],
}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = {}
    for name, cmd in COMMANDS.items():
        timed(cmd)  # warm the file cache
        results[name] = [timed(cmd) for _ in range(args.runs)]
    base = statistics.median(results["import policykg (baseline)"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"command: python bench/validate_time.py --runs {args.runs}\n")
    print("| command | median (s) | min (s) | max (s) | x import |")
    print("| --- | --- | --- | --- | --- |")
    for name, times in results.items():
        med = statistics.median(times)
        print(f"| {name} | {med:.2f} | {min(times):.2f} | {max(times):.2f} | {med / base:.1f} |")


if __name__ == "__main__":
    main()
