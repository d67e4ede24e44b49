"""Wall time of `policykg validate` on the shipped graph, against raw pyshacl on the same files.

The baseline does the same work: a ``python -c`` that parses the same
ontology, vocabulary and graph files with rdflib, parses the same shapes
files, and calls ``pyshacl.validate`` with the options policykg passes
(``policykg.rdf.validation.shacl_violations``: ``inference="none"``,
``advanced=True``, ``allow_warnings=True``, ``do_owl_imports=False``). It
prints the number of validation results, which must equal policykg's.

policykg keeps validation verdicts in a cache keyed by the bytes of the files
(``$POLICYKG_CACHE``); the measured row runs every time with a fresh, empty
cache folder, so it validates. A diagnostic row shows a run whose verdict is
already cached.

Two floors are shown beside them, labelled as such: Python start-up
(``python -c pass``) and ``policykg.load()`` (strict parse into the store, no
SHACL). All commands are whole processes of the venv's interpreter, run
round-robin (one of each in turn) after one warm-up each, so noise from
other processes on the machine falls on all of them alike; medians of
``--runs``.

    python bench/validate_time.py [--runs 5] [--no-write]

Writes the section "## policykg validate on the shipped graph" of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results_file import command_line, loadavg, machine_line, now, replace_section  # noqa: E402

SECTION = "## policykg validate on the shipped graph"
PY = sys.executable
POLICYKG = str(Path(PY).with_name("policykg"))

# The baseline: rdflib parse of the same files + pyshacl with policykg's options.
RAW_PYSHACL = r"""
import json, sys
import rdflib
from pyshacl import validate
files = json.loads(sys.argv[1])
data, shapes = rdflib.Graph(), rdflib.Graph()
for f in files["data"]:
    data.parse(f, format="nt" if f.endswith(".nt") else "turtle")
for f in files["shapes"]:
    shapes.parse(f, format="nt" if f.endswith(".nt") else "turtle")
conforms, results, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                allow_warnings=True, do_owl_imports=False)
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
print(len(set(results.subjects(rdflib.RDF.type, SH.ValidationResult))), len(data))
"""


def input_files() -> dict[str, list[str]]:
    """The files `policykg validate` reads for the shipped data, in its order."""
    from policykg import paths
    from policykg.rdf.loading import PARTS, part_files

    root = paths.data_root()
    return {"data": [str(p) for part in PARTS for p in part_files(root, part)],
            "shapes": [str(p) for p in part_files(root, "shapes")]}


FRESH = "fresh"  # a new, empty cache folder for every run


def commands(files: dict, warm_cache: Path) -> dict[str, tuple[str, list[str], object]]:
    """label -> (role, argv, cache: None, FRESH or a folder)."""
    return {
        "python -c pass": ("floor", [PY, "-c", "pass"], None),
        "policykg.load() (strict parse into the store, no SHACL)": (
            "floor", [PY, "-c", "import policykg; policykg.load().store"], None),
        "policykg stats": ("diagnostic", [POLICYKG, "stats"], None),
        "raw pyshacl: rdflib parse of the same files + pyshacl.validate, same options": (
            "baseline", [PY, "-c", RAW_PYSHACL, json.dumps(files)], None),
        "policykg validate (empty verdict cache: validates)": ("measured", [POLICYKG, "validate"], FRESH),
        "policykg validate (verdict already cached)": ("diagnostic", [POLICYKG, "validate"], warm_cache),
    }


def timed(argv: list[str], cache, scratch: Path) -> float:
    env = None
    if cache is not None:
        folder = Path(tempfile.mkdtemp(dir=scratch)) if cache == FRESH else cache
        env = dict(os.environ, POLICYKG_CACHE=str(folder))
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def agreement(files: dict) -> dict:
    """Result counts of both validators (outside the timing)."""
    import policykg

    out = subprocess.run([PY, "-c", RAW_PYSHACL, json.dumps(files)], check=True, capture_output=True, text=True).stdout
    raw_results, raw_triples = (int(x) for x in out.split())
    os.environ["POLICYKG_CACHE"] = tempfile.mkdtemp(prefix="policykg-validate-time-")  # validates
    report = policykg.validate()
    shutil.rmtree(os.environ.pop("POLICYKG_CACHE"), ignore_errors=True)
    return {"raw_results": raw_results, "raw_triples": raw_triples, "policykg_results": len(report.violations),
            "policykg_triples": report.triples, "policykg_files": report.files, "conforms": report.conforms}


def measure(runs: int) -> dict:
    files = input_files()
    scratch = Path(tempfile.mkdtemp(prefix="policykg-validate-time-"))
    try:
        warm = scratch / "warm"
        warm.mkdir()
        cmds = commands(files, warm)
        for _, argv, cache in cmds.values():  # warm-up: the OS page cache (and the warm verdict cache)
            timed(argv, cache, scratch)
        samples: dict[str, list[float]] = {name: [] for name in cmds}
        load_start = loadavg()
        for _ in range(runs):
            for name, (_, argv, cache) in cmds.items():
                samples[name].append(timed(argv, cache, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"runs": runs, "files": files, "agreement": agreement(files), "loadavg": load_start,
            "rows": [{"name": n, "role": cmds[n][0], "samples": s} for n, s in samples.items()]}


def section(data: dict, command: str, total: float) -> str:
    rows = {r["name"]: r for r in data["rows"]}
    med = {n: statistics.median(r["samples"]) for n, r in rows.items()}
    base_name = next(n for n, r in rows.items() if r["role"] == "baseline")
    meas_name = next(n for n, r in rows.items() if r["role"] == "measured")
    ratio = med[meas_name] / med[base_name]
    a = data["agreement"]
    same = a["raw_results"] == a["policykg_results"]
    L = [SECTION, "",
         "Whole processes on the shipped graph, median of "
         f"{data['runs']} round-robin runs (one of each command in turn) after one warm-up each. "
         "The baseline does the same work as `policykg validate`: rdflib parses the same "
         f"{len(data['files']['data'])} ontology, vocabulary and graph files and the "
         f"{len(data['files']['shapes'])} shapes file(s), then `pyshacl.validate(data, shacl_graph=shapes, "
         "inference=\"none\", advanced=True, allow_warnings=True, do_owl_imports=False)`, the call "
         "policykg's `shacl_violations` makes (SHACL core and SHACL-SPARQL constraints). "
         "`policykg validate` also parses every file strictly with pyoxigraph first and reports each result "
         "with its file and line. It keeps verdicts in a cache keyed by the files' bytes: the measured row "
         "gets a fresh, empty cache folder (`POLICYKG_CACHE`) on every run, so it validates; the diagnostic "
         "row below it reads a verdict already cached. The two floors (labelled) do less work and are there "
         "to show what start-up and loading cost; they are not baselines.",
         "",
         f"- machine: {machine_line()}",
         f"- load average at start: {data['loadavg']}; the machine is shared with a test suite, so other "
         "processes add noise (round-robin order spreads it over all commands)",
         f"- PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')} (1: policykg's own modules "
         "are compiled on every run; rdflib's and pyshacl's come from the venv's bytecode)",
         f"- date: {now()}",
         f"- command: `{command}` (total {total:.0f} s)",
         f"- results agree: policykg {a['policykg_results']} SHACL result(s) over {a['policykg_triples']} triples, "
         f"raw pyshacl {a['raw_results']} over {a['raw_triples']} triples: {'same' if same else 'DIFFERENT'}",
         "",
         "| command | role | median (s) | min (s) | max (s) | x raw pyshacl |",
         "| --- | --- | --- | --- | --- | --- |"]
    for n, r in rows.items():
        s = r["samples"]
        L.append(f"| {n} | {r['role']} | {med[n]:.2f} | {min(s):.2f} | {max(s):.2f} | {med[n] / med[base_name]:.2f} |")
    L += ["",
          f"Summary: `policykg validate` (validating, empty cache) {med[meas_name]:.2f} s against raw pyshacl on the same files "
          f"{med[base_name]:.2f} s: {ratio:.2f}x (median of {data['runs']})."]
    return "\n".join(L) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-write", action="store_true", help="print the section only")
    args = ap.parse_args()
    t0 = time.perf_counter()
    data = measure(args.runs)
    text = section(data, command_line("validate_time.py"), time.perf_counter() - t0)
    print(text)
    if not args.no_write:
        replace_section(args.results, SECTION, text)


if __name__ == "__main__":
    main()
