"""Network view benchmark: time to a settled, drawn view in headless Chromium, against today's page.

    python bench/viz_bench.py [--sizes 2000,5000,20000] [--baseline-ref COMMIT] [--out-root /tmp/pkg-bench/viz]

For the shipped graph (about 300 nodes) and for synthetic graphs
(``bench/generate.py``) whose network has about 2,000, 5,000 and 20,000 nodes,
it writes two pages of the same network, each with ``policykg viz
[--data-dir DIR] -o FILE``:

* the page of this checkout (vis-network vendored from npm, layout computed
  before drawing, the default view of policies, programs, government bodies,
  organizations and people);
* the baseline, today's page: ``policykg viz`` of the commit ``--baseline-ref``
  (default: the last commit before the new view, which inlines pyvis's
  vis-network 9.1.2 and runs a bounded Barnes-Hut stabilisation over every
  node), taken with ``git archive`` into ``<out-root>/baseline-<ref>/`` and run
  from there with ``PYTHONPATH`` pointing at it.

Both are opened from ``file://`` in Debian's Chromium (the launch of
``tests/browser/conftest.py``), a fresh browser context per run, and timed by
their own ``window.__networkStable`` (ms from navigation start to the first
drawn frame of the finished layout; ``document.body.dataset.stable == "1"``).
The median over the runs is reported.

The new page draws fewer nodes by default, so it also gets a second row that
does the baseline's work: after it has settled, a click on "all" shows every
class, the layout runs again over all of them and the frame is drawn
(``network.redraw()``); the row is the settled time plus that step.

Synthetic sizes are found by calibration (a triple count guessed from a linear
model, corrected by secant steps until the node count is within 5 % of the
aim) and remembered in ``<out-root>/calibration.json``. Every browser context
aborts (and counts) any http(s)/ws request. The results replace the section
"## Network view in the browser" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling modules, also when the tests import this
from results_file import cpu_model, replace_section, versions, with_notes  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable
SECTION = "## Network view in the browser"
CHROMIUM = os.environ.get("POLICYKG_CHROMIUM") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]
VIEWPORT = {"width": 1280, "height": 800}
#: Today's page: the last commit before the new network view.
BASELINE_REF = "3daa21550ea4723f6698518ca008b5f9cf17367a"
# Targets of issue 11, ms to a settled, drawn view.
TARGETS = [("shipped", None, 500.0), ("about 5,000 nodes", 5000, 2000.0), ("about 20,000 nodes", 20000, 5000.0)]

# After the page has settled: show every class, lay out again, draw.
ALL_CLASSES = """() => {
  const t0 = performance.now();
  document.getElementById('pk-classes-all').click();
  window.__network.redraw();
  const c = window.policykgView.counts();
  return {ms: performance.now() - t0, nodes: c.nodes, edges: c.edges};
}"""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- graphs

def count_network(data_dir: Path | None) -> tuple[int, int]:
    """(nodes, edges) of build_network on the data dir, in a fresh process (bounded memory here)."""
    code = ("import sys, json, policykg; from pathlib import Path; from policykg.network.projection import build_network; "
            "d = Path(sys.argv[1]) if sys.argv[1] else None; g = build_network(policykg.load(d)).graph; "
            "print(json.dumps([g.number_of_nodes(), g.number_of_edges()]))")
    out = subprocess.run([PY, "-c", code, str(data_dir or "")], check=True, capture_output=True, text=True,
                         timeout=600).stdout
    n, e = json.loads(out.strip().splitlines()[-1])
    return n, e


def shipped_asserted_triples() -> int:
    """Asserted triples of the shipped graph/ (what generate.py counts as shipped_triples)."""
    import pyoxigraph as ox
    from policykg.paths import data_root

    triples = set()
    for f in sorted((data_root() / "graph").rglob("*.ttl")):
        triples.update(ox.parse(path=str(f), format=ox.RdfFormat.TURTLE))
    return len(triples)


def generate(triples: int, out_root: Path, seed: int) -> Path:
    d = out_root / f"t{triples}"
    info = d / "generated.json"
    if info.exists():
        data = json.loads(info.read_text())
        if data.get("target_triples") == triples and data.get("seed") == seed:
            return d
    log(f"generating {triples} triples -> {d}")
    subprocess.run([PY, str(HERE / "generate.py"), "--triples", str(triples), "--out", str(d), "--seed", str(seed)],
                   check=True, capture_output=True, timeout=600)
    return d


def calibrate(aim: int, out_root: Path, seed: int, cache: dict, shipped: tuple[int, int]) -> dict:
    """A generated data dir whose network has about ``aim`` nodes (within 5 %)."""
    key = f"{aim}:{seed}"
    if key in cache and (out_root / f"t{cache[key]['triples']}" / "generated.json").exists():
        return cache[key]
    shipped_nodes, shipped_triples = shipped
    points: list[tuple[int, int]] = [(shipped_triples, shipped_nodes)]
    for k in cache.values():
        points.append((k["triples"], k["nodes"]))
    # Linear model from the nearest known points (measured here: about 0.07 node per synthetic triple).
    guess = int(shipped_triples + (aim - shipped_nodes) / 0.07)
    best = None
    for _ in range(6):
        guess = max(guess, shipped_triples + 500)
        guess = int(round(guess, -2))
        d = generate(guess, out_root, seed)
        nodes, edges = count_network(d)
        log(f"calibration for {aim} nodes: {guess} triples -> {nodes} nodes, {edges} edges")
        points.append((guess, nodes))
        if best is None or abs(nodes - aim) < abs(best["nodes"] - aim):
            best = {"triples": guess, "nodes": nodes, "edges": edges, "dir": str(d)}
        if abs(nodes - aim) <= 0.05 * aim:
            break
        # Secant step through the two known points closest to the aim.
        near = sorted(set(points), key=lambda p: abs(p[1] - aim))[:2]
        (t1, n1), (t2, n2) = near
        slope = (n2 - n1) / (t2 - t1) if t2 != t1 and n2 != n1 else 0.07
        guess = int(t1 + (aim - n1) / slope)
    cache[key] = best
    return best


# --------------------------------------------------------------------------- pages

def write_page(data_dir: Path | None, out: Path, src: Path | None = None) -> dict:
    """``policykg viz`` into ``out``; ``src``: run the policykg package found there instead of this checkout's."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    code = "import policykg, sys; from policykg.cli import cli; sys.argv[0] = 'policykg'; cli()"
    cmd = [PY, "-c", code, "viz", "-o", str(out)] + (["--data-dir", str(data_dir)] if data_dir else [])
    t = time.perf_counter()
    res = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=900, env=env)
    return {"seconds": time.perf_counter() - t, "stdout": res.stdout.strip(), "bytes": out.stat().st_size}


def baseline_tree(ref: str, out_root: Path) -> Path:
    """The source of ``ref`` (src/, ontology/, graph/, queries/) unpacked under out_root; its src/ folder."""
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", ref], check=True, capture_output=True,
                            text=True).stdout.strip()
    root = out_root / f"baseline-{commit[:12]}"
    if not (root / "src" / "policykg" / "__init__.py").exists():
        root.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "src", "ontology", "graph", "queries"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    check = subprocess.run([PY, "-c", "import policykg; print(policykg.__file__)"], capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=str(root / "src")), check=True).stdout.strip()
    if not check.startswith(str(root)):
        raise SystemExit(f"baseline import picked {check}, not {root}")
    return root / "src"


def open_runs(browser, url: str, runs: int, label: str, timeout_s: float, all_classes: bool = False) -> list[dict]:
    out = []
    for i in range(runs):
        context, page, blocked, errors = offline_page(browser)
        rec: dict = {"run": i + 1}
        try:
            page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
            page.wait_for_function("() => document.body && document.body.dataset.stable === '1'",
                                   timeout=timeout_s * 1000, polling=20)
            rec["ms"] = page.evaluate("() => window.__networkStable")
            rec["nodes_drawn"] = page.evaluate(
                "() => window.policykgView && window.policykgView.counts ? window.policykgView.counts().nodes"
                " : (window.__nodes ? window.__nodes.get({filter: n => !n.hidden}).length : null)")
            if all_classes:
                step = page.evaluate(ALL_CLASSES)
                rec["all_step_ms"] = step["ms"]
                rec["all_ms"] = rec["ms"] + step["ms"]
                rec["all_nodes"] = step["nodes"]
        except Exception as e:  # noqa: BLE001 - a timeout is a result
            rec["ms"] = None
            rec["error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
        rec["blocked"] = list(blocked)
        rec["page_errors"] = errors
        context.close()
        log(f"  {label} run {i + 1}: {rec['ms'] if rec['ms'] is None else round(rec['ms'])} ms"
            + (f", all classes {round(rec['all_ms'])} ms" if rec.get("all_ms") is not None else "")
            + (f" ({rec['error']})" if rec.get("error") else ""))
        out.append(rec)
    return out


def summarise(runs: list[dict], key: str = "ms") -> dict:
    ok = [r[key] for r in runs if r.get(key) is not None]
    return {"median_ms": statistics.median(ok) if ok else None, "min_ms": min(ok) if ok else None,
            "max_ms": max(ok) if ok else None, "ok_runs": len(ok), "runs": len(runs)}


# --------------------------------------------------------------------------- report

def machine() -> dict:
    return {"cores": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version(),
            "platform": platform.platform(), "versions": versions("playwright"), "loadavg": os.getloadavg()}


def fmt(ms) -> str:
    return "-" if ms is None else f"{ms / 1000:.2f}"


def ratio(a, b) -> str:
    a, b = (a or {}).get("median_ms"), (b or {}).get("median_ms")
    return "-" if not a or not b else f"{a / b:.1f}x"


def report(data: dict) -> str:
    m = data["machine"]
    L = [SECTION, ""]
    L.append("Time to a settled, drawn view: `window.__networkStable`, ms from navigation start to the first drawn "
             "frame of the finished layout (`document.body.dataset.stable = \"1\"`), in headless Chromium, pages "
             "written by `policykg viz` and opened from `file://`, a fresh browser context per run (viewport "
             "1280x800, the launch arguments of `tests/browser/conftest.py`). Baseline in the same run: today's "
             f"page, `policykg viz` of commit `{data['baseline_ref'][:12]}` (pyvis's vis-network 9.1.2, a bounded "
             "Barnes-Hut stabilisation of every node, timed by the same flag at the end of its stabilisation). "
             "The new page computes its layout before drawing and opens on the default view (policies, "
             "programs, government bodies, organizations, people); the row \"new, all classes\" adds the step "
             "that shows every class, lays them out again and draws them, which is the baseline's work.")
    L.append("")
    L.append(f"- machine: {m['cores']} cores, {m['cpu']} ({m['platform']})")
    L.append(f"- load average at start: {' / '.join(f'{x:.2f}' for x in m['loadavg'])} (1 / 5 / 15 min); the "
             "machine is shared with a test suite, so other processes add noise")
    v = m["versions"]
    L.append(f"- versions: Python {m['python']}; policykg {v['policykg']}; {data['chromium']}; Playwright "
             f"{v['playwright']}; new page: vis-network {data['vis_version']} (npm, vendored by js/build.sh)")
    L.append(f"- date: {data['date']}")
    L.append(f"- command: `{data['command']}` (total {data['total_seconds'] / 60:.1f} min)")
    L.append(f"- requests blocked during the runs: {data['blocked_total']}")
    L.append("")
    L.append("| graph | nodes | links | drawn by default (new) | new, median (s) | min | max "
             "| new, all classes, median (s) | today's page, median (s) | min | max | today / new "
             "| today / new, all classes | runs |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for e in data["graphs"]:
        n, a, b = e["new"], e.get("new_all"), e.get("baseline")
        L.append(f"| {e['name']} | {e['nodes']:,} | {e['edges']:,} | {e.get('drawn', '-')} | {fmt(n['median_ms'])} "
                 f"| {fmt(n['min_ms'])} | {fmt(n['max_ms'])} | {fmt((a or {}).get('median_ms'))} "
                 f"| {fmt((b or {}).get('median_ms'))} | {fmt((b or {}).get('min_ms'))} | {fmt((b or {}).get('max_ms'))} "
                 f"| {ratio(b, n)} | {ratio(b, a)} | {n['runs']} |")
    L.append("")
    L.append("Targets (issue 11), median time to a settled, drawn view of the new page:")
    L.append("")
    L.append("| target | measured | result |")
    L.append("|---|---|---|")
    for t in data["targets"]:
        L.append(f"| {t['target']} | {t['measured']} | {t['result']} |")
    return with_notes(L, data["notes"])


def offline_page(browser):
    """A fresh context and page that record page errors and abort any request off the machine."""
    context = browser.new_context(viewport=VIEWPORT)
    blocked: list[str] = []

    def block(route):  # nothing may leave the machine during a run
        blocked.append(route.request.url)
        route.abort()

    context.route(re.compile(r"^(?:https?|wss?|ftp)://"), block)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, blocked, errors


# --------------------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="2000,5000,20000", help="aimed node counts of the synthetic networks")
    ap.add_argument("--out-root", type=Path, default=Path("/tmp/pkg-bench/viz"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--baseline-ref", default=BASELINE_REF, help="commit whose page is the baseline")
    ap.add_argument("--runs-small", type=int, default=5, help="runs for the shipped graph")
    ap.add_argument("--runs-large", type=int, default=3, help="runs for the synthetic graphs")
    ap.add_argument("--timeout", type=float, default=180.0, help="cap on one page's wait (s)")
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    args.out_root.mkdir(parents=True, exist_ok=True)
    pages = args.out_root / "pages"
    pages.mkdir(exist_ok=True)
    t_start = time.perf_counter()
    from policykg.network.view import VIS_VERSION

    data: dict = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
                  "command": "python bench/viz_bench.py " + " ".join(sys.argv[1:]), "timeout_s": args.timeout,
                  "baseline_ref": args.baseline_ref, "vis_version": VIS_VERSION, "graphs": []}
    baseline_src = baseline_tree(args.baseline_ref, args.out_root)
    shipped_triples = shipped_asserted_triples()
    sn, se = count_network(None)
    cal_path = args.out_root / "calibration.json"
    cache = json.loads(cal_path.read_text()) if cal_path.exists() else {}
    graphs = [{"name": "shipped", "aim": None, "dir": None, "nodes": sn, "edges": se}]
    for aim in sorted(int(x) for x in args.sizes.split(",") if x.strip()):
        c = calibrate(aim, args.out_root, args.seed, cache, (sn, shipped_triples))
        cal_path.write_text(json.dumps(cache, indent=1) + "\n")
        graphs.append({"name": f"synthetic, about {aim:,} nodes", "aim": aim, "dir": c["dir"], "nodes": c["nodes"],
                       "edges": c["edges"]})

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        data["chromium"] = f"Chromium {browser.version}"
        for g in graphs:
            d = Path(g["dir"]) if g["dir"] else None
            runs = args.runs_small if g["aim"] is None else args.runs_large
            tag = g["aim"] or "shipped"
            new_page, old_page = pages / f"new-{tag}.html", pages / f"today-{tag}.html"
            entry = dict(g, new_page=write_page(d, new_page), baseline_page=write_page(d, old_page, baseline_src))
            log(f"{g['name']}: {runs} runs of each page")
            # alternate the two pages, so that load on the machine falls on both alike
            new_runs, old_runs = [], []
            for _ in range(runs):
                new_runs += open_runs(browser, new_page.resolve().as_uri(), 1, "new", args.timeout, all_classes=True)
                old_runs += open_runs(browser, old_page.resolve().as_uri(), 1, "today", args.timeout)
            entry.update(new_runs=new_runs, baseline_runs=old_runs, new=summarise(new_runs),
                         new_all=summarise(new_runs, "all_ms"), baseline=summarise(old_runs))
            drawn = sorted({r.get("nodes_drawn") for r in new_runs if r.get("nodes_drawn") is not None})
            entry["drawn"] = ", ".join(f"{x:,}" for x in drawn) or "-"
            data["graphs"].append(entry)
        browser.close()

    data["total_seconds"] = time.perf_counter() - t_start
    data["blocked_total"] = sum(len(r.get("blocked", [])) for e in data["graphs"]
                                for k in ("new_runs", "baseline_runs") for r in e[k])
    targets = []
    for label, aim, limit in TARGETS:
        e = next((x for x in data["graphs"] if x["aim"] == aim), None)
        if e is None:
            continue
        med = e["new"]["median_ms"]
        targets.append({"target": f"{label} in under {limit / 1000:g} s",
                        "measured": f"{fmt(med)} s ({e['nodes']:,} nodes, {e['drawn']} drawn)",
                        "result": "PASS" if med is not None and med < limit else "FAIL"})
    data["targets"] = targets
    notes = []
    for e in data["graphs"]:
        for key in ("new_runs", "baseline_runs"):
            bad = [r for r in e[key] if r.get("error") or r.get("page_errors")]
            if bad:
                notes.append(f"{e['name']}, {key.split('_')[0]}: {len(bad)} run(s) with an error or timeout: "
                             f"{bad[0].get('error') or bad[0]['page_errors'][0]}")
        notes.append(f"{e['name']}: page sizes {e['new_page']['bytes'] / 2**20:.1f} MB (new) and "
                     f"{e['baseline_page']['bytes'] / 2**20:.1f} MB (today's)")
    data["notes"] = notes
    (args.out_root / "viz_bench.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
    section = report(data)
    if args.no_write:
        print(section)
    else:
        replace_section(args.results, SECTION, section)
        print(section)


if __name__ == "__main__":
    main()
