"""Renderer comparison: the product page (vis-network, own layout) against sigma.js + graphology + ForceAtlas2.

    python bench/renderer_compare.py [--sizes 5000,20000] [--iterations 200] [--runs-small 5] [--runs-large 3]

Issue 11 asked to choose the renderer and layout by measurement; this measures
the candidate that was not measured, in the same Chromium run as the product:

* product: the page of ``policykg viz [--data-dir DIR]`` (vis-network 10.1.5,
  layout computed before drawing), timed by its own ``window.__networkStable``
  (ms from navigation start to the first drawn frame of the finished layout).
  It opens on the default classes; "product, all classes" adds the step of
  ``bench/viz_bench.py`` that shows every class, lays out again and draws.
* sigma: a minimal page (``bench/renderers/src/sigma-page.js``: sigma 4,
  graphology, graphology-layout-forceatlas2, bundled by esbuild into
  ``<out-root>/sigma-page.js``; ``npm ci`` in ``bench/renderers/`` first) that
  carries the product page's own ``<script id="network-data">`` element, byte
  for byte, so it parses the same JSON. It builds a graphology graph either of
  the product's default classes (``#default``: the classes marked ``default`` in
  network-classes.json and the edges between their nodes) or of the full
  graph (``#all``), seeds positions (fixed-seed random), runs ForceAtlas2
  synchronously (``inferSettings``: Barnes-Hut above 2,000 nodes) in chunks of
  25 iterations up to ``--iterations``, stopping early when a chunk moves the
  nodes by less than 0.1 % of the layout's diagonal on average, then
  constructs the sigma renderer (which renders synchronously) and reads one
  pixel back (forcing the WebGL frame to finish). ``window.__sigmaDrawn`` is ms
  from navigation start to that point.

All pages open from ``file://``, a fresh browser context per run, the launch
arguments of ``tests/browser/conftest.py`` (``--disable-gpu``: WebGL runs on
SwiftShader if at all; the renderer string is recorded). The three pages
alternate within each run so that machine load falls on all alike. Every
http(s)/ws request is aborted and counted. Graph data dirs: the shipped graph,
and the calibrated synthetic dirs of ``bench/viz_bench.py``
(``<viz-root>/calibration.json``; calibrated there if missing). Results replace
the section "## Renderer comparison" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling modules
from results_file import replace_section, with_notes, loadavg, machine_line  # noqa: E402
import viz_bench as vb  # noqa: E402

HERE = Path(__file__).resolve().parent
NPM_DIR = HERE / "renderers"
SECTION = "## Renderer comparison"
DATA_RE = re.compile(r'<script type="application/json" id="network-data">.*?</script>', re.S)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def build_bundle(out_root: Path, skip_ci: bool) -> dict:
    """npm ci in bench/renderers (the lock file's versions), esbuild bundle into out_root (never into the package)."""
    if not skip_ci or not (NPM_DIR / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NPM_DIR, check=True, capture_output=True,
                       timeout=600)
    out = out_root / "sigma-page.js"
    subprocess.run([str(NPM_DIR / "node_modules/.bin/esbuild"), "src/sigma-page.js", "--bundle", "--minify",
                    "--format=iife", "--target=es2020", "--legal-comments=inline", "--charset=utf8",
                    "--log-level=warning", f"--outfile={out}"], cwd=NPM_DIR, check=True, timeout=300)
    vers = {}
    for pkg in ("sigma", "graphology", "graphology-layout-forceatlas2", "esbuild"):
        vers[pkg] = json.loads((NPM_DIR / "node_modules" / pkg / "package.json").read_text())["version"]
    return {"path": out, "versions": vers, "bytes": out.stat().st_size}


def sigma_page(product_html: Path, bundle: Path, out: Path) -> None:
    html = product_html.read_text(encoding="utf-8")
    m = DATA_RE.search(html)
    if not m:
        raise SystemExit(f"no network-data element in {product_html}")
    js = bundle.read_text(encoding="utf-8")
    if "</script" in js.lower():
        raise SystemExit("bundle contains </script")
    page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>sigma bench</title>"
            "<script>window.__navStart = Math.round(performance.timeOrigin || Date.now());</script>"
            "<style>html,body{margin:0;height:100%}#c{width:100%;height:100%}</style></head><body>"
            "<div id=\"c\"></div>" + m.group(0) + "<script>" + js + "</script></body></html>")
    out.write_text(page, encoding="utf-8")


def sigma_runs(browser, url: str, label: str, timeout_s: float) -> dict:
    context, page, blocked, errors = vb.offline_page(browser)
    rec: dict = {}
    try:
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_function("() => document.body && document.body.dataset.stable === '1'",
                               timeout=timeout_s * 1000, polling=20)
        rec["ms"] = page.evaluate("() => window.__sigmaDrawn")
        rec["info"] = page.evaluate("() => window.__sigma")
        if rec["info"].get("error"):
            rec["error"] = rec["info"]["error"]
            rec["ms"] = None
    except Exception as e:  # noqa: BLE001 - a timeout is a result
        rec["ms"] = None
        rec["error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
    rec["blocked"] = blocked
    rec["page_errors"] = errors
    context.close()
    i = rec.get("info") or {}
    log(f"  {label}: {rec['ms']} ms (nodes {i.get('nodes')}, FA2 {i.get('iterations')} it "
        f"{round(i.get('fa2Ms') or 0)} ms, render {round(i.get('renderMs') or 0)} ms)"
        + (f" ({rec['error']})" if rec.get("error") else ""))
    return rec


def med(runs: list[dict], key) -> float | None:
    vals = [key(r) for r in runs]
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(ms) -> str:
    return "-" if ms is None else f"{ms / 1000:.2f}"


def report(data: dict) -> str:
    L = [SECTION, ""]
    L.append("Same Chromium run, same data: the product page (`policykg viz`, vis-network "
             f"{data['vis_version']}, layout computed before drawing) against a minimal sigma.js page "
             f"(sigma {data['bundle']['versions']['sigma']}, graphology {data['bundle']['versions']['graphology']}, "
             f"graphology-layout-forceatlas2 {data['bundle']['versions']['graphology-layout-forceatlas2']}, "
             f"esbuild {data['bundle']['versions']['esbuild']}; `bench/renderers/`) that carries the product page's "
             "own `network-data` JSON element and parses it the same way. Times are ms from navigation start to a "
             "drawn frame of a finished layout: the product's `window.__networkStable`; for sigma, after "
             "ForceAtlas2 (synchronous, chunks of 25 iterations, at most "
             f"{data['iterations']}, stopping early when a chunk moves nodes by under 0.1 % of the layout's "
             "diagonal on average; `inferSettings`, so Barnes-Hut above 2,000 nodes), the sigma constructor's "
             "synchronous render and a one-pixel read-back that forces the WebGL frame to finish. \"default\" = the "
             "product's default classes (policies, programs, government bodies, organizations, people) and the "
             "edges among them; \"all\" = the full graph. \"product, all\" is the product's default view plus its "
             "show-all-classes step (as in `bench/viz_bench.py`). Fresh browser context per run, the three pages "
             "alternating, medians.")
    L.append("")
    L.append(f"- machine: {data['machine']}")
    L.append(f"- load average at start: {data['load_start']}; at end: {data['load_end']}; the machine is shared, "
             "so other processes add noise")
    L.append(f"- browser: {data['chromium']} headless, `--disable-gpu` (launch arguments of "
             f"`tests/browser/conftest.py`); WebGL available: {data['webgl_available']}; WebGL renderer: "
             f"`{data['webgl_renderer']}`")
    L.append(f"- date: {data['date']}")
    L.append(f"- command: `{data['command']}` (total {data['total_seconds'] / 60:.1f} min)")
    L.append(f"- requests blocked during the runs: {data['blocked_total']}")
    L.append("")
    L.append("| graph | nodes / links (full) | product default: drawn nodes | product, default (s) | "
             "sigma, default: nodes / links | sigma, default (s) | of which FA2 (s), iterations | "
             "product, all (s) | sigma, all (s) | of which FA2 (s), iterations | sigma render (s), default / all "
             "| sigma warm re-render, all (s) | runs |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for g in data["graphs"]:
        L.append(
            f"| {g['name']} | {g['nodes']:,} / {g['edges']:,} | {g['product_drawn']} | {fmt(g['product_ms'])} "
            f"| {g['sigma_default_size']} | {fmt(g['sigma_default_ms'])} "
            f"| {fmt(g['sigma_default_fa2_ms'])}, {g['sigma_default_iter']} "
            f"| {fmt(g['product_all_ms'])} | {fmt(g['sigma_all_ms'])} "
            f"| {fmt(g['sigma_all_fa2_ms'])}, {g['sigma_all_iter']} "
            f"| {fmt(g['sigma_default_render_ms'])} / {fmt(g['sigma_all_render_ms'])} "
            f"| {fmt(g['sigma_all_warm_ms'])} | {g['runs']} |")
    return with_notes(L, data["notes"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="5000,20000", help="aimed node counts of the synthetic networks")
    ap.add_argument("--viz-root", type=Path, default=Path("/tmp/pkg-bench/viz"),
                    help="viz_bench.py's out-root (calibrated data dirs)")
    ap.add_argument("--out-root", type=Path, default=Path("/tmp/pkg-bench/renderers"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=200, help="cap on ForceAtlas2 iterations")
    ap.add_argument("--runs-small", type=int, default=5)
    ap.add_argument("--runs-large", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=240.0)
    ap.add_argument("--skip-npm-ci", action="store_true", help="reuse bench/renderers/node_modules if present")
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    args.out_root.mkdir(parents=True, exist_ok=True)
    args.viz_root.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    from policykg.network.view import VIS_VERSION

    data: dict = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                  "machine": machine_line(), "load_start": loadavg(), "vis_version": VIS_VERSION,
                  "iterations": args.iterations,
                  "command": "python bench/renderer_compare.py " + " ".join(sys.argv[1:]), "graphs": []}
    log("building the sigma bundle")
    data["bundle"] = build_bundle(args.out_root, args.skip_npm_ci)
    sn, se = vb.count_network(None)
    graphs = [{"name": "shipped", "aim": None, "dir": None, "nodes": sn, "edges": se}]
    cal_path = args.viz_root / "calibration.json"
    cache = json.loads(cal_path.read_text()) if cal_path.exists() else {}
    sizes = sorted(int(x) for x in args.sizes.split(",") if x.strip())
    if sizes:
        shipped_triples = vb.shipped_asserted_triples()
    for aim in sizes:
        c = vb.calibrate(aim, args.viz_root, args.seed, cache, (sn, shipped_triples))
        cal_path.write_text(json.dumps(cache, indent=1) + "\n")
        graphs.append({"name": f"synthetic, about {aim:,} nodes", "aim": aim, "dir": c["dir"],
                       "nodes": c["nodes"], "edges": c["edges"]})

    from playwright.sync_api import sync_playwright

    notes: list[str] = []
    webgl = None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=vb.CHROMIUM, args=vb.ARGS, headless=True)
        data["chromium"] = f"Chromium {browser.version}"
        for g in graphs:
            tag = g["aim"] or "shipped"
            d = Path(g["dir"]) if g["dir"] else None
            product = args.out_root / f"product-{tag}.html"
            sigma = args.out_root / f"sigma-{tag}.html"
            log(f"{g['name']}: writing pages")
            vb.write_page(d, product)
            sigma_page(product, data["bundle"]["path"], sigma)
            runs = args.runs_small if g["aim"] is None else args.runs_large
            prod_runs, sd_runs, sa_runs = [], [], []
            for i in range(runs):
                prod_runs += vb.open_runs(browser, product.resolve().as_uri(), 1, f"product run {i + 1}",
                                          args.timeout, all_classes=True)
                base = sigma.resolve().as_uri()
                sd_runs.append(sigma_runs(browser, f"{base}#default&iter={args.iterations}",
                                          f"sigma default run {i + 1}", args.timeout))
                sa_runs.append(sigma_runs(browser, f"{base}#all&iter={args.iterations}",
                                          f"sigma all run {i + 1}", args.timeout))
            for r in sd_runs + sa_runs:
                w = (r.get("info") or {}).get("webgl")
                if w and webgl is None:
                    webgl = w

            def info(runs, k):
                return med(runs, lambda r: (r.get("info") or {}).get(k))

            def iters(runs):
                vals = sorted({(r.get("info") or {}).get("iterations") for r in runs if r.get("info")} - {None})
                conv = [(r.get("info") or {}).get("converged") for r in runs if r.get("info")]
                s = "/".join(str(v) for v in vals) or "-"
                return s + (" (converged)" if conv and all(conv) else "")

            drawn = sorted({r.get("nodes_drawn") for r in prod_runs if r.get("nodes_drawn") is not None})
            sdi = next((r["info"] for r in sd_runs if r.get("info")), {})
            entry = dict(g, runs=runs, prod_runs=prod_runs, sigma_default_runs=sd_runs, sigma_all_runs=sa_runs,
                         product_ms=med(prod_runs, lambda r: r.get("ms")),
                         product_all_ms=med(prod_runs, lambda r: r.get("all_ms")),
                         product_drawn=", ".join(f"{x:,}" for x in drawn) or "-",
                         sigma_default_size=f"{sdi.get('nodes', 0):,} / {sdi.get('edges', 0):,}" if sdi else "-",
                         sigma_default_ms=med(sd_runs, lambda r: r.get("ms")),
                         sigma_all_ms=med(sa_runs, lambda r: r.get("ms")),
                         sigma_default_fa2_ms=info(sd_runs, "fa2Ms"), sigma_all_fa2_ms=info(sa_runs, "fa2Ms"),
                         sigma_default_render_ms=info(sd_runs, "renderMs"),
                         sigma_all_render_ms=info(sa_runs, "renderMs"),
                         sigma_all_warm_ms=info(sa_runs, "warmRenderMs"),
                         sigma_default_iter=iters(sd_runs), sigma_all_iter=iters(sa_runs),
                         page_mb={"product": product.stat().st_size / 2**20, "sigma": sigma.stat().st_size / 2**20})
            for key, rs in (("product", prod_runs), ("sigma default", sd_runs), ("sigma all", sa_runs)):
                bad = [r for r in rs if r.get("error") or r.get("page_errors")]
                if bad:
                    notes.append(f"{g['name']}, {key}: {len(bad)} run(s) with an error or timeout: "
                                 f"{bad[0].get('error') or bad[0]['page_errors'][0]}")
            parse = info(sa_runs, "parseMs")
            notes.append(f"{g['name']}: pages {entry['page_mb']['product']:.1f} MB (product) and "
                         f"{entry['page_mb']['sigma']:.1f} MB (sigma); sigma's JSON.parse of the shared data "
                         f"{fmt(parse)} s (median, all)")
            data["graphs"].append(entry)
        browser.close()
    data["load_end"] = loadavg()
    data["webgl"] = webgl
    ok = bool(webgl and (webgl.get("webgl2") or webgl.get("webgl")))
    data["webgl_available"] = "yes" if ok else "no"
    r = (webgl or {}).get("webgl2") or (webgl or {}).get("webgl") or {}
    data["webgl_renderer"] = r.get("renderer", "-") if isinstance(r, dict) else "-"
    data["total_seconds"] = time.perf_counter() - t_start
    data["blocked_total"] = sum(len(r.get("blocked", [])) for g in data["graphs"]
                                for k in ("prod_runs", "sigma_default_runs", "sigma_all_runs") for r in g[k])
    notes.append("\"sigma render\" is the first render (sigma constructor: WebGL context, shader compilation, "
                 "buffers, draw, read-back); \"warm re-render\" is a second refresh() of the same graph after the "
                 "timing, i.e. the cost without the one-off WebGL set-up (not part of any timed figure).")
    notes.append("Layout quality is not compared: the product lays out by its own grouping (groups around policies "
                 "and programs, or lineage layers), sigma by ForceAtlas2 from fixed-seed random positions; only "
                 "time to a drawn, finished layout is.")
    data["notes"] = notes
    data["bundle"]["path"] = str(data["bundle"]["path"])
    (args.out_root / "renderer_compare.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
    section = report(data)
    if not args.no_write:
        replace_section(args.results, SECTION, section)
    print(section)


if __name__ == "__main__":
    main()
