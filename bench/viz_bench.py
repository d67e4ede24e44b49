"""Network view benchmark: navigation to a stable layout in headless Chromium.

    python bench/viz_bench.py [--sizes 500,2000,5000] [--out-root /tmp/pkg-bench/viz]

For the shipped graph and for synthetic graphs (``bench/generate.py``) whose
network has about 500, 2,000 and 5,000 nodes, it writes the page with
``policykg viz [--data-dir DIR] -o FILE`` and opens it from ``file://`` in
Debian's Chromium (the launch of ``tests/browser/conftest.py``), a fresh
browser context per run. The time is the page's own
``window.__networkStable`` (ms from navigation start to the end of its
bounded stabilisation), read once ``document.body.dataset.stable == "1"``;
the median over the runs is reported (5 runs up to 500 nodes, 3 above).

Synthetic sizes are found by calibration: a triple count is guessed from a
linear model, the graph generated, its network built with
``policykg.network.projection.build_network`` and the nodes counted; the guess is
corrected (secant steps) until the count is within 5 % of the aim. The
chosen sizes are remembered in ``<out-root>/calibration.json``.

Baseline, in the same run: a plain pyvis 0.3.2 page of the same nodes and
edges written by pyvis itself (``Network(cdn_resources="in_line")``,
``add_node``/``add_edge``, ``write_html``), for the shipped graph and the
500-node graph. An init script traps the page's global ``network`` variable
and attaches listeners for ``stabilizationIterationsDone`` and
``stabilized``; the time is ``performance.now()`` at the first of them,
waited for at most 120 s. Requests the page makes and their failures are
recorded (pyvis's template loads Bootstrap from cdn.jsdelivr.net even in
in_line mode).

The results replace the section "## Network view in the browser" of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling modules, also when the tests import this
from results_file import replace_section  # noqa: E402

HERE = Path(__file__).resolve().parent
PY = sys.executable
SECTION = "## Network view in the browser"
CHROMIUM = os.environ.get("POLICYKG_CHROMIUM") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]
VIEWPORT = {"width": 1280, "height": 800}

TARGETS = {"shipped": 1500.0, 2000: 5000.0}  # ms

# Set before any page script runs: trap pyvis's global `var network`, so the
# listeners are attached right after `network = new vis.Network(...)`, before
# the first stabilisation batch (vis-network runs it from a timeout).
PYVIS_HOOK = r"""
(() => {
  const rec = window.__bench = { events: {}, progress: 0, created: null };
  let value;
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return value; },
    set(v) {
      value = v;
      if (v && typeof v.on === "function" && rec.created === null) {
        rec.created = performance.now();
        v.on("stabilizationProgress", () => { rec.progress += 1; });
        ["stabilizationIterationsDone", "stabilized"].forEach((name) => {
          v.on(name, (p) => {
            if (!(name in rec.events)) rec.events[name] = { t: performance.now(), iterations: p && p.iterations };
            if (rec.first === undefined) rec.first = performance.now();
          });
        });
      }
    },
  });
})();
"""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def policykg_cmd() -> list[str]:
    exe = Path(PY).parent / "policykg"
    return [str(exe)] if exe.exists() else [PY, "-c", "from policykg.cli import main; main()"]


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

def write_policykg_page(data_dir: Path | None, out: Path) -> dict:
    cmd = policykg_cmd() + ["viz", "-o", str(out)] + (["--data-dir", str(data_dir)] if data_dir else [])
    t = time.perf_counter()
    res = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=600)
    return {"seconds": time.perf_counter() - t, "stdout": res.stdout.strip(), "bytes": out.stat().st_size}


def write_pyvis_page(data_dir: Path | None, out: Path) -> dict:
    """A plain pyvis page of the same network, written by pyvis (in this process)."""
    import policykg
    from policykg.network.projection import build_network
    from policykg.network.view import CLASS_STYLE
    from pyvis.network import Network as PyvisNetwork

    net = build_network(policykg.load(data_dir), lang="en")
    g = net.graph
    pv = PyvisNetwork(height="800px", width="100%", directed=True, cdn_resources="in_line")
    for iri, d in g.nodes(data=True):
        pv.add_node(iri, label=d["label"], title=d["label"], color=CLASS_STYLE[d["cls"]]["color"])
    for s, o, d in g.edges(data=True):
        pv.add_edge(s, o, title=d.get("label", ""), label=d.get("label", ""))
    t = time.perf_counter()
    pv.write_html(str(out))
    return {"seconds": time.perf_counter() - t, "nodes": len(pv.nodes), "edges": len(pv.edges),
            "bytes": out.stat().st_size}


# --------------------------------------------------------------------------- browser

def open_runs(browser, url: str, runs: int, kind: str, timeout_s: float) -> list[dict]:
    out = []
    for i in range(runs):
        context = browser.new_context(viewport=VIEWPORT)
        if kind == "pyvis":
            context.add_init_script(PYVIS_HOOK)
        page = context.new_page()
        requests, failed, errors = [], [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failed.append({"url": r.url, "error": r.failure}))
        page.on("pageerror", lambda e: errors.append(str(e)))
        t0 = time.perf_counter()
        rec: dict = {"run": i + 1}
        try:
            page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
            if kind == "policykg":
                page.wait_for_function("() => document.body && document.body.dataset.stable === '1'",
                                       timeout=timeout_s * 1000, polling=20)
                rec["ms"] = page.evaluate("() => window.__networkStable")
            else:
                page.wait_for_function("() => window.__bench && window.__bench.first !== undefined",
                                       timeout=timeout_s * 1000, polling=20)
                b = page.evaluate("() => window.__bench")
                rec["ms"] = b["first"]
                rec["events"] = b["events"]
                rec["network_created_ms"] = b["created"]
                rec["progress_events"] = b["progress"]
        except Exception as e:  # noqa: BLE001 - a timeout is a result
            rec["ms"] = None
            rec["error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
        rec["wall_ms"] = (time.perf_counter() - t0) * 1e3
        try:
            nav = page.evaluate("() => { const n = performance.getEntriesByType('navigation')[0];"
                                " return n ? {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd} : null; }")
            rec["dom_content_loaded_ms"] = nav and nav["dcl"]
            rec["load_event_ms"] = nav and nav["load"]
            if kind == "policykg":
                rec["nodes_drawn"] = page.evaluate("() => window.__nodes ? window.__nodes.length : null")
        except Exception:  # noqa: BLE001
            pass
        rec["requests"] = [u for u in requests if not u.startswith(("file:", "data:", "blob:", "about:"))]
        rec["failed"] = failed
        rec["page_errors"] = errors
        context.close()
        log(f"  {kind} run {i + 1}: {rec['ms'] if rec['ms'] is None else round(rec['ms'])} ms"
            + (f" ({rec['error']})" if rec.get("error") else ""))
        out.append(rec)
    return out


def summarise(runs: list[dict]) -> dict:
    ok = [r["ms"] for r in runs if r.get("ms") is not None]
    return {"median_ms": statistics.median(ok) if ok else None, "min_ms": min(ok) if ok else None,
            "max_ms": max(ok) if ok else None, "ok_runs": len(ok), "runs": len(runs)}


# --------------------------------------------------------------------------- report

def machine() -> dict:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    from importlib.metadata import version
    vers = {}
    for pkg in ("policykg", "pyvis", "playwright"):
        try:
            vers[pkg] = version(pkg)
        except Exception:  # noqa: BLE001
            vers[pkg] = "?"
    return {"cores": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform(), "versions": vers, "loadavg": os.getloadavg()}


def fmt(ms) -> str:
    if ms is None:
        return "-"
    return f"{ms / 1000:.2f}"


def report(data: dict) -> str:
    m = data["machine"]
    L = [SECTION, ""]
    L.append("Time from navigation to the network's stable flag (`window.__networkStable`, set when the page's "
             "bounded stabilisation ends and `document.body.dataset.stable = \"1\"`) in headless Chromium, page "
             "written by `policykg viz` and opened from `file://`, a fresh browser context per run (viewport "
             "1280x800, the launch arguments of `tests/browser/conftest.py`). Baseline in the same run: a plain "
             "pyvis page of the same nodes and edges written by pyvis itself (`Network(cdn_resources=\"in_line\", "
             "directed=True)`, `add_node(id, label, title, color)`, `add_edge(from, to, label, title)`, "
             "`write_html`), timed to the first `stabilizationIterationsDone` or `stabilized` event "
             "(`performance.now()`, listener attached by an init script; wait capped at "
             f"{data['timeout_s']:.0f} s).")
    L.append("")
    L.append(f"- machine: {m['cores']} cores, {m['cpu']} ({m['platform']})")
    L.append(f"- load average at start: {' / '.join(f'{x:.2f}' for x in m['loadavg'])} (1 / 5 / 15 min); the "
             "machine is shared, so other processes add noise")
    v = m["versions"]
    L.append(f"- versions: Python {m['python']}; policykg {v['policykg']}; {data['chromium']}; Playwright "
             f"{v['playwright']}; pyvis {v['pyvis']} (vis-network 9.1.2, the copy both pages inline)")
    L.append(f"- date: {data['date']}")
    L.append(f"- command: `{data['command']}` (total {data['total_seconds'] / 60:.1f} min)")
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
    L.append("Seconds from navigation start; median of the runs, with min and max.")
    L.append("")
    L.append("| graph | graph triples | nodes | links | page (MB) | iterations | runs | policykg median (s) | min | max "
             "| pyvis median (s) | min | max | pyvis / policykg |")
    L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for e in data["graphs"]:
        p = e["policykg"]
        q = e.get("pyvis")
        ratio = "-"
        if q and q["median_ms"] is not None and p["median_ms"]:
            ratio = f"{q['median_ms'] / p['median_ms']:.1f}"
        pyvis_cells = ("| not measured | - | - " if not q else
                       f"| {fmt(q['median_ms'])} ({q['ok_runs']}/{q['runs']} stabilised) | {fmt(q['min_ms'])} "
                       f"| {fmt(q['max_ms'])} ")
        L.append(f"| {e['name']} | {e['graph_triples']} | {e['nodes']} | {e['edges']} | {e['page_bytes'] / 2**20:.1f} "
                 f"| {e['iterations']} | {p['runs']} | {fmt(p['median_ms'])} | {fmt(p['min_ms'])} | {fmt(p['max_ms'])} "
                 f"{pyvis_cells}| {ratio} |")
    L.append("")
    L.append("`nodes`/`links` are `policykg.network.projection.build_network` of the graph (and what `policykg viz` reports); "
             "`iterations` is the page's stabilisation bound (`policykg.network.view._layout`); the pyvis page keeps pyvis's "
             "default of 1000.")
    L.append("")
    L.append("### Observations")
    L.append("")
    for note in data["notes"]:
        L.append(f"- {note}")
    return "\n".join(L) + "\n"


def write_results(path: Path, section: str) -> None:
    replace_section(path, SECTION, section)


# --------------------------------------------------------------------------- main

def notes_for(data: dict) -> list[str]:
    notes = []
    for e in data["graphs"]:
        p_runs = e["policykg_runs"]
        dcl = [r.get("dom_content_loaded_ms") for r in p_runs if r.get("dom_content_loaded_ms")]
        if dcl:
            notes.append(f"{e['name']}: the policykg page's DOMContentLoaded at {statistics.median(dcl) / 1000:.2f} s "
                         f"median (HTML of {e['page_bytes'] / 2**20:.1f} MB parsed, vis-network and the data inlined); "
                         f"the rest of the stable time is building the network and the bounded layout. "
                         f"Page written by `policykg viz` in {e['viz_seconds']:.1f} s.")
        outside = sorted({u for r in p_runs for u in r["requests"]})
        errs = sorted({x for r in p_runs for x in r["page_errors"]})
        if outside or errs:
            notes.append(f"{e['name']}: policykg page requests beyond file: {outside or 'none'}; page errors: {errs or 'none'}.")
        if e.get("pyvis_runs"):
            q = e["pyvis_runs"]
            failed = sorted({f"{f['url']} ({f['error']})" for r in q for f in r["failed"]})
            reqs = sorted({u for r in q for u in r["requests"]})
            errs = sorted({x[:160] for r in q for x in r["page_errors"]})
            which = {}
            for r in q:
                for name, ev in (r.get("events") or {}).items():
                    which.setdefault(name, []).append(ev)
            ev_desc = "; ".join(
                f"`{name}` at {statistics.median(x['t'] for x in evs) / 1000:.2f} s median ({len(evs)}/{len(q)} runs"
                + (f", iterations {sorted({x['iterations'] for x in evs if x['iterations'] is not None})}" if any(
                    x['iterations'] is not None for x in evs) else "") + ")"
                for name, evs in sorted(which.items())) or "no event"
            timeouts = [r["error"] for r in q if r.get("error")]
            pdcl = [r.get("dom_content_loaded_ms") for r in q if r.get("dom_content_loaded_ms")]
            notes.append(f"{e['name']}, pyvis page ({e['pyvis_bytes'] / 2**20:.1f} MB, written in {e['pyvis_seconds']:.2f} s "
                         f"by `write_html`): requests beyond file: {reqs or 'none'}; failed: {failed or 'none'}; "
                         f"page errors: {errs or 'none'}; DOMContentLoaded {statistics.median(pdcl) / 1000:.2f} s median"
                         f"{'' if pdcl else ' (not reached)'}; events: {ev_desc}"
                         + (f"; timeouts: {timeouts}" if timeouts else "") + ".")
    return notes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,2000,5000", help="aimed node counts of the synthetic networks")
    ap.add_argument("--out-root", type=Path, default=Path("/tmp/pkg-bench/viz"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs-small", type=int, default=5, help="runs for the shipped graph and up to 500 nodes")
    ap.add_argument("--runs-large", type=int, default=3, help="runs above 500 nodes")
    ap.add_argument("--pyvis-max", type=int, default=500, help="largest aimed size with a pyvis baseline")
    ap.add_argument("--timeout", type=float, default=120.0, help="cap on one page's wait (s)")
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    t_start = time.perf_counter()
    command = "python bench/viz_bench.py" + "".join(f" {a}" for a in sys.argv[1:])
    data = {"machine": machine(), "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "command": command, "timeout_s": args.timeout, "graphs": []}
    args.out_root.mkdir(parents=True, exist_ok=True)
    pages = args.out_root / "pages"
    pages.mkdir(exist_ok=True)

    # Graphs: the shipped one, then calibrated synthetic ones.
    shipped_triples = shipped_asserted_triples()
    sn, se = count_network(None)
    cal_path = args.out_root / "calibration.json"
    cache = json.loads(cal_path.read_text()) if cal_path.exists() else {}
    graphs = [{"name": "shipped", "aim": None, "dir": None, "nodes": sn, "edges": se, "graph_triples": shipped_triples}]
    for aim in sorted(int(s) for s in args.sizes.split(",") if s.strip()):
        c = calibrate(aim, args.out_root, args.seed, cache, (sn, shipped_triples))
        cal_path.write_text(json.dumps(cache, indent=1) + "\n")
        info = json.loads((Path(c["dir"]) / "generated.json").read_text())
        graphs.append({"name": f"synthetic, about {aim:,} nodes", "aim": aim, "dir": c["dir"], "nodes": c["nodes"],
                       "edges": c["edges"], "graph_triples": info["graph_triples"]})

    from policykg.network.view import LARGE, _layout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        data["chromium"] = f"Chromium {browser.version}"
        for g in graphs:
            d = Path(g["dir"]) if g["dir"] else None
            small = g["aim"] is None or g["aim"] <= 500
            runs = args.runs_small if small else args.runs_large
            page = pages / f"policykg-{g['aim'] or 'shipped'}.html"
            w = write_policykg_page(d, page)
            log(f"{g['name']}: {w['stdout']}")
            entry = {"name": g["name"], "graph_triples": g["graph_triples"], "nodes": g["nodes"], "edges": g["edges"],
                     "page_bytes": w["bytes"], "viz_seconds": w["seconds"], "viz_stdout": w["stdout"],
                     "iterations": _layout(g["nodes"], seeded=g["nodes"] > LARGE)["iterations"]}
            log(f"{g['name']}: policykg page, {runs} runs")
            entry["policykg_runs"] = open_runs(browser, page.resolve().as_uri(), runs, "policykg", args.timeout)
            entry["policykg"] = summarise(entry["policykg_runs"])
            if g["aim"] is None or g["aim"] <= args.pyvis_max:
                pv = pages / f"pyvis-{g['aim'] or 'shipped'}.html"
                info = write_pyvis_page(d, pv)
                entry.update(pyvis_bytes=info["bytes"], pyvis_seconds=info["seconds"], pyvis_nodes=info["nodes"],
                             pyvis_edges=info["edges"])
                log(f"{g['name']}: pyvis page ({info['nodes']} nodes, {info['edges']} edges), {runs} runs")
                entry["pyvis_runs"] = open_runs(browser, pv.resolve().as_uri(), runs, "pyvis", args.timeout)
                entry["pyvis"] = summarise(entry["pyvis_runs"])
            data["graphs"].append(entry)
        browser.close()

    data["total_seconds"] = time.perf_counter() - t_start
    targets = []
    ship = data["graphs"][0]["policykg"]["median_ms"]
    targets.append({"target": "shipped graph stable in under 1.5 s",
                    "measured": f"{fmt(ship)} s median ({data['graphs'][0]['nodes']} nodes)",
                    "result": "PASS" if ship is not None and ship < TARGETS["shipped"] else "FAIL"})
    two = next((e for e in data["graphs"] if e["name"].endswith("2,000 nodes")), None)
    if two:
        t2 = two["policykg"]["median_ms"]
        targets.append({"target": "about 2,000 nodes stable in under 5 s",
                        "measured": f"{fmt(t2)} s median ({two['nodes']} nodes)",
                        "result": "PASS" if t2 is not None and t2 < TARGETS[2000] else "FAIL"})
    data["targets"] = targets
    for e in data["graphs"]:
        if e.get("pyvis_nodes") is not None and (e["pyvis_nodes"], e["pyvis_edges"]) != (e["nodes"], e["edges"]):
            e.setdefault("mismatch", f"pyvis kept {e['pyvis_nodes']} nodes, {e['pyvis_edges']} edges")
    data["notes"] = notes_for(data) + [f"{e['name']}: {e['mismatch']} (pyvis merges parallel edges)"
                                       for e in data["graphs"] if e.get("mismatch")]
    (args.out_root / "viz_bench.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
    section = report(data)
    if args.no_write:
        print(section)
    else:
        write_results(args.results, section)
        print(section)


if __name__ == "__main__":
    main()
