"""Crash safety of ``-o`` outputs: SIGKILL writers at random points.

For each command (``export --format nt``, ``viz``, ``export-network --format
graphml``) the output file is first given known old content; the command is
started as a subprocess and SIGKILLed after a random delay between 0 and its
normal duration (seeded). Afterwards the output must be either the old file,
byte for byte, or a complete new one (N-Triples parsed by pyoxigraph, HTML
ending in ``</html>``, GraphML parsed by networkx): never a partial file.

A killed process cannot remove its temp file (``.OUT.XXXX.tmp`` beside
OUT), so the loop counts the temp files each run leaves: a run that exited
normally must leave none, and a temp file never takes OUT's place.

    python bench/kill_bench.py                 # 50 + 50 runs per command, seed 1
    python bench/kill_bench.py --runs 200 --seed 7 --no-write

Writes the section "## Crash safety (SIGKILL)" of bench/RESULTS.md (unless
--no-write); exit 1 if any run left a partial file.
"""

from __future__ import annotations

import argparse
import io
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling modules, also when the tests import this
from results_file import command_line, loadavg, machine_line, now, replace_section  # noqa: E402

POLICYKG = str(Path(sys.executable).with_name("policykg"))
OLD = b"OLD COMPLETE FILE: written before the run, must survive a killed run byte for byte\n"


def _nt_ok(data: bytes) -> bool:
    import pyoxigraph as ox

    try:
        triples = list(ox.parse(io.BytesIO(data), format=ox.RdfFormat.N_TRIPLES))
    except (SyntaxError, ValueError):
        return False
    return len(triples) > 1000 and data.endswith(b"\n")


def _html_ok(data: bytes) -> bool:
    text = data.decode("utf-8", errors="strict").rstrip()
    return text.lower().startswith("<!doctype html") and text.endswith("</html>")


def _graphml_ok(data: bytes) -> bool:
    import networkx as nx

    try:
        g = nx.read_graphml(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - any parse failure means a partial file
        return False
    return g.number_of_nodes() > 10


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]  # before the output path
    suffix: str
    complete: object  # bytes -> bool


COMMANDS = (
    Command("export --format nt", ("export", "--format", "nt", "-o"), ".nt", _nt_ok),
    Command("viz", ("viz", "-o"), ".html", _html_ok),
    Command("export-network --format graphml", ("export-network", "--format", "graphml", "-o"), ".graphml", _graphml_ok),
)


@dataclass
class Result:
    command: str
    runs: int = 0
    duration: float = 0.0  # median normal run, seconds
    killed: int = 0  # still running at the kill
    finished: int = 0  # exited before the kill came
    old: int = 0  # OUT was the old file afterwards
    new: int = 0  # OUT was a complete new file
    partial: int = 0  # anything else: must stay 0
    tmp_left: int = 0  # temp files left behind (by killed runs)
    tmp_left_complete: int = 0  # of those, how many held the whole output (killed between fsync and rename)
    tmp_from_finished: int = 0  # temp files left by runs that exited normally: must stay 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.partial == 0 and self.tmp_from_finished == 0 and not self.failures


def _temps(folder: Path, out: Path) -> set[str]:
    return {p.name for p in folder.glob(f".{out.name}.*.tmp")}


def _normal_duration(cmd: Command, out: Path, samples: int = 3) -> float:
    times = []
    for _ in range(samples):
        t0 = time.monotonic()
        subprocess.run([POLICYKG, *cmd.args, str(out)], check=True, stdout=subprocess.DEVNULL)
        times.append(time.monotonic() - t0)
    return statistics.median(times)


def kill_loop(cmd: Command, runs: int, seed: int, folder: Path, duration: float | None = None,
              window: tuple[float, float] = (0.0, 1.0)) -> Result:
    """``runs`` start-and-SIGKILL rounds of ``cmd`` writing into ``folder``.

    Each kill comes after a delay drawn uniformly from ``window`` (fractions
    of the normal duration): (0, 1) anywhere in the run; (0.7, 1.1) aims at
    the end, where the output is written and renamed.
    """
    rng = random.Random(f"{seed}:{cmd.name}:{window}")
    out = folder / f"out{cmd.suffix}"
    res = Result(cmd.name, duration=duration or _normal_duration(cmd, out))
    new_size = out.stat().st_size if out.exists() else None
    for i in range(runs):
        out.write_bytes(OLD)
        before = _temps(folder, out)
        delay = rng.uniform(window[0] * res.duration, window[1] * res.duration)
        proc = subprocess.Popen([POLICYKG, *cmd.args, str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        killed = proc.returncode == -signal.SIGKILL
        res.runs += 1
        res.killed += killed
        res.finished += not killed
        if not killed and proc.returncode != 0:
            res.failures.append(f"run {i}: exit {proc.returncode}: {err.decode(errors='replace').strip()[-300:]}")
        data = out.read_bytes()
        if data == OLD:
            res.old += 1
        elif cmd.complete(data):
            res.new += 1
            new_size = len(data)
        else:
            res.partial += 1
            res.failures.append(f"run {i}: partial output ({len(data)} bytes) after {delay:.3f} s")
        left = _temps(folder, out) - before
        if killed:
            res.tmp_left += len(left)
            for name in left:
                if new_size is not None and (folder / name).stat().st_size == new_size:
                    res.tmp_left_complete += 1
        else:
            res.tmp_from_finished += len(left)
            if data == OLD:
                res.failures.append(f"run {i}: exited normally but OUT is still the old file")
    # A normal run after all that: replaces OUT, leaves no temp file of its own,
    # and does not touch the ones killed runs left.
    before = _temps(folder, out)
    subprocess.run([POLICYKG, *cmd.args, str(out)], check=True, stdout=subprocess.DEVNULL)
    if not cmd.complete(out.read_bytes()):
        res.failures.append("final normal run: OUT is not complete")
    if _temps(folder, out) != before:
        res.failures.append("final normal run changed the set of temp files")
    return res


SECTION = "## Crash safety (SIGKILL)"


def section(results: list[tuple[str, tuple[float, float], Result]], command: str, seconds: float, load: str) -> str:
    """The RESULTS.md section: one row per command and window, and the totals."""
    runs = sum(r.runs for _, _, r in results)
    partial = sum(r.partial for _, _, r in results)
    left = sum(r.tmp_left for _, _, r in results)
    left_complete = sum(r.tmp_left_complete for _, _, r in results)
    ok = all(r.ok for _, _, r in results)
    L = [SECTION, "",
         "Each command runs as a subprocess and is SIGKILLed after a random delay (seeded), drawn uniformly from "
         "0 to 1 x the command's normal run time (\"anywhere\") or from 0.7 to 1.1 x (\"late\", where it "
         "serializes, writes and renames). Before every run OUT holds known old content; afterwards it must be "
         "the old file byte for byte or a complete new file (N-Triples that pyoxigraph parses with more than "
         "1,000 triples, HTML from `<!doctype html` to `</html>`, GraphML that networkx reads). A pass/fail "
         "run: there is no baseline and no performance figure. `normal run` is the median of 3 runs without a kill.",
         "",
         f"- machine: {machine_line()}",
         f"- load average at start: {load}; the machine is shared with a test suite, which is why the normal "
         "run times vary",
         f"- date: {now()}",
         f"- command: `{command}` ({seconds:.0f} s)",
         "",
         "| command | window | normal run (s) | runs | killed | finished first | OUT old | OUT new | partial | "
         "temp files left by kills (complete) | temp files left by finished runs |",
         "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label, window, r in results:
        L.append(f"| `policykg {r.command} -o OUT` | {label} ({window[0]:g}-{window[1]:g} x) | {r.duration:.2f} | "
                 f"{r.runs} | {r.killed} | {r.finished} | {r.old} | {r.new} | **{r.partial}** | "
                 f"{r.tmp_left} ({r.tmp_left_complete}) | {r.tmp_from_finished} |")
    L += ["",
          f"Summary: partial files {partial} of {runs} runs; temp files left by kills {left} "
          f"({left_complete} of them holding the whole output); {'PASS' if ok else 'FAIL'}."]
    failures = [f"{r.command} [{label}]: {f}" for label, _, r in results for f in r.failures]
    if failures:
        L += ["", "Failures:", ""] + [f"- {f}" for f in failures[:20]]
    return "\n".join(L) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50, help="runs per command (default 50)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--late-runs", type=int, default=50,
                    help="further runs per command killed late in the run (0.7-1.1 x its duration), where it writes")
    ap.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md")
    ap.add_argument("--no-write", action="store_true", help="print the section only")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    load = loadavg()
    results = []
    with tempfile.TemporaryDirectory(prefix="policykg-kill-") as tmp:
        for cmd in COMMANDS:
            for label, runs, window in (("anywhere", args.runs, (0.0, 1.0)), ("late", args.late_runs, (0.7, 1.1))):
                if not runs:
                    continue
                folder = Path(tmp) / f"{cmd.suffix.lstrip('.')}-{label}"
                folder.mkdir()
                r = kill_loop(cmd, runs, args.seed, folder, window=window)
                results.append((label, window, r))
                print(f"{r.command} [{label}]: {r.runs} runs, {r.killed} killed, {r.finished} finished first; "
                      f"old {r.old}, new {r.new}, partial {r.partial}; temp files left {r.tmp_left} "
                      f"({r.tmp_left_complete} complete), by finished runs {r.tmp_from_finished}", file=sys.stderr)
                for f in r.failures:
                    print(f"  FAIL {f}", file=sys.stderr)
    text = section(results, command_line("kill_bench.py", argv), time.monotonic() - t0, load)
    print(text)
    if not args.no_write:
        replace_section(args.results, SECTION, text)
    return 0 if all(r.ok for _, _, r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
