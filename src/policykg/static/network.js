/* policykg network view.
 *
 * Reads the graph from <script type="application/json" id="network-data">
 * (JSON.parse, never a JS literal) and draws it with vis-network (global
 * `vis`) into #pk-network. The controls it wires up are the pk-* elements of
 * templates/network.html; any that are missing are simply skipped, so the
 * script can be served as a file and reused by other pages.
 *
 * Every string from the graph reaches the DOM only as text: textContent,
 * setAttribute, option.text, or vis-network's plain-text labels and string
 * tooltips (which vis-network 9 sets as text). Never as markup.
 *
 * For tests and benchmarks: window.__network, window.__nodes, window.__edges,
 * window.__networkStable (ms from navigation start to the end of the layout)
 * and document.body.dataset.stable = "1"; window.policykgView exposes
 * focusNode(id), search(text), clear().
 */
(function () {
  "use strict";

  window.__navStart = window.__navStart || Math.round(performance.timeOrigin || Date.now());

  var FONT_JA = '"Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", system-ui, sans-serif';
  var FONT_ZH = '"Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans", "DejaVu Sans", system-ui, sans-serif';
  var DIM_NODE = { background: "#eceff1", border: "#d9dee2" };
  var EDGE_COLOR = "#9aa5ad";
  var LABEL_THRESHOLD = 7;
  var INSIDE = { box: 1, ellipse: 1, database: 1, circle: 1 };
  var CUSTOM = { pentagon: 1, cross: 1, ring: 1, document: 1, bubble: 1 };

  function $(id) { return document.getElementById(id); }

  function norm(text) {
    return String(text == null ? "" : text).normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text != null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  // Display width: CJK and other wide characters count double.
  function shorten(text, max) {
    var out = "", width = 0, chars = Array.from(String(text || ""));
    for (var i = 0; i < chars.length; i++) {
      var w = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(chars[i]) ? 2 : 1;
      if (width + w > max) return out.replace(/\s+$/, "") + "…";
      out += chars[i];
      width += w;
    }
    return out;
  }

  function darker(hex, f) {
    var n = parseInt(hex.slice(1), 16), r = (n >> 16) & 255, g = (n >> 8) & 255, b = n & 255;
    f = f == null ? 0.7 : f;
    var h = function (v) { return ("0" + Math.round(v * f).toString(16)).slice(-2); };
    return "#" + h(r) + h(g) + h(b);
  }

  // ---- custom node shapes (pentagon, cross, ring), label drawn as plain text
  function shapePath(ctx, kind, x, y, r) {
    ctx.beginPath();
    if (kind === "pentagon") {
      for (var i = 0; i < 5; i++) {
        var a = -Math.PI / 2 + i * 2 * Math.PI / 5;
        if (i === 0) ctx.moveTo(x + r * Math.cos(a), y + r * Math.sin(a));
        else ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
      }
      ctx.closePath();
    } else if (kind === "cross") {
      var w = r * 0.38;
      ctx.moveTo(x - w, y - r); ctx.lineTo(x + w, y - r); ctx.lineTo(x + w, y - w); ctx.lineTo(x + r, y - w);
      ctx.lineTo(x + r, y + w); ctx.lineTo(x + w, y + w); ctx.lineTo(x + w, y + r); ctx.lineTo(x - w, y + r);
      ctx.lineTo(x - w, y + w); ctx.lineTo(x - r, y + w); ctx.lineTo(x - r, y - w); ctx.lineTo(x - w, y - w);
      ctx.closePath();
    } else if (kind === "document") {
      var dw = r * 0.8, fold = r * 0.45;
      ctx.moveTo(x - dw, y - r); ctx.lineTo(x + dw - fold, y - r); ctx.lineTo(x + dw, y - r + fold);
      ctx.lineTo(x + dw, y + r); ctx.lineTo(x - dw, y + r);
      ctx.closePath();
    } else if (kind === "bubble") {
      ctx.ellipse(x, y - r * 0.15, r * 1.25, r * 0.8, 0, 0, 2 * Math.PI);
      ctx.moveTo(x - r * 0.5, y + r * 0.45); ctx.lineTo(x - r * 0.75, y + r); ctx.lineTo(x - r * 0.05, y + r * 0.6);
    } else {
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  }

  function makeRenderer(kind, view) {
    return function (args) {
      var ctx = args.ctx, x = args.x, y = args.y, style = args.style, id = args.id;
      var r = style.size, selected = args.state.selected, hover = args.state.hover;
      var meta = view.byId[id] || {};
      var dimmed = view.dimmed.has(id);
      return {
        drawNode: function () {
          shapePath(ctx, kind, x, y, r);
          if (kind === "ring") {
            ctx.lineWidth = Math.max(2, r * 0.5);
            ctx.strokeStyle = style.color;
            ctx.stroke();
            if (selected || hover) {
              ctx.lineWidth = 1.5;
              ctx.strokeStyle = style.borderColor;
              shapePath(ctx, kind, x, y, r + ctx.lineWidth + 2);
              ctx.stroke();
            }
          } else {
            ctx.fillStyle = style.color;
            ctx.fill();
            ctx.lineWidth = selected ? 3 : style.borderWidth;
            ctx.strokeStyle = style.borderColor;
            ctx.stroke();
          }
        },
        drawExternalLabel: function () {
          var label = args.label;
          if (!label || dimmed) return;
          var t = ctx.getTransform ? ctx.getTransform() : { a: 1 };
          var scale = t.a / (window.devicePixelRatio || 1);
          var size = meta.fontSize || 12;
          if (size * scale < LABEL_THRESHOLD - 1 && !selected) return;
          ctx.font = (selected ? "bold " : "") + size + "px " + view.font;
          ctx.textAlign = "center";
          ctx.textBaseline = "top";
          ctx.lineWidth = 3;
          ctx.strokeStyle = "#ffffff";
          ctx.lineJoin = "round";
          ctx.strokeText(label, x, y + r + 3);
          ctx.fillStyle = "#263238";
          ctx.fillText(label, x, y + r + 3);
        },
        nodeDimensions: { width: 2 * r, height: 2 * r }
      };
    };
  }

  // ---- legend icons (inline SVG built with createElementNS, no markup strings)
  var SVGNS = "http://www.w3.org/2000/svg";
  function polygonPoints(n, r, rot, inner) {
    var pts = [];
    var steps = inner ? n * 2 : n;
    for (var i = 0; i < steps; i++) {
      var rad = inner && i % 2 ? inner : r;
      var a = rot + i * 2 * Math.PI / steps;
      pts.push((10 + rad * Math.cos(a)).toFixed(2) + "," + (10 + rad * Math.sin(a)).toFixed(2));
    }
    return pts.join(" ");
  }
  function legendIcon(shape, color) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("viewBox", "0 0 20 20");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    var s;
    var add = function (tag, attrs) {
      var e = document.createElementNS(SVGNS, tag);
      for (var k in attrs) e.setAttribute(k, attrs[k]);
      e.setAttribute("fill", attrs.fill || color);
      e.setAttribute("stroke", attrs.stroke || darker(color));
      svg.appendChild(e);
      return e;
    };
    switch (shape) {
      case "star": add("polygon", { points: polygonPoints(5, 9, -Math.PI / 2, 4) }); break;
      case "box": add("rect", { x: 2, y: 5, width: 16, height: 10, rx: 2 }); break;
      case "hexagon": add("polygon", { points: polygonPoints(6, 8.5, 0) }); break;
      case "dot": add("circle", { cx: 10, cy: 10, r: 7 }); break;
      case "triangle": add("polygon", { points: polygonPoints(3, 8.5, -Math.PI / 2) }); break;
      case "triangleDown": add("polygon", { points: polygonPoints(3, 8.5, Math.PI / 2) }); break;
      case "diamond": add("polygon", { points: polygonPoints(4, 8.5, -Math.PI / 2) }); break;
      case "square": add("rect", { x: 3.5, y: 3.5, width: 13, height: 13 }); break;
      case "ellipse": add("ellipse", { cx: 10, cy: 10, rx: 9, ry: 5.5 }); break;
      case "database":
        add("path", { d: "M3 5 v10 a7 2.5 0 0 0 14 0 v-10 z" });
        add("ellipse", { cx: 10, cy: 5, rx: 7, ry: 2.5 });
        break;
      case "pentagon": add("polygon", { points: polygonPoints(5, 8.5, -Math.PI / 2) }); break;
      case "document": add("polygon", { points: "4,2 12,2 16,6 16,18 4,18" }); break;
      case "bubble":
        add("ellipse", { cx: 10, cy: 8.5, rx: 8.5, ry: 6 });
        add("polygon", { points: "6,12 4,18 10,13.5" });
        break;
      case "cross": add("polygon", { points: "7,2 13,2 13,7 18,7 18,13 13,13 13,18 7,18 7,13 2,13 2,7 7,7" }); break;
      case "ring": s = add("circle", { cx: 10, cy: 10, r: 6, fill: "none", stroke: color }); s.setAttribute("stroke-width", "3.5"); break;
      default: add("circle", { cx: 10, cy: 10, r: 7 });
    }
    return svg;
  }

  function View(data, container) {
    var self = this;
    this.data = data;
    this.container = container;
    this.font = data.lang === "zh" ? FONT_ZH : FONT_JA;
    this.byId = {};
    this.classes = {};
    this.dimmed = new Set();
    this.selected = null;
    this.classOn = {};
    this.anchorSet = null;
    this.adjacency = {};
    this.outEdges = {};
    this.inEdges = {};
    this.edgeById = {};
    data.classes.forEach(function (c) { self.classes[c.key] = c; self.classOn[c.key] = true; });
    data.nodes.forEach(function (n) {
      self.byId[n.id] = n;
      n.fontSize = (self.classes[n.cls] || {}).font || 12;
      self.adjacency[n.id] = new Set();
      self.outEdges[n.id] = [];
      self.inEdges[n.id] = [];
      var names = [n.id, n.short, n.label];
      Object.keys(n.labels || {}).forEach(function (l) { names.push(n.labels[l]); });
      (n.aliases || []).forEach(function (a) { names.push(a[0]); });
      n.searchNames = names.map(norm).filter(function (s) { return s; });
    });
    data.edges.forEach(function (e) {
      self.edgeById[e.id] = e;
      if (self.adjacency[e.from] && self.adjacency[e.to]) {
        self.adjacency[e.from].add(e.to);
        self.adjacency[e.to].add(e.from);
        self.outEdges[e.from].push(e);
        self.inEdges[e.to].push(e);
      }
    });
  }

  View.prototype.nodeItem = function (n, dim) {
    var c = this.classes[n.cls] || { color: "#888888", shape: "dot", size: 10, font: 12 };
    var inside = !!INSIDE[c.shape];
    var custom = !!CUSTOM[c.shape];
    var bg = dim ? DIM_NODE.background : c.color;
    var border = dim ? DIM_NODE.border : darker(c.color);
    var item = {
      id: n.id,
      label: shorten(n.label, inside ? 26 : 30),
      title: n.label + "\n" + c.label + " · " + n.short,
      shape: custom ? "custom" : c.shape,
      size: c.size,
      color: {
        background: bg, border: border,
        highlight: { background: c.color, border: "#111111" },
        hover: { background: dim ? bg : c.color, border: "#111111" }
      },
      borderWidth: 1.5,
      borderWidthSelected: 3,
      font: inside
        ? { size: c.font, color: dim ? DIM_NODE.background : "#ffffff", face: this.font, strokeWidth: 0 }
        : { size: c.font, color: dim ? "rgba(0,0,0,0)" : "#263238", face: this.font, strokeWidth: dim ? 0 : 3, strokeColor: "#ffffff" }
    };
    if (inside) {
      item.margin = 6;
      item.widthConstraint = { maximum: 170 };
    }
    if (custom) item.ctxRenderer = makeRenderer(c.shape, this);
    var degree = this.adjacency[n.id] ? this.adjacency[n.id].size : 0;
    if (degree === 0) item.physics = false;
    // Hubs repel more, so their neighbours spread around them instead of piling up.
    item.mass = 1 + Math.min(degree, 40) / 4;
    return item;
  };

  View.prototype.edgeItem = function (e, dim) {
    var member = e.prop === "org:Membership", post = e.prop === "org:Post";
    var base = member ? "#c97d12" : post ? "#8e44ad" : EDGE_COLOR;
    return {
      id: e.id, from: e.from, to: e.to,
      label: shorten(e.label, 28),
      title: (this.byId[e.from] || {}).label + " — " + e.label + " → " + (this.byId[e.to] || {}).label,
      width: member ? 2.5 : post ? 2 : 1,
      dashes: post,
      color: { color: dim ? "#edf0f2" : base, highlight: "#263238", hover: base, inherit: false },
      font: { size: member ? 12 : 10, color: dim ? "rgba(0,0,0,0)" : (member ? "#8a520a" : "#55636d"), face: this.font,
              strokeWidth: dim ? 0 : 3, strokeColor: "#ffffff", align: "horizontal" }
    };
  };

  View.prototype.build = function () {
    var self = this, data = this.data;
    this.nodes = new vis.DataSet(data.nodes.map(function (n) {
      var item = self.nodeItem(n, false);
      if (typeof n.x === "number") { item.x = n.x; item.y = n.y; }
      return item;
    }));
    this.edges = new vis.DataSet(data.edges.filter(function (e) {
      return self.byId[e.from] && self.byId[e.to];
    }).map(function (e) { return self.edgeItem(e, false); }));
    var large = data.nodes.length > 1500;
    var options = {
      autoResize: true,
      nodes: { scaling: { label: { drawThreshold: LABEL_THRESHOLD } } },
      edges: {
        smooth: false,
        arrows: { to: { enabled: true, scaleFactor: 0.45 } },
        selectionWidth: 1.5,
        hoverWidth: 0.5,
        scaling: { label: { drawThreshold: 9 } }
      },
      interaction: {
        hover: !large, tooltipDelay: 200, hideEdgesOnDrag: large, hideEdgesOnZoom: large,
        multiselect: false, navigationButtons: false, keyboard: false
      },
      layout: { improvedLayout: false, randomSeed: 7 },
      physics: {
        enabled: true,
        solver: "barnesHut",
        barnesHut: {
          gravitationalConstant: -2000, centralGravity: 0.4, springLength: 80,
          springConstant: 0.035, damping: 0.3, avoidOverlap: 0.5
        },
        maxVelocity: 60, minVelocity: 1, timestep: 0.5,
        stabilization: { enabled: true, iterations: (data.layout && data.layout.iterations) || 200, updateInterval: 50, fit: true }
      }
    };
    var layout = data.layout || {};
    if (layout.barnesHut) Object.assign(options.physics.barnesHut, layout.barnesHut);
    if (layout.physics) Object.assign(options.physics, layout.physics);

    this.network = new vis.Network(this.container, { nodes: this.nodes, edges: this.edges }, options);
    window.__network = this.network;
    window.__nodes = this.nodes;
    window.__edges = this.edges;

    this.network.on("stabilizationProgress", function (p) {
      var box = $("pk-loading");
      if (box) box.textContent = "laying out … " + Math.round(100 * p.iterations / p.total) + " %";
    });
    this.network.once("stabilizationIterationsDone", function () { self.stable(); });
    if (data.nodes.length === 0) this.stable();

    this.network.on("click", function (params) {
      if (params.nodes && params.nodes.length) self.selectNode(params.nodes[0], false);
      else if (params.edges && params.edges.length) self.selectEdge(params.edges[0]);
      else self.clear();
    });
  };

  View.prototype.stable = function () {
    if (this.isStable) return;
    this.isStable = true;
    this.network.setOptions({ physics: false });
    this.parkIsolated();
    var freeze = $("pk-freeze");
    if (freeze) freeze.checked = true;
    window.__networkStable = Date.now() - window.__navStart;
    document.body.dataset.stable = "1";
    var box = $("pk-loading");
    if (box) box.hidden = true;
    this.network.fit({ animation: false });
    if (this.data.focus && this.byId[this.data.focus]) this.focusNode(this.data.focus);
  };

  // Nodes without links take no part in the layout; they are parked in rows
  // under the connected part instead of drifting to the edge of the view.
  View.prototype.parkIsolated = function () {
    var self = this, lonely = [], linked = [];
    this.data.nodes.forEach(function (n) { (self.adjacency[n.id].size ? linked : lonely).push(n.id); });
    if (!lonely.length) return;
    var pos = this.network.getPositions(linked);
    var minX = Infinity, maxX = -Infinity, maxY = -Infinity;
    linked.forEach(function (id) {
      var p = pos[id];
      if (p.x < minX) minX = p.x;
      if (p.x > maxX) maxX = p.x;
      if (p.y > maxY) maxY = p.y;
    });
    if (!linked.length) { minX = 0; maxX = 600; maxY = 0; }
    var gapX = 90, gapY = 55;
    var cols = Math.max(4, Math.floor((maxX - minX) / gapX) + 1);
    var rank = {};
    this.data.classes.forEach(function (c, i) { rank[c.key] = i; });
    lonely.sort(function (a, b) {
      return rank[self.byId[a].cls] - rank[self.byId[b].cls] || self.byId[a].label.localeCompare(self.byId[b].label);
    });
    var width = (Math.min(cols, lonely.length) - 1) * gapX;
    var left = (minX + maxX) / 2 - width / 2;
    lonely.forEach(function (id, i) {
      self.network.moveNode(id, left + (i % cols) * gapX, maxY + 90 + Math.floor(i / cols) * gapY);
    });
  };

  // ---- highlighting
  View.prototype.dim = function (keepNodes, keepEdges) {
    var self = this, nodeUpdates = [], edgeUpdates = [];
    var next = new Set();
    this.data.nodes.forEach(function (n) { if (!keepNodes.has(n.id)) next.add(n.id); });
    this.data.nodes.forEach(function (n) {
      var was = self.dimmed.has(n.id), now = next.has(n.id);
      if (was !== now) {
        var item = self.nodeItem(n, now);
        nodeUpdates.push({ id: n.id, color: item.color, font: item.font });
      }
    });
    this.dimmedEdges = this.dimmedEdges || new Set();
    var nextEdges = new Set();
    this.edges.getIds().forEach(function (id) { if (!keepEdges.has(id)) nextEdges.add(id); });
    this.edges.getIds().forEach(function (id) {
      var was = self.dimmedEdges.has(id), now = nextEdges.has(id);
      if (was !== now) {
        var item = self.edgeItem(self.edgeById[id], now);
        edgeUpdates.push({ id: id, color: item.color, font: item.font });
      }
    });
    this.dimmed = next;
    this.dimmedEdges = nextEdges;
    if (nodeUpdates.length) this.nodes.update(nodeUpdates);
    if (edgeUpdates.length) this.edges.update(edgeUpdates);
  };

  View.prototype.undim = function () {
    this.dim(new Set(this.data.nodes.map(function (n) { return n.id; })), new Set(this.edges.getIds()));
  };

  View.prototype.highlightNode = function (id) {
    var keep = new Set([id]), keepEdges = new Set();
    this.outEdges[id].concat(this.inEdges[id]).forEach(function (e) {
      keep.add(e.from); keep.add(e.to); keepEdges.add(e.id);
    });
    this.dim(keep, keepEdges);
  };

  View.prototype.selectNode = function (id, move) {
    var n = this.byId[id];
    if (!n) return;
    this.selected = { node: id };
    this.ensureVisible(id);
    this.network.selectNodes([id], true);
    this.highlightNode(id);
    this.showNode(n);
    if (move) {
      // centre the node in the part of the canvas the panel leaves free
      var panel = $("pk-panel");
      var offset = panel && !panel.hidden ? -panel.offsetWidth / 2 : 0;
      this.network.focus(id, { scale: Math.max(this.network.getScale(), 1.0), offset: { x: offset, y: 0 }, animation: false });
    }
    document.body.dataset.selected = n.id;
  };

  View.prototype.focusNode = function (id) { this.selectNode(id, true); };

  View.prototype.selectEdge = function (edgeId) {
    var e = this.edgeById[edgeId];
    if (!e) return;
    this.selected = { edge: edgeId };
    this.network.selectEdges([edgeId]);
    this.dim(new Set([e.from, e.to]), new Set([edgeId]));
    this.showEdge(e);
    document.body.dataset.selected = e.id;
  };

  View.prototype.clear = function () {
    this.selected = null;
    this.network.unselectAll();
    this.undim();
    var panel = $("pk-panel");
    if (panel) panel.hidden = true;
    delete document.body.dataset.selected;
  };

  // ---- filters
  View.prototype.applyFilters = function () {
    var self = this, updates = [];
    this.data.nodes.forEach(function (n) {
      var hidden = !self.classOn[n.cls] || (self.anchorSet !== null && !self.anchorSet.has(n.id));
      if (!!n.hidden !== hidden) { n.hidden = hidden; updates.push({ id: n.id, hidden: hidden }); }
    });
    if (updates.length) this.nodes.update(updates);
    var shown = this.data.nodes.filter(function (n) { return !n.hidden; }).length;
    var count = $("pk-count-nodes");
    if (count) count.textContent = String(shown);
  };

  View.prototype.ensureVisible = function (id) {
    var n = this.byId[id];
    var changed = false;
    if (!this.classOn[n.cls]) {
      this.classOn[n.cls] = true;
      var box = document.querySelector('input[data-class="' + CSS.escape(n.cls) + '"]');
      if (box) box.checked = true;
      changed = true;
    }
    if (this.anchorSet !== null && !this.anchorSet.has(id)) {
      this.anchorSet = null;
      var sel = $("pk-anchor");
      if (sel) sel.value = "";
      changed = true;
    }
    if (changed) this.applyFilters();
  };

  View.prototype.setAnchor = function (id, depth) {
    if (!id || !this.byId[id]) {
      this.anchorSet = null;
    } else {
      var seen = new Set([id]), frontier = [id];
      for (var d = 0; d < depth; d++) {
        var next = [];
        for (var i = 0; i < frontier.length; i++) {
          this.adjacency[frontier[i]].forEach(function (m) {
            if (!seen.has(m)) { seen.add(m); next.push(m); }
          });
        }
        frontier = next;
      }
      this.anchorSet = seen;
    }
    this.applyFilters();
    var visible = this.data.nodes.filter(function (n) { return !n.hidden; }).map(function (n) { return n.id; });
    if (visible.length) this.network.fit({ nodes: visible, animation: false });
  };

  // ---- search
  View.prototype.search = function (text) {
    var q = norm(text);
    if (!q) return [];
    var rank = {};
    this.data.classes.forEach(function (c, i) { rank[c.key] = i; });
    var hits = [];
    this.data.nodes.forEach(function (n) {
      var best = 9;
      for (var i = 0; i < n.searchNames.length; i++) {
        var s = n.searchNames[i];
        var score = s === q ? 0 : s.indexOf(q) === 0 ? 1 : s.indexOf(q) > 0 ? 2 : 9;
        if (score < best) best = score;
      }
      if (best < 9) hits.push({ node: n, score: best });
    });
    hits.sort(function (a, b) {
      return a.score - b.score || (rank[a.node.cls] - rank[b.node.cls]) ||
        a.node.label.localeCompare(b.node.label);
    });
    return hits.map(function (h) { return h.node; });
  };

  View.prototype.showResults = function (text, go) {
    var self = this, list = $("pk-search-results"), status = $("pk-search-status");
    var hits = this.search(text);
    if (list) {
      list.replaceChildren();
      hits.slice(0, 25).forEach(function (n) {
        var li = el("li");
        var b = el("button", null, "pk-result");
        b.type = "button";
        b.setAttribute("data-id", n.id);
        b.appendChild(legendIcon((self.classes[n.cls] || {}).shape, (self.classes[n.cls] || {}).color || "#888"));
        b.appendChild(el("span", n.label));
        b.addEventListener("click", function () { self.focusNode(n.id); });
        li.appendChild(b);
        list.appendChild(li);
      });
    }
    if (status) {
      status.textContent = !norm(text) ? "" : hits.length === 0 ? "no node matches" :
        hits.length + (hits.length === 1 ? " match" : " matches") + (hits.length > 25 ? " (first 25 shown)" : "");
    }
    if (go && hits.length) this.focusNode(hits[0].id);
    return hits;
  };

  // ---- side panel (text only)
  function section(body, title) {
    var s = el("section", null, "pk-section");
    s.appendChild(el("h3", title));
    body.appendChild(s);
    return s;
  }

  View.prototype.nodeLink = function (id) {
    var self = this, n = this.byId[id];
    var b = el("button", n ? n.label : id, "pk-link pk-node-link");
    b.type = "button";
    b.setAttribute("data-id", id);
    if (n) b.addEventListener("click", function () { self.focusNode(id); });
    else b.disabled = true;
    return b;
  };

  View.prototype.evidenceList = function (body, evidence, sources) {
    if (evidence && evidence.length) {
      var s = section(body, "Evidence");
      var ul = el("ul", null, "pk-evidence");
      evidence.forEach(function (e) {
        var li = el("li");
        li.appendChild(el("q", e.phrase, "pk-phrase"));
        var src = el("span", null, "pk-source");
        src.appendChild(document.createTextNode(" — "));
        var cite = el("cite", e.sourceLabel);
        cite.setAttribute("title", e.sourceId);
        src.appendChild(cite);
        li.appendChild(src);
        ul.appendChild(li);
      });
      s.appendChild(ul);
    }
    if (sources && sources.length) {
      var s2 = section(body, "Sources");
      var ul2 = el("ul", null, "pk-sources");
      sources.forEach(function (x) {
        var li = el("li", x.label);
        li.appendChild(el("code", " " + x.short));
        ul2.appendChild(li);
      });
      s2.appendChild(ul2);
    }
  };

  View.prototype.openPanel = function () {
    var panel = $("pk-panel"), body = $("pk-panel-body");
    if (!panel || !body) return null;
    body.replaceChildren();
    panel.hidden = false;
    panel.scrollTop = 0;
    return body;
  };

  View.prototype.showNode = function (n) {
    var self = this, body = this.openPanel();
    if (!body) return;
    var c = this.classes[n.cls] || { label: n.cls, color: "#888", shape: "dot" };
    body.setAttribute("data-kind", "node");
    body.setAttribute("data-id", n.id);
    var head = el("div", null, "pk-panel-head");
    head.appendChild(legendIcon(c.shape, c.color));
    head.appendChild(el("span", c.label, "pk-badge"));
    body.appendChild(head);
    body.appendChild(el("h2", n.label, "pk-panel-title"));
    body.appendChild(el("code", n.short, "pk-iri"));

    var langs = Object.keys(n.labels || {});
    if (langs.length || (n.aliases || []).length) {
      var s = section(body, "Names");
      var table = el("table", null, "pk-names");
      var order = (this.data.langs || []).concat(langs.filter(function (l) { return (self.data.langs || []).indexOf(l) < 0; }));
      order.forEach(function (l) {
        if (!(l in n.labels)) return;
        var tr = el("tr");
        tr.appendChild(el("th", l || "—"));
        var td = el("td", n.labels[l]);
        if (l) td.setAttribute("lang", l);
        tr.appendChild(td);
        table.appendChild(tr);
      });
      (n.aliases || []).forEach(function (a) {
        var tr = el("tr", null, "pk-alias");
        tr.appendChild(el("th", (a[1] || "—") + " (also)"));
        var td = el("td", a[0]);
        if (a[1]) td.setAttribute("lang", a[1]);
        tr.appendChild(td);
        table.appendChild(tr);
      });
      s.appendChild(table);
    }
    if (n.types && n.types.length) {
      section(body, "Types").appendChild(el("p", n.types.join(", "), "pk-types"));
    }
    if (n.literals && n.literals.length) {
      var sl = section(body, "Properties");
      var dl = el("dl", null, "pk-literals");
      n.literals.forEach(function (lit) {
        var dt = el("dt", lit.label);
        dt.setAttribute("title", lit.prop);
        dl.appendChild(dt);
        var dd = el("dd", lit.value);
        if (lit.lang) { dd.setAttribute("lang", lit.lang); dd.appendChild(el("span", " @" + lit.lang, "pk-lang")); }
        dl.appendChild(dd);
      });
      sl.appendChild(dl);
    }
    var links = function (title, edges, outgoing) {
      if (!edges.length) return;
      var sec = section(body, title + " (" + edges.length + ")");
      var ul = el("ul", null, "pk-links");
      edges.forEach(function (e) {
        var li = el("li");
        var lab = el("button", e.label, "pk-link pk-edge-label");
        lab.type = "button";
        lab.setAttribute("title", e.prop);
        lab.addEventListener("click", function () { self.selectEdge(e.id); });
        if (outgoing) { li.appendChild(lab); li.appendChild(document.createTextNode(" → ")); li.appendChild(self.nodeLink(e.to)); }
        else { li.appendChild(self.nodeLink(e.from)); li.appendChild(document.createTextNode(" → ")); li.appendChild(lab); }
        ul.appendChild(li);
      });
      sec.appendChild(ul);
    };
    links("Links out", this.outEdges[n.id] || [], true);
    links("Links in", this.inEdges[n.id] || [], false);
    this.evidenceList(body, n.evidence, n.sources);
  };

  View.prototype.showEdge = function (e) {
    var body = this.openPanel();
    if (!body) return;
    body.setAttribute("data-kind", "edge");
    body.setAttribute("data-id", e.id);
    var head = el("div", null, "pk-panel-head");
    head.appendChild(el("span", e.via ? (e.prop === "org:Post" ? "post" : "membership") : "link", "pk-badge"));
    body.appendChild(head);
    var h = el("h2", null, "pk-panel-title");
    h.appendChild(this.nodeLink(e.from));
    h.appendChild(el("span", " — " + e.label + " → ", "pk-edge-label"));
    h.appendChild(this.nodeLink(e.to));
    body.appendChild(h);
    var s = section(body, "Details");
    var dl = el("dl", null, "pk-literals");
    var row = function (k, v) {
      if (v === null || v === undefined || v === "") return;
      dl.appendChild(el("dt", k));
      dl.appendChild(el("dd", String(v)));
    };
    row("property", e.prop);
    if (e.via) {
      row("role", e.label + (e.roleShort ? " (" + e.roleShort + ")" : ""));
      row("batch", e.batch);
      row("since", e.since);
      row("recorded as", e.viaShort);
    }
    s.appendChild(dl);
    this.evidenceList(body, e.evidence, e.sources);
  };

  // ---- controls
  View.prototype.wire = function () {
    var self = this;
    var legend = $("pk-legend");
    if (legend) {
      this.data.classes.forEach(function (c) {
        var li = el("li", null, "pk-legend-item");
        var label = el("label");
        var box = el("input");
        box.type = "checkbox";
        box.checked = true;
        box.setAttribute("data-class", c.key);
        box.addEventListener("change", function () { self.classOn[c.key] = box.checked; self.applyFilters(); });
        label.appendChild(box);
        label.appendChild(legendIcon(c.shape, c.color));
        label.appendChild(el("span", c.label, "pk-legend-label"));
        label.appendChild(el("span", String(c.count), "pk-legend-count"));
        if (!c.count) li.classList.add("pk-empty");
        li.appendChild(label);
        legend.appendChild(li);
      });
      var setAll = function (on) {
        legend.querySelectorAll("input[data-class]").forEach(function (b) {
          b.checked = on; self.classOn[b.getAttribute("data-class")] = on;
        });
        self.applyFilters();
      };
      if ($("pk-classes-all")) $("pk-classes-all").addEventListener("click", function () { setAll(true); });
      if ($("pk-classes-none")) $("pk-classes-none").addEventListener("click", function () { setAll(false); });
    }
    var anchor = $("pk-anchor"), depth = $("pk-anchor-depth");
    if (anchor) {
      var groups = { policy: el("optgroup"), city: el("optgroup") };
      groups.policy.label = "policies";
      groups.city.label = "cities";
      (this.data.anchors || []).forEach(function (a) {
        var o = el("option");
        o.value = a.id;
        o.text = a.label;
        (groups[a.kind] || groups.policy).appendChild(o);
      });
      if (groups.policy.children.length) anchor.appendChild(groups.policy);
      if (groups.city.children.length) anchor.appendChild(groups.city);
      var change = function () { self.setAnchor(anchor.value, depth ? parseInt(depth.value, 10) : 2); };
      anchor.addEventListener("change", change);
      if (depth) depth.addEventListener("change", change);
    }
    var form = $("pk-search-form"), input = $("pk-search");
    if (form && input) {
      form.addEventListener("submit", function (ev) { ev.preventDefault(); self.showResults(input.value, true); });
      var timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { self.showResults(input.value, false); }, 120);
      });
    }
    var freeze = $("pk-freeze");
    if (freeze) {
      freeze.addEventListener("change", function () {
        if (freeze.checked) self.network.setOptions({ physics: false });
        else {
          self.network.setOptions({ physics: { enabled: true, stabilization: { enabled: false } } });
          self.network.startSimulation();
        }
      });
    }
    if ($("pk-fit")) $("pk-fit").addEventListener("click", function () { self.network.fit({ animation: false }); });
    if ($("pk-panel-close")) $("pk-panel-close").addEventListener("click", function () { self.clear(); });
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") self.clear(); });
  };

  function init() {
    var holder = $("network-data"), container = $("pk-network");
    if (!holder || !container || typeof vis === "undefined") return;
    var data = JSON.parse(holder.textContent);
    var view = new View(data, container);
    view.build();
    view.wire();
    window.policykgView = {
      focusNode: function (id) { view.focusNode(id); },
      search: function (text) { return view.showResults(text, true).map(function (n) { return n.id; }); },
      clear: function () { view.clear(); },
      view: view
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
