// Minimal sigma.js page for bench/renderer_compare.py: the product page's own
// network JSON (#network-data), graphology, ForceAtlas2 run synchronously for
// a bounded number of iterations (stopping early once converged), one sigma
// render. Sets window.__sigmaDrawn (ms from navigation start), window.__sigma
// (a breakdown) and document.body.dataset.stable = "1".
// Mode from location.hash: "#default" (the product's default classes) or "#all";
// "&iter=N" caps the iterations (default 200).
import { MultiDirectedGraph } from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import Sigma from "sigma";

function webglInfo() {
  const out = {};
  for (const kind of ["webgl2", "webgl"]) {
    try {
      const gl = document.createElement("canvas").getContext(kind);
      if (!gl) { out[kind] = null; continue; }
      const ext = gl.getExtension("WEBGL_debug_renderer_info");
      out[kind] = {
        renderer: ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER),
        vendor: ext ? gl.getParameter(ext.UNMASKED_VENDOR_WEBGL) : gl.getParameter(gl.VENDOR),
      };
    } catch (e) { out[kind] = { error: String(e) }; }
  }
  return out;
}

function rng(seed) { // mulberry32: the same start positions every run
  return function () {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function run() {
  const navStart = window.__navStart;
  const params = new URLSearchParams(location.hash.slice(1).replace(/^([a-z]+)/, "mode=$1"));
  const mode = params.get("mode") || "default";
  const maxIter = parseInt(params.get("iter") || "200", 10);
  const info = { mode, maxIter };
  let t = performance.now();
  const data = JSON.parse(document.getElementById("network-data").textContent);
  info.parseMs = performance.now() - t;

  t = performance.now();
  const style = {};
  for (const c of data.classes) style[c.key] = c;
  const relColor = {};
  for (const r of data.relations) relColor[r.key] = r.color;
  const graph = new MultiDirectedGraph();
  const rand = rng(1);
  for (const n of data.nodes) {
    const c = style[n.cls];
    if (mode === "default" && !(c && c.default)) continue;
    graph.addNode(n.id, {
      label: n.label, x: rand() * 1000, y: rand() * 1000,
      size: Math.max(2, Math.min(12, ((c && c.size) || 10) / 2.5)), color: (c && c.color) || "#888",
    });
  }
  for (const e of data.edges) {
    if (graph.hasNode(e.from) && graph.hasNode(e.to)) graph.addEdgeWithKey(e.id, e.from, e.to, { color: relColor[e.prop] || "#bbb", size: 1 });
  }
  info.nodes = graph.order; info.edges = graph.size;
  info.buildMs = performance.now() - t;

  // ForceAtlas2, synchronous, in chunks of 25 iterations; converged when the
  // mean node movement of a chunk is under 0.1 % of the layout's diagonal.
  t = performance.now();
  const settings = forceAtlas2.inferSettings(graph);
  info.fa2Settings = settings;
  let done = 0, converged = false;
  const chunk = 25;
  while (done < maxIter) {
    const before = new Float64Array(graph.order * 2);
    let i = 0;
    graph.forEachNode((_, a) => { before[i++] = a.x; before[i++] = a.y; });
    const n = Math.min(chunk, maxIter - done);
    forceAtlas2.assign(graph, { iterations: n, settings });
    done += n;
    let move = 0, minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    i = 0;
    graph.forEachNode((_, a) => {
      move += Math.hypot(a.x - before[i++], a.y - before[i++]);
      if (a.x < minX) minX = a.x; if (a.x > maxX) maxX = a.x; if (a.y < minY) minY = a.y; if (a.y > maxY) maxY = a.y;
    });
    const diag = Math.hypot(maxX - minX, maxY - minY) || 1;
    info.lastRelMove = graph.order ? move / graph.order / diag : 0;
    if (info.lastRelMove < 0.001) { converged = true; break; }
  }
  info.iterations = done; info.converged = converged;
  info.fa2Ms = performance.now() - t;

  t = performance.now();
  try {
    const renderer = new Sigma(graph, document.getElementById("c"), { renderEdgeLabels: false });
    // sigma's constructor renders synchronously; make sure the GPU (or SwiftShader) has finished the frame.
    const gl = renderer.webGLContext || null;
    if (gl && gl.finish) { const px = new Uint8Array(4); gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px); }
    info.glFinished = !!(gl && gl.finish);
    window.__renderer = renderer;
  } catch (e) {
    info.error = String(e && e.message || e);
  }
  info.renderMs = performance.now() - t;
  window.__sigmaDrawn = Date.now() - navStart;
  info.webgl = webglInfo();
  // After the timing: a second, warm render of the same frame (shaders compiled, buffers filled).
  if (window.__renderer) {
    const t2 = performance.now();
    window.__renderer.refresh();
    const gl = window.__renderer.webGLContext;
    if (gl) { const px = new Uint8Array(4); gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px); }
    info.warmRenderMs = performance.now() - t2;
  }
  window.__sigma = info;
  document.body.dataset.stable = "1";
}

run();
