/* policykg network view.
 *
 * Reads the graph from <script type="application/json" id="network-data">
 * (JSON.parse, never a JS literal) and draws it with vis-network (global
 * `vis`, vendored from npm) into #pk-network. The controls it wires up are
 * the pk-* elements of templates/network.html; any that are missing are
 * simply skipped.
 *
 * The layout is computed here, before anything is drawn, and again after
 * every filter: nodes are grouped around the policy or program nearest to
 * them, on rings ordered by distance, class and name ("groups"), or put in
 * layers along the direction of the links ("lineage"); the groups are then
 * drawn together along the links between them, with room for their labels,
 * and the fit frames the labels as well as the nodes. vis-network then
 * draws that layout with its physics off. Node and link labels are drawn by
 * this script after each frame, most important first (policies, programs,
 * government bodies and programs' members before the rest), and a label is
 * only drawn where its box overlaps no label already drawn.
 *
 * Every string from the graph reaches the DOM only as text: textContent,
 * setAttribute, option.text, canvas text, or vis-network's string tooltips
 * (which vis-network sets as text). Never as markup.
 *
 * For tests and benchmarks: window.__network, window.__nodes, window.__edges,
 * window.__labelBoxes (the label boxes of the last frame, in CSS pixels of
 * #pk-network), window.__networkStable (ms from navigation start to the
 * first drawn frame) and document.body.dataset.stable = "1";
 * window.policykgView exposes focusNode(id), search(text), clear(),
 * counts(), expand(id), collapse(id), exportPNG(), exportSVG().
 */
(function () {
  "use strict";

  window.__navStart = window.__navStart || Math.round(performance.timeOrigin || Date.now());

  var FONT_JA = '"Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", system-ui, sans-serif';
  var FONT_ZH = '"Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans", "DejaVu Sans", system-ui, sans-serif';
  var DIM_NODE = { background: "#eceff1", border: "#d9dee2" };
  var DIM_EDGE = "#edf0f2";
  var CUSTOM = { pentagon: 1, cross: 1, ring: 1, document: 1, bubble: 1 };
  var HUB = { policy: 1, program: 1 };
  // Label sizes in CSS pixels, whatever the zoom: the classes people ask about read larger.
  var LABEL_PX = { program: 15, policy: 14, government: 13, organization: 12, person: 12, place: 12 };
  var MAX_NODE_LABELS = 400, MAX_EDGE_LABELS = 150;
  var SLOT = 64, RING = 100;  // layout: room per node on a ring, distance between rings (canvas units)

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

  // A node's label goes beside it unless it is near the top or bottom of its ring
  // (d: its offset from the ring's hub, and whether the layout put it beside):
  // wide labels above or below neighbouring nodes would run into each other.
  function besideLabel(d) { return typeof d[2] === "boolean" ? d[2] : Math.abs(d[0]) > Math.abs(d[1]) * 0.4; }

  function byLabel(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

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

  function makeRenderer(kind) {
    return function (args) {
      var ctx = args.ctx, x = args.x, y = args.y, style = args.style;
      var r = style.size, selected = args.state.selected, hover = args.state.hover;
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
    this.rank = {};
    this.relations = {};
    this.dimmed = new Set();
    this.dimmedEdges = new Set();
    this.selected = null;
    this.classOn = {};
    this.anchorSet = null;
    this.anchorId = null;
    this.revealed = new Map();   // node id -> Set of reasons (an expanded node, "search", "anchor")
    this.expanded = new Map();   // node id -> ids its expansion revealed
    this.adjacency = {};
    this.outEdges = {};
    this.inEdges = {};
    this.edgeById = {};
    this.layoutMode = "groups";
    this.labelBoxes = [];
    this.widths = new Map();
    this.measure = document.createElement("canvas").getContext("2d");
    var anyDefault = data.classes.some(function (c) { return c["default"] && c.count; });
    data.classes.forEach(function (c, i) {
      self.classes[c.key] = c;
      self.rank[c.key] = i;
      // A page around one entity shows its whole neighbourhood; otherwise the default classes.
      self.classOn[c.key] = data.focus ? true : anyDefault ? !!c["default"] : true;
    });
    (data.relations || []).forEach(function (r) { self.relations[r.key] = r; });
    data.nodes.forEach(function (n) {
      self.byId[n.id] = n;
      n.text = shorten(n.label, 32);
      self.adjacency[n.id] = new Set();
      self.outEdges[n.id] = [];
      self.inEdges[n.id] = [];
    });
    this.edgeList = data.edges.filter(function (e) { return self.byId[e.from] && self.byId[e.to]; });
    this.edgeList.forEach(function (e) {
      self.edgeById[e.id] = e;
      e.text = shorten(e.label, 28);
      self.adjacency[e.from].add(e.to);
      self.adjacency[e.to].add(e.from);
      self.outEdges[e.from].push(e);
      self.inEdges[e.to].push(e);
    });
    // Label priority: policies, programs, government bodies and the members of programs
    // first, then class, then links, then name.
    var key = function (n) {
      if (HUB[n.cls] || n.cls === "government") return 0;
      return self.outEdges[n.id].some(function (e) { return e.prop === "org:Membership" && HUB[self.byId[e.to].cls]; }) ? 0 : 1;
    };
    this.priority = data.nodes.slice().sort(function (a, b) {
      return (key(a) - key(b)) || (self.rank[a.cls] - self.rank[b.cls]) ||
        (self.adjacency[b.id].size - self.adjacency[a.id].size) || byLabel(a.label, b.label) || byLabel(a.id, b.id);
    }).map(function (n) { return n.id; });
    this.important = data.nodes.filter(function (n) { return key(n) === 0; }).length;
  }

  View.prototype.nodeItem = function (n, dim) {
    var c = this.classes[n.cls] || { color: "#888888", shape: "dot", size: 10 };
    var custom = !!CUSTOM[c.shape];
    var bg = dim ? DIM_NODE.background : c.color;
    var border = dim ? DIM_NODE.border : darker(c.color);
    var item = {
      id: n.id,
      title: n.label + "\n" + c.label + " · " + n.short,
      shape: custom ? "custom" : c.shape,
      size: c.size,
      color: {
        background: bg, border: border,
        highlight: { background: c.color, border: "#111111" },
        hover: { background: dim ? bg : c.color, border: "#111111" }
      },
      borderWidth: 1.5,
      borderWidthSelected: 3
    };
    if (custom) item.ctxRenderer = makeRenderer(c.shape);
    return item;
  };

  View.prototype.edgeColor = function (e) {
    return (this.relations[e.prop] || {}).color || "#9aa5ad";
  };

  View.prototype.edgeItem = function (e, dim) {
    var member = e.prop === "org:Membership", post = e.prop === "org:Post";
    var base = this.edgeColor(e);
    return {
      id: e.id, from: e.from, to: e.to,
      title: (this.byId[e.from] || {}).label + " — " + e.label + " → " + (this.byId[e.to] || {}).label,
      width: member ? 2.5 : post ? 2 : 1.2,
      dashes: post,
      color: { color: dim ? DIM_EDGE : base, highlight: "#263238", hover: base, inherit: false, opacity: 1 }
    };
  };

  // ---- what is visible
  View.prototype.computeVisible = function () {
    var self = this, visible = new Set();
    this.data.nodes.forEach(function (n) {
      if ((self.classOn[n.cls] && (self.anchorSet === null || self.anchorSet.has(n.id))) || self.revealed.has(n.id)) {
        visible.add(n.id);
      }
    });
    this.visible = visible;
    this.visibleEdges = this.edgeList.filter(function (e) { return visible.has(e.from) && visible.has(e.to); });
  };

  View.prototype.reveal = function (id, reason) {
    if (!this.revealed.has(id)) this.revealed.set(id, new Set());
    this.revealed.get(id).add(reason);
  };

  View.prototype.unreveal = function (id, reason) {
    var r = this.revealed.get(id);
    if (!r) return;
    r.delete(reason);
    if (!r.size) this.revealed.delete(id);
  };

  // ---- layout, computed before drawing
  View.prototype.layout = function () {
    var ids = this.data.nodes.filter(function (n) { return this.visible.has(n.id); }, this).map(function (n) { return n.id; });
    return this.layoutMode === "lineage" ? this.layoutLineage(ids) : this.layoutGroups(ids);
  };

  View.prototype.sortIds = function (ids) {
    var self = this;
    return ids.sort(function (a, b) {
      var na = self.byId[a], nb = self.byId[b];
      return (self.rank[na.cls] - self.rank[nb.cls]) || byLabel(na.label, nb.label) || byLabel(a, b);
    });
  };

  // One group per policy or program (and per component that reaches none):
  // the hub in the middle, the nodes nearest to it on rings around it.
  View.prototype.layoutGroups = function (ids) {
    var self = this, vis = this.visible, pos = {};
    var group = {}, dist = {}, parent = {}, order = {};
    var hubs = this.sortIds(ids.filter(function (id) { return HUB[self.byId[id].cls]; }));
    var bfs = function (roots) {
      var queue = roots.slice();
      roots.forEach(function (h) { group[h] = h; dist[h] = 0; });
      for (var i = 0; i < queue.length; i++) {
        var u = queue[i];
        order[u] = i;
        var next = [];
        self.adjacency[u].forEach(function (m) { if (vis.has(m) && !(m in group)) next.push(m); });
        self.sortIds(next).forEach(function (m) {
          if (m in group) return;
          group[m] = group[u]; dist[m] = dist[u] + 1; parent[m] = u; queue.push(m);
        });
      }
    };
    bfs(hubs);
    var roots = hubs.slice(), loose = [];
    var rest = ids.filter(function (id) { return !(id in group); });
    rest.sort(function (a, b) { return (self.adjacency[b].size - self.adjacency[a].size) || byLabel(a, b); });
    rest.forEach(function (id) {
      if (id in group) return;
      var linked = false;
      self.adjacency[id].forEach(function (m) { if (vis.has(m)) linked = true; });
      if (!linked) { loose.push(id); group[id] = null; return; }
      roots.push(id);
      bfs([id]);
    });
    var members = {};
    roots.forEach(function (h) { members[h] = []; });
    ids.forEach(function (id) { if (group[id] && group[id] !== id) members[group[id]].push(id); });
    var items = [];
    roots.forEach(function (h) {
      var list = members[h];
      list.sort(function (a, b) {
        return (dist[a] - dist[b]) || (order[parent[a]] - order[parent[b]]) ||
          (self.rank[self.byId[a].cls] - self.rank[self.byId[b].cls]) || byLabel(self.byId[a].label, self.byId[b].label);
      });
      var local = [[h, 0, 0]], r = 0, i = 0;
      while (i < list.length) {
        var level = dist[list[i]], j = i;
        while (j < list.length && dist[list[j]] === level) j++;
        var m = j - i;
        r = r + RING;
        if (m <= 48) r = Math.max(r, m * SLOT * 1.8 / (2 * Math.PI));
        while (i < j) {
          var cap = Math.max(6, Math.floor(2 * Math.PI * r / SLOT));
          var take = Math.min(cap, j - i);
          for (var k = 0; k < take; k++) {
            var a = -Math.PI / 2 + 2 * Math.PI * k / take + (level % 2 ? Math.PI / take : 0);
            // only a node alone at the top or bottom of its ring is labelled above or below it:
            // two that straddle the top would need room for both labels, side by side
            local.push([list[i + k], r * Math.cos(a), r * Math.sin(a), Math.abs(Math.cos(a)) > Math.sin(Math.PI / take) / 2]);
          }
          i += take;
          if (i < j) r += RING * 0.75;
        }
      }
      var radius = r + 70;
      items.push({ w: 2 * radius, h: 2 * radius, key: h, local: local });
    });
    if (loose.length) {
      this.sortIds(loose);
      var cols = Math.max(1, Math.ceil(Math.sqrt(loose.length * 0.5))), cw = 240, ch = 64;
      var lw = cols * cw, lh = Math.ceil(loose.length / cols) * ch;
      items.push({ w: lw, h: lh, key: "~", loose: true, local: loose.map(function (id, i) {
        return [id, cw / 2 + (i % cols) * cw - lw / 2, ch / 2 + Math.floor(i / cols) * ch - lh / 2];
      }) });
    }
    this.pack(items);
    this.relax(items, group);
    items.forEach(function (it) {
      var cx = it.x + it.w / 2, cy = it.y + it.h / 2;
      it.local.forEach(function (p) { pos[p[0]] = [cx + p[1], cy + p[2], it.loose ? 0 : p[1], it.loose ? 1 : p[2], p[3]]; });
    });
    return pos;
  };

  // Shelf packing of the groups, biggest first, in rows about as wide as the whole is tall.
  View.prototype.pack = function (items) {
    items.sort(function (a, b) { return (b.h - a.h) || (b.w - a.w) || byLabel(a.key, b.key); });
    var area = 0, widest = 0, gap = 40;
    items.forEach(function (it) { area += (it.w + gap) * (it.h + gap); widest = Math.max(widest, it.w); });
    // rows as wide as the canvas is wide for its height
    var aspect = Math.min(3, Math.max(0.5, (this.container.clientWidth || 4) / (this.container.clientHeight || 3)));
    var rowWidth = Math.max(widest, Math.sqrt(area * aspect));
    var x = 0, y = 0, rowH = 0;
    items.forEach(function (it) {
      if (x > 0 && x + it.w > rowWidth) { x = 0; y += rowH + gap; rowH = 0; }
      it.x = x; it.y = y;
      x += it.w + gap;
      rowH = Math.max(rowH, it.h);
    });
  };

  // Shelf packing alone scatters linked groups (a policy far from the plan it
  // implements and from the bodies that issued it), so the packed groups are
  // then pulled together along the links between them and pushed apart where
  // their boxes overlap. Labels keep their size in pixels whatever the zoom,
  // so a group's box holds its labels at the scale the whole will be fitted
  // at, which depends on the result: a few rounds find it. No randomness.
  View.prototype.relax = function (items, group) {
    if (items.length < 2 || items.length > 200) return;
    var self = this, at = {}, links = {}, gap = 30;
    var W = this.container.clientWidth || 800, H = this.container.clientHeight || 600;
    items.forEach(function (it, i) { at[it.key] = i; it.cx = it.x + it.w / 2; it.cy = it.y + it.h / 2; });
    this.visibleEdges.forEach(function (e) {
      var a = at[group[e.from]], b = at[group[e.to]];
      if (a === undefined || b === undefined || a === b) return;
      // links between policies, programs and their issuers weigh more than a member's
      var hubs = (HUB[self.byId[e.from].cls] ? 1 : 0) + (HUB[self.byId[e.to].cls] ? 1 : 0);
      var k = Math.min(a, b) + "," + Math.max(a, b);
      links[k] = (links[k] || 0) + 1 + 2 * hubs;
    });
    var pairs = Object.keys(links).sort().map(function (k) { var ab = k.split(","); return [+ab[0], +ab[1], links[k]]; });
    pairs.forEach(function (p) { items[p[0]].linked = items[p[1]].linked = true; });
    // each group's box around its centre, labels included, at scale s
    var boxes = function (s) {
      items.forEach(function (it) {
        var l = 0, r = 0, t = 0, b = 0;
        if (!it.loose && it.local.length > 1) {
          // the hub's label, under it, needs its ring's nodes beside it out of the way
          var hub = self.byId[it.local[0][0]], hpx = LABEL_PX[hub.cls] || 11;
          var half = (self.textWidth(hub.text, hpx) / 2 + 16) / s, band = (hpx * 1.3 + 28) / s, grow = 1;
          it.local.forEach(function (p, i) {
            var ax = Math.abs(p[1]);
            if (i && Math.abs(p[2]) < band && ax < half && ax > Math.abs(p[2]) * 0.3) grow = Math.max(grow, Math.min(3, half / ax));
          });
          if (grow > 1) it.local.forEach(function (p) { p[1] *= grow; p[2] *= grow; });
        }
        it.local.forEach(function (p) {
          var n = self.byId[p[0]], c = self.classes[n.cls] || { size: 10 }, px = LABEL_PX[n.cls] || 11;
          var hw = (self.textWidth(n.text, px) / 2 + 6) / s, size = c.size || 10, lh = px * 1.4 / s;
          l = Math.min(l, p[1] - Math.max(hw, size)); r = Math.max(r, p[1] + Math.max(hw, size));
          t = Math.min(t, p[2] - size - lh); b = Math.max(b, p[2] + size + lh);
        });
        it.l = l; it.r = r; it.t = t; it.b = b;
      });
    };
    var full = { x: 1, y: 1 };
    var separate = function () {
      for (var i = 0; i < items.length; i++) {
        for (var j = i + 1; j < items.length; j++) {
          var a = items[i], b = items[j];
          var ox = Math.min(a.cx + a.r, b.cx + b.r) - Math.max(a.cx + a.l, b.cx + b.l) + gap;
          var oy = Math.min(a.cy + a.b, b.cy + b.b) - Math.max(a.cy + a.t, b.cy + b.t) + gap;
          if (ox <= 0 || oy <= 0) continue;
          // out along the axis the two boxes are further apart on, relative to their sizes
          // and to how full the frame already is along it
          var dx = (b.cx + (b.l + b.r) / 2) - (a.cx + (a.l + a.r) / 2), dy = (b.cy + (b.t + b.b) / 2) - (a.cy + (a.t + a.b) / 2);
          var rx = Math.abs(dx) / (a.r - a.l + b.r - b.l), ry = Math.abs(dy) / (a.b - a.t + b.b - b.t);
          rx /= Math.pow(full.x, 1.5); ry /= Math.pow(full.y, 1.5);
          if (rx > ry || (rx === ry && ox < oy)) { var sx = dx >= 0 ? 1 : -1; a.cx -= sx * ox / 2; b.cx += sx * ox / 2; }
          else { var sy = dy >= 0 ? 1 : -1; a.cy -= sy * oy / 2; b.cy += sy * oy / 2; }
        }
      }
    };
    // How full the frame is along each axis (extent over frame size, at scale 1): the
    // whole is fitted by its fuller axis, so groups that must part are parted along
    // the other (see separate). Gravity alone, aimed at the frame's shape, lines wide
    // label boxes up in a row that is shown at a fraction of the scale it was laid out
    // for, and then labels run into each other.
    var fill = function () {
      var l = Infinity, r = -Infinity, t = Infinity, b = -Infinity;
      items.forEach(function (it) {
        l = Math.min(l, it.cx + it.l); r = Math.max(r, it.cx + it.r); t = Math.min(t, it.cy + it.t); b = Math.max(b, it.cy + it.b);
      });
      return { x: (r - l) / W, y: (b - t) / H };
    };
    var fitScale = function () { var fr = fill(); return 1 / Math.max(fr.x, fr.y); };
    var s = 0.6, g0 = 0.05;
    for (var round = 0; round < 3; round++) {
      boxes(s);
      var mx = 0, my = 0;
      items.forEach(function (it) { mx += it.cx; my += it.cy; });
      mx /= items.length; my /= items.length;
      for (var step = 0; step < 150; step++) {
        var cool = 1 - step / 150;
        if (step % 10 === 0) full = fill();
        pairs.forEach(function (p) {
          var a = items[p[0]], b = items[p[1]], dx = b.cx - a.cx, dy = b.cy - a.cy;
          var d = Math.sqrt(dx * dx + dy * dy) || 1;
          var f = Math.min(0.3, 0.03 * p[2]) * d * cool, ux = dx / d, uy = dy / d;
          a.cx += ux * f; a.cy += uy * f; b.cx -= ux * f; b.cy -= uy * f;
        });
        // pulled to the middle, less for groups linked to no other, which then end up round the edge
        items.forEach(function (it) {
          var g = (it.linked ? cool : cool * 0.3) * g0;
          it.cx += (mx - it.cx) * g; it.cy += (my - it.cy) * g;
        });
        // at first groups may pass through each other, so linked ones can meet
        if (round || step >= 50) separate();
      }
      for (var k = 0; k < 60; k++) separate();
      s = Math.max(0.15, Math.min(1.2, fitScale()));
    }
    items.forEach(function (it) { it.x = it.cx - it.w / 2; it.y = it.cy - it.h / 2; });
  };

  // Layers along the links (a link's target above its source), so a policy
  // sits below the one it refines and members below their program.
  View.prototype.layoutLineage = function (ids) {
    var self = this, vis = this.visible, pos = {}, height = {}, state = {};
    var out = function (id) {
      return self.outEdges[id].filter(function (e) { return vis.has(e.to) && e.to !== id; }).map(function (e) { return e.to; });
    };
    var level = function (root) {
      // iterative DFS: height = 1 + max height of the targets; links that close a cycle are ignored
      var stack = [[root, 0]];
      state[root] = 1;
      while (stack.length) {
        var top = stack[stack.length - 1], kids = out(top[0]);
        if (top[1] < kids.length) {
          var k = kids[top[1]++];
          if (!state[k]) { state[k] = 1; stack.push([k, 0]); }
        } else {
          var h = 0;
          kids.forEach(function (k2) { if (state[k2] === 2) h = Math.max(h, height[k2] + 1); });
          height[top[0]] = h;
          state[top[0]] = 2;
          stack.pop();
        }
      }
    };
    var linked = [], loose = [];
    ids.forEach(function (id) {
      var any = false;
      self.adjacency[id].forEach(function (m) { if (vis.has(m)) any = true; });
      (any ? linked : loose).push(id);
    });
    this.sortIds(linked).forEach(function (id) { if (!state[id]) level(id); });
    var layers = [];
    linked.forEach(function (id) { (layers[height[id]] = layers[height[id]] || []).push(id); });
    var xOf = {}, dx = 170, dy = 150, y = 0, widest = 0;
    layers.forEach(function (layer, li) {
      if (!layer) return;
      if (li > 0) {
        // order by the mean position of the targets already placed
        var bary = {};
        layer.forEach(function (id) {
          var xs = out(id).filter(function (t) { return t in xOf; }).map(function (t) { return xOf[t]; });
          bary[id] = xs.length ? xs.reduce(function (s, v) { return s + v; }, 0) / xs.length : Infinity;
        });
        layer.sort(function (a, b) { return (bary[a] - bary[b]) || 0; });
      }
      var cols = Math.max(1, Math.ceil(Math.sqrt(layer.length * 8)));
      layer.forEach(function (id, i) {
        var row = Math.floor(i / cols), col = i % cols;
        var width = Math.min(cols, layer.length) * dx;
        xOf[id] = col * dx - width / 2 + dx / 2 + (row % 2 ? dx / 2 : 0);
        pos[id] = [xOf[id], y + row * dy * 0.6, 0, 1];
      });
      widest = Math.max(widest, Math.min(cols, layer.length) * dx);
      y += (Math.ceil(layer.length / cols) - 1) * dy * 0.6 + dy;
    });
    if (loose.length) {
      var cols2 = Math.max(1, Math.floor(Math.max(widest, 600) / 190));
      this.sortIds(loose).forEach(function (id, i) {
        pos[id] = [(i % cols2) * 190 - (Math.min(cols2, loose.length) - 1) * 95, y + 40 + Math.floor(i / cols2) * 60, 0, 1];
      });
    }
    return pos;
  };

  View.prototype.applyLayout = function (pos) {
    var self = this;
    this.data.nodes.forEach(function (n) {
      var p = pos[n.id];
      if (!p) return;
      n.dir = [p[2], p[3], p[4]];
      n.x = p[0];
      n.y = p[1];
      if (self.network && !n.hidden) self.network.moveNode(n.id, p[0], p[1]);
    });
  };

  View.prototype.placedItem = function (n) {
    var item = this.nodeItem(n, this.dimmed.has(n.id));
    item.x = typeof n.x === "number" ? n.x : 0;
    item.y = typeof n.y === "number" ? n.y : 0;
    return item;
  };

  View.prototype.build = function () {
    var self = this, data = this.data;
    this.computeVisible();
    this.applyLayout(this.layout());
    // vis-network gets only what is visible; filters add and remove items.
    this.shownEdges = new Set(this.visibleEdges.map(function (e) { return e.id; }));
    this.nodes = new vis.DataSet(data.nodes.filter(function (n) {
      n.hidden = !self.visible.has(n.id);
      return !n.hidden;
    }).map(function (n) { return self.placedItem(n); }));
    this.edges = new vis.DataSet(this.visibleEdges.map(function (e) { return self.edgeItem(e, false); }));
    var large = data.nodes.length > 1500;
    var options = {
      autoResize: true,
      edges: {
        smooth: false,
        arrows: { to: { enabled: true, scaleFactor: 0.45 } },
        selectionWidth: 1.5,
        hoverWidth: 0.5
      },
      interaction: {
        hover: !large, tooltipDelay: 200, hideEdgesOnDrag: large, hideEdgesOnZoom: large,
        multiselect: false, navigationButtons: false, keyboard: false
      },
      layout: { improvedLayout: false, randomSeed: 7 },
      physics: {
        enabled: false,
        solver: "barnesHut",
        barnesHut: {
          gravitationalConstant: -2000, centralGravity: 0.2, springLength: 90,
          springConstant: 0.03, damping: 0.35, avoidOverlap: 0.5
        },
        maxVelocity: 40, minVelocity: 1, timestep: 0.5,
        stabilization: { enabled: false }
      }
    };
    this.network = new vis.Network(this.container, { nodes: this.nodes, edges: this.edges }, options);
    window.__network = this.network;
    window.__nodes = this.nodes;
    window.__edges = this.edges;
    this.network.on("afterDrawing", function (ctx) { self.drawLabels(ctx); });
    this.network.on("click", function (params) {
      if (params.nodes && params.nodes.length) self.selectNode(params.nodes[0], false);
      else if (params.edges && params.edges.length) self.selectEdge(params.edges[0]);
      else self.clear();
    });
    this.network.on("doubleClick", function (params) {
      if (params.nodes && params.nodes.length) self.toggleExpand(params.nodes[0]);
    });
    this.updateCounts();
    this.fit();
    this.network.redraw();
    this.stable();
  };

  // vis-network's fit frames the nodes only, and a label that would cross the
  // frame's edge is not drawn: frame the labels too (their size is in pixels,
  // so the scale that fits depends on itself; a few rounds settle it).
  // Room a node's label takes around the node, in pixels, as if centred under
  // it: reserving a side label's whole width at the frame's edge would shrink
  // the picture for labels that end up elsewhere.
  View.prototype.labelRoom = function (id) {
    var n = this.byId[id], c = this.classes[n.cls] || { size: 10 }, px = LABEL_PX[n.cls] || 11;
    var hw = (this.textWidth(n.text, px) + 4) / 2 + 2, lh = Math.ceil(px * 1.3) + 2;
    return { size: c.size || 10, l: hw, r: hw, t: lh / 2, b: lh };
  };

  View.prototype.fit = function () {
    var self = this, ids = Array.from(this.visible);
    if (!ids.length) return;
    this.network.fit({ nodes: ids, animation: false });
    var W = this.container.clientWidth, H = this.container.clientHeight, ps = this.network.getPositions(ids);
    if (!W || !H) return;
    var ext = ids.map(function (id) {
      var e = self.labelRoom(id);
      e.x = ps[id].x; e.y = ps[id].y;
      return e;
    });
    var span = function (s, axis) {
      var lo = Infinity, hi = -Infinity, nlo = Infinity, nhi = -Infinity;
      ext.forEach(function (e) {
        var c = (axis ? e.y : e.x) * s, r = e.size * s;
        lo = Math.min(lo, c - r - (axis ? e.t : e.l)); hi = Math.max(hi, c + r + (axis ? e.b : e.r));
        nlo = Math.min(nlo, axis ? e.y : e.x); nhi = Math.max(nhi, axis ? e.y : e.x);
      });
      return { lo: lo, hi: hi, nodes: nhi - nlo };
    };
    var s = this.network.getScale(), margin = 8;
    for (var k = 0; k < 4; k++) {
      var next = Infinity;
      [0, 1].forEach(function (axis) {
        var sp = span(s, axis), extra = (sp.hi - sp.lo) - s * sp.nodes, room = (axis ? H : W) - 2 * margin - extra;
        if (sp.nodes > 0 && room > 0) next = Math.min(next, room / sp.nodes);
      });
      if (!isFinite(next)) break;
      s = Math.min(next, 1.5);
    }
    var sx = span(s, 0), sy = span(s, 1);
    this.network.moveTo({ position: { x: (sx.lo + sx.hi) / 2 / s, y: (sy.lo + sy.hi) / 2 / s }, scale: s, animation: false });
  };

  View.prototype.stable = function () {
    if (this.isStable) return;
    this.isStable = true;
    window.__networkStable = Date.now() - window.__navStart;
    document.body.dataset.stable = "1";
    var box = $("pk-loading");
    if (box) box.hidden = true;
    if (this.data.focus && this.byId[this.data.focus]) {
      // In a narrow frame (an entity page's neighbourhood) the panel would cover the
      // neighbourhood: select and highlight the focus, open the panel on a click.
      if (window.innerWidth < 900) {
        this.selected = { node: this.data.focus };
        this.network.selectNodes([this.data.focus], true);
        this.highlightNode(this.data.focus);
        document.body.dataset.selected = this.data.focus;
      } else {
        this.focusNode(this.data.focus);
      }
    }
  };

  // ---- labels: placed after each frame, most important first, never overlapping
  View.prototype.textWidth = function (text, px) {
    var key = px + "\u0000" + text, w = this.widths.get(key);
    if (w === undefined) {
      this.measure.font = px + "px " + this.font;
      w = this.measure.measureText(text).width;
      this.widths.set(key, w);
    }
    return w;
  };

  View.prototype.drawLabels = function (ctx) {
    var self = this, net = this.network, scale = net.getScale();
    var W = this.container.clientWidth, H = this.container.clientHeight;
    var tl = net.DOMtoCanvas({ x: 0, y: 0 });
    var bodyNodes = net.body.nodes;
    var cell = 48, grid = new Map(), boxes = [];
    var hits = function (b) {
      if (b.x < 0 || b.y < 0 || b.x + b.w > W || b.y + b.h > H) return true;
      for (var gx = Math.floor(b.x / cell); gx <= Math.floor((b.x + b.w) / cell); gx++) {
        for (var gy = Math.floor(b.y / cell); gy <= Math.floor((b.y + b.h) / cell); gy++) {
          var list = grid.get(gx * 100003 + gy);
          if (!list) continue;
          for (var i = 0; i < list.length; i++) {
            var o = list[i];
            if (b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h) return true;
          }
        }
      }
      return false;
    };
    var add = function (b) {
      for (var gx = Math.floor(b.x / cell); gx <= Math.floor((b.x + b.w) / cell); gx++) {
        for (var gy = Math.floor(b.y / cell); gy <= Math.floor((b.y + b.h) / cell); gy++) {
          var k = gx * 100003 + gy;
          if (!grid.has(k)) grid.set(k, []);
          grid.get(k).push(b);
        }
      }
      boxes.push(b);
    };
    var draw = function (b, px, bold, color) {
      ctx.font = (bold ? "bold " : "") + (px / scale) + "px " + self.font;
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      ctx.lineWidth = 3 / scale;
      ctx.strokeStyle = "#ffffff";
      var x = tl.x + (b.x + 1) / scale, y = tl.y + (b.y + b.h / 2) / scale;
      ctx.strokeText(b.text, x, y);
      ctx.fillStyle = color;
      ctx.fillText(b.text, x, y);
    };
    // nodes big enough to see are obstacles: a label never covers one
    var obstacles = [];
    this.visible.forEach(function (id) {
      var bn = bodyNodes[id];
      if (!bn) return;
      var r = (bn.options.size || 10) * scale;
      if (r < 4) return;
      var sx = (bn.x - tl.x) * scale, sy = (bn.y - tl.y) * scale;
      if (sx < -r || sy < -r || sx > W + r || sy > H + r) return;
      obstacles.push({ x: sx - r, y: sy - r, w: 2 * r, h: 2 * r });
    });
    // Policies and programs are labelled first and may lie over a node of their
    // ring; every other label keeps clear of the nodes too.
    var blocked = false, block = function () {
      if (blocked) return;
      blocked = true;
      var labels = boxes;
      boxes = [];
      obstacles.forEach(function (b) { add(b); });
      boxes = labels;
    };
    ctx.save();
    // Most important first (the selection and its neighbours, then policies, programs,
    // government bodies and the members of programs, then the rest), a tier at a time:
    // every node of a tier gets a place beside it before any takes a place further out,
    // which could be another's only place.
    var sel = this.selected && this.selected.node, tiers = [this.priority.slice(0, this.important), this.priority.slice(this.important)];
    if (sel) tiers.unshift([sel].concat(Array.from(this.adjacency[sel])));
    var done = new Set(), count = 0;
    tiers.forEach(function (tier) {
      var todo = [];
      tier.forEach(function (id) {
        if (done.has(id)) return;
        done.add(id);
        var bn = bodyNodes[id], n = self.byId[id];
        if (!bn || bn.options.hidden || !self.visible.has(id) || self.dimmed.has(id)) return;
        var sx = (bn.x - tl.x) * scale, sy = (bn.y - tl.y) * scale;
        if (sx < -300 || sy < -50 || sx > W + 300 || sy > H + 50) return;
        var px = LABEL_PX[n.cls] || 11, bold = id === sel;
        var tw = self.textWidth(n.text, px) * (bold ? 1.08 : 1) + 2, lh = Math.ceil(px * 1.3);
        var r = (bn.options.size || 10) * scale + 2;
        var d = n.dir || [0, 1];
        var below = { x: sx - tw / 2, y: sy + r }, above = { x: sx - tw / 2, y: sy - r - lh };
        var right = { x: sx + r + 1, y: sy - lh / 2 }, left = { x: sx - r - 1 - tw, y: sy - lh / 2 };
        var near = besideLabel(d) ? (d[0] > 0 ? [right, below, above, left] : [left, below, above, right])
          : (d[1] < 0 ? [above, right, left, below] : [below, right, left, above]);
        // then a little further out, clear of the nodes around (a hub in its ring of members)
        var far = [];
        for (var step = 1; step <= 2; step++) {
          far.push({ x: below.x, y: below.y + step * lh }, { x: above.x, y: above.y - step * lh });
        }
        todo.push({ id: id, n: n, px: px, bold: bold, tw: tw, lh: lh, tries: [near, far] });
      });
      [0, 1].forEach(function (pass) {
        todo.forEach(function (o) {
          if (o.placed || count >= MAX_NODE_LABELS) return;
          if (!HUB[o.n.cls]) block();
          var tries = o.tries[pass];
          for (var t = 0; t < tries.length; t++) {
            var b = { id: o.id, kind: "node", x: tries[t].x, y: tries[t].y, w: o.tw, h: o.lh, text: o.n.text };
            if (!hits(b)) { add(b); draw(b, o.px, o.bold, "#263238"); o.placed = true; count++; break; }
          }
        });
      });
    });
    block();
    // link labels where there is room left
    var edgeOrder = this.visibleEdges.filter(function (e) { return !self.dimmedEdges.has(e.id); });
    if (this.selected) {
      edgeOrder.sort(function (a, b) { return self.edgeRank(a) - self.edgeRank(b); });
    }
    count = 0;
    for (var j = 0; j < edgeOrder.length && count < MAX_EDGE_LABELS; j++) {
      var e = edgeOrder[j], f = bodyNodes[e.from], g = bodyNodes[e.to];
      if (!f || !g) continue;
      var ax = (f.x - tl.x) * scale, ay = (f.y - tl.y) * scale, bx = (g.x - tl.x) * scale, by = (g.y - tl.y) * scale;
      var mx = (ax + bx) / 2, my = (ay + by) / 2;
      if (mx < 0 || my < 0 || mx > W || my > H) continue;
      var len = Math.sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay));
      var ew = this.textWidth(e.text, 10) + 2, eh = 13;
      if (len < ew + 30) continue;
      var eb = { id: e.id, kind: "edge", x: mx - ew / 2, y: my - eh / 2, w: ew, h: eh, text: e.text };
      if (!hits(eb)) { add(eb); draw(eb, 10, false, darker(this.edgeColor(e), 0.75)); count++; }
    }
    ctx.restore();
    this.labelBoxes = boxes;
    window.__labelBoxes = boxes;
  };

  View.prototype.edgeRank = function (e) {
    var s = this.selected;
    if (s && (s.edge === e.id || e.from === s.node || e.to === s.node)) return 0;
    return e.prop === "org:Membership" ? 1 : e.prop === "org:Post" ? 2 : 3;
  };

  // ---- highlighting
  View.prototype.dim = function (keepNodes, keepEdges) {
    var self = this, nodeUpdates = [], edgeUpdates = [];
    var next = new Set();
    this.data.nodes.forEach(function (n) { if (!keepNodes.has(n.id)) next.add(n.id); });
    this.data.nodes.forEach(function (n) {
      if (!n.hidden && self.dimmed.has(n.id) !== next.has(n.id)) {
        nodeUpdates.push({ id: n.id, color: self.nodeItem(n, next.has(n.id)).color });
      }
    });
    var nextEdges = new Set();
    this.edgeList.forEach(function (e) { if (!keepEdges.has(e.id)) nextEdges.add(e.id); });
    this.edgeList.forEach(function (e) {
      if (self.shownEdges.has(e.id) && self.dimmedEdges.has(e.id) !== nextEdges.has(e.id)) {
        edgeUpdates.push({ id: e.id, color: self.edgeItem(e, nextEdges.has(e.id)).color });
      }
    });
    this.dimmed = next;
    this.dimmedEdges = nextEdges;
    if (nodeUpdates.length) this.nodes.update(nodeUpdates);
    if (edgeUpdates.length) this.edges.update(edgeUpdates);
  };

  View.prototype.undim = function () {
    if (!this.dimmed.size && !this.dimmedEdges.size) return;
    this.dim(new Set(this.data.nodes.map(function (n) { return n.id; })), new Set(this.edgeList.map(function (e) { return e.id; })));
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
      var panel = $("pk-panel"), narrow = window.innerWidth <= 720;
      var offset = panel && !panel.hidden && !narrow ? -panel.offsetWidth / 2 : 0;
      var offsetY = panel && !panel.hidden && narrow ? -panel.offsetHeight / 2 : 0;
      this.network.focus(id, { scale: Math.max(this.network.getScale(), 1.0), offset: { x: offset, y: offsetY }, animation: false });
    }
    document.body.dataset.selected = n.id;
  };

  View.prototype.focusNode = function (id) { this.selectNode(id, true); };

  View.prototype.selectEdge = function (edgeId) {
    var e = this.edgeById[edgeId];
    if (!e) return;
    this.selected = { edge: edgeId };
    this.ensureVisible(e.from);
    this.ensureVisible(e.to);
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
    this.network.redraw();
  };

  // ---- filters, counts, expansion
  // Bring vis-network's data sets in line with what is visible.
  View.prototype.syncHidden = function () {
    var self = this, addNodes = [], dropNodes = [], addEdges = [], dropEdges = [];
    this.data.nodes.forEach(function (n) {
      var hidden = !self.visible.has(n.id);
      if (!!n.hidden === hidden) return;
      n.hidden = hidden;
      if (hidden) dropNodes.push(n.id); else addNodes.push(self.placedItem(n));
    });
    var next = new Set(this.visibleEdges.map(function (e) { return e.id; }));
    this.shownEdges.forEach(function (id) { if (!next.has(id)) dropEdges.push(id); });
    this.visibleEdges.forEach(function (e) {
      if (!self.shownEdges.has(e.id)) addEdges.push(self.edgeItem(e, self.dimmedEdges.has(e.id)));
    });
    this.shownEdges = next;
    if (dropEdges.length) this.edges.remove(dropEdges);
    if (dropNodes.length) this.nodes.remove(dropNodes);
    if (addNodes.length) this.nodes.add(addNodes);
    if (addEdges.length) this.edges.add(addEdges);
  };

  View.prototype.applyFilters = function () {
    this.computeVisible();
    var pos = this.layout();
    this.syncHidden();
    this.applyLayout(pos);
    this.updateCounts();
    this.fit();
  };

  View.prototype.counts = function () {
    var self = this, classes = {}, relations = {};
    this.visible.forEach(function (id) { var c = self.byId[id].cls; classes[c] = (classes[c] || 0) + 1; });
    this.visibleEdges.forEach(function (e) { relations[e.prop] = (relations[e.prop] || 0) + 1; });
    return { nodes: this.visible.size, edges: this.visibleEdges.length, classes: classes, relations: relations };
  };

  View.prototype.updateCounts = function () {
    var c = this.counts(), self = this;
    if ($("pk-count-nodes")) $("pk-count-nodes").textContent = String(c.nodes);
    if ($("pk-count-edges")) $("pk-count-edges").textContent = String(c.edges);
    document.querySelectorAll("#pk-legend .pk-legend-count").forEach(function (span) {
      var key = span.getAttribute("data-class"), total = (self.classes[key] || {}).count || 0, shown = c.classes[key] || 0;
      span.textContent = shown === total ? String(total) : shown + " of " + total;
    });
    document.querySelectorAll("#pk-edge-legend .pk-legend-count").forEach(function (span) {
      var key = span.getAttribute("data-relation"), total = (self.relations[key] || {}).count || 0, shown = c.relations[key] || 0;
      span.textContent = shown === total ? String(total) : shown + " of " + total;
      span.parentNode.parentNode.classList.toggle("pk-empty", !shown);
    });
  };

  View.prototype.ensureVisible = function (id) {
    if (this.visible.has(id)) return;
    this.reveal(id, "search");
    this.computeVisible();
    this.syncHidden();
    this.placeAround(id, [id]);
    this.updateCounts();
  };

  // New nodes go on a ring around the node that brought them in (or the middle of their neighbours).
  View.prototype.placeAround = function (centre, ids) {
    var self = this, net = this.network, pos = net.getPositions([centre])[centre];
    if (ids.length === 1 && ids[0] === centre) {
      var known = Array.from(this.adjacency[centre]).filter(function (m) { return self.visible.has(m) && m !== centre; });
      if (known.length) {
        var ps = net.getPositions(known), sx = 0, sy = 0;
        known.forEach(function (m) { sx += ps[m].x; sy += ps[m].y; });
        net.moveNode(centre, sx / known.length + 40, sy / known.length + 40);
      }
      return;
    }
    var r = Math.max(RING, ids.length * SLOT / (2 * Math.PI));
    ids.forEach(function (id, k) {
      var a = -Math.PI / 2 + 2 * Math.PI * k / ids.length;
      self.byId[id].dir = [Math.cos(a), Math.sin(a)];
      net.moveNode(id, pos.x + r * Math.cos(a), pos.y + r * Math.sin(a));
    });
  };

  View.prototype.hiddenNeighbours = function (id) {
    var self = this;
    return this.sortIds(Array.from(this.adjacency[id]).filter(function (m) { return !self.visible.has(m); }));
  };

  View.prototype.expand = function (id) {
    if (!this.byId[id] || this.expanded.has(id)) return [];
    var self = this, added = this.hiddenNeighbours(id);
    added.forEach(function (m) { self.reveal(m, id); });
    this.expanded.set(id, added);
    this.computeVisible();
    this.syncHidden();
    this.placeAround(id, added);
    this.updateCounts();
    if (this.selected && this.selected.node === id) this.selectNode(id, false);
    return added;
  };

  View.prototype.collapse = function (id) {
    var self = this, added = this.expanded.get(id);
    if (!added) return;
    this.expanded.delete(id);
    added.forEach(function (m) {
      self.unreveal(m, id);
      if (!self.revealed.has(m) && self.expanded.has(m)) self.collapse(m);
    });
    this.computeVisible();
    this.syncHidden();
    this.updateCounts();
    if (this.selected && this.selected.node === id) this.selectNode(id, false);
  };

  View.prototype.toggleExpand = function (id) {
    if (this.expanded.has(id)) this.collapse(id);
    else this.expand(id);
  };

  View.prototype.setAnchor = function (id, depth) {
    if (this.anchorId) this.unreveal(this.anchorId, "anchor");
    this.anchorId = null;
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
      this.anchorId = id;
      this.reveal(id, "anchor");
    }
    this.applyFilters();
  };

  // ---- export of the current view
  View.prototype.download = function (blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  };

  View.prototype.exportPNG = function () {
    var src = this.container.querySelector("canvas"), self = this;
    var out = document.createElement("canvas");
    out.width = src.width;
    out.height = src.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
    return new Promise(function (resolve) {
      out.toBlob(function (blob) { self.download(blob, "policykg-network.png"); resolve(blob.size); }, "image/png");
    });
  };

  View.prototype.svgDocument = function () {
    var self = this, net = this.network, W = this.container.clientWidth, H = this.container.clientHeight;
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("xmlns", SVGNS);
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("width", String(W));
    svg.setAttribute("height", String(H));
    var add = function (parent, tag, attrs, text) {
      var e = document.createElementNS(SVGNS, tag);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
      if (text != null) e.textContent = text;
      parent.appendChild(e);
      return e;
    };
    add(svg, "rect", { x: 0, y: 0, width: W, height: H, fill: "#ffffff" });
    var scale = net.getScale(), ids = Array.from(this.visible), pos = net.getPositions(ids), dom = {};
    ids.forEach(function (id) { dom[id] = net.canvasToDOM(pos[id]); });
    var edges = add(svg, "g", { "class": "links" });
    this.visibleEdges.forEach(function (e) {
      var a = dom[e.from], b = dom[e.to];
      add(edges, "line", { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1),
        stroke: self.dimmedEdges.has(e.id) ? DIM_EDGE : self.edgeColor(e), "stroke-width": e.prop === "org:Membership" ? 2.5 : 1.2 });
    });
    var nodes = add(svg, "g", { "class": "nodes" });
    ids.forEach(function (id) {
      var n = self.byId[id], c = self.classes[n.cls] || { color: "#888888", size: 10 }, p = dom[id];
      var dim = self.dimmed.has(id), r = Math.max(1.5, c.size * scale);
      var g = add(nodes, "g", { transform: "translate(" + p.x.toFixed(1) + "," + p.y.toFixed(1) + ")" });
      add(g, "title", {}, n.label);
      var icon = legendIcon(c.shape, dim ? DIM_NODE.background : c.color);
      icon.setAttribute("x", String(-r));
      icon.setAttribute("y", String(-r));
      icon.setAttribute("width", String(2 * r));
      icon.setAttribute("height", String(2 * r));
      g.appendChild(icon);
    });
    var labels = add(svg, "g", { "class": "labels", "font-family": "Noto Sans, Noto Sans CJK JP, sans-serif" });
    this.labelBoxes.forEach(function (b) {
      var n = b.kind === "node" ? self.byId[b.id] : null;
      add(labels, "text", { x: (b.x + 1).toFixed(1), y: (b.y + b.h / 2).toFixed(1), "dominant-baseline": "middle",
        "font-size": n ? (LABEL_PX[n.cls] || 11) : 10, fill: n ? "#263238" : "#55636d",
        stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke" }, b.text);
    });
    return svg;
  };

  View.prototype.exportSVG = function () {
    var text = new XMLSerializer().serializeToString(this.svgDocument());
    var blob = new Blob([text], { type: "image/svg+xml" });
    this.download(blob, "policykg-network.svg");
    return text;
  };

  // ---- search
  // Normalised names, made on the first search rather than before the first frame.
  View.prototype.searchNames = function (n) {
    if (!n.searchNames) {
      var names = [n.id, n.short, n.label];
      Object.keys(n.labels || {}).forEach(function (l) { names.push(n.labels[l]); });
      (n.aliases || []).forEach(function (a) { names.push(a[0]); });
      n.searchNames = names.map(norm).filter(function (s) { return s; });
    }
    return n.searchNames;
  };

  View.prototype.search = function (text) {
    var q = norm(text), self = this;
    if (!q) return [];
    var rank = {};
    this.data.classes.forEach(function (c, i) { rank[c.key] = i; });
    var hits = [];
    this.data.nodes.forEach(function (n) {
      var best = 9;
      var names = self.searchNames(n);
      for (var i = 0; i < names.length; i++) {
        var s = names[i];
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
    var hidden = this.hiddenNeighbours(n.id).length;
    if (this.expanded.has(n.id) || hidden) {
      var more = el("button", this.expanded.has(n.id) ? "collapse the neighbours shown" : "show " + hidden + " hidden neighbour" + (hidden === 1 ? "" : "s"), "pk-expand");
      more.type = "button";
      more.id = "pk-expand";
      more.addEventListener("click", function () { self.toggleExpand(n.id); });
      body.appendChild(more);
    }

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
        box.checked = !!self.classOn[c.key];
        box.setAttribute("data-class", c.key);
        box.addEventListener("change", function () { self.classOn[c.key] = box.checked; self.applyFilters(); });
        label.appendChild(box);
        label.appendChild(legendIcon(c.shape, c.color));
        label.appendChild(el("span", c.label, "pk-legend-label"));
        var count = el("span", String(c.count), "pk-legend-count");
        count.setAttribute("data-class", c.key);
        label.appendChild(count);
        if (!c.count) li.classList.add("pk-empty");
        li.appendChild(label);
        legend.appendChild(li);
      });
      var setAll = function (pick) {
        legend.querySelectorAll("input[data-class]").forEach(function (b) {
          var key = b.getAttribute("data-class");
          b.checked = pick(self.classes[key]);
          self.classOn[key] = b.checked;
        });
        self.applyFilters();
      };
      if ($("pk-classes-all")) $("pk-classes-all").addEventListener("click", function () { setAll(function () { return true; }); });
      if ($("pk-classes-none")) $("pk-classes-none").addEventListener("click", function () { setAll(function () { return false; }); });
      if ($("pk-classes-default")) $("pk-classes-default").addEventListener("click", function () { setAll(function (c) { return !!c["default"]; }); });
    }
    var edgeLegend = $("pk-edge-legend");
    if (edgeLegend) {
      (this.data.relations || []).forEach(function (r) {
        var li = el("li", null, "pk-legend-item");
        var label = el("span", null, "pk-relation");
        var swatch = el("span", null, "pk-swatch");
        swatch.style.backgroundColor = r.color;
        if (r.key === "org:Post") swatch.classList.add("pk-dashed");
        label.appendChild(swatch);
        var name = el("span", r.label, "pk-legend-label");
        name.setAttribute("title", r.key);
        label.appendChild(name);
        var count = el("span", String(r.count), "pk-legend-count");
        count.setAttribute("data-relation", r.key);
        label.appendChild(count);
        li.appendChild(label);
        edgeLegend.appendChild(li);
      });
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
    var mode = $("pk-layout-mode");
    if (mode) mode.addEventListener("change", function () { self.layoutMode = mode.value; self.applyFilters(); });
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
    if ($("pk-fit")) $("pk-fit").addEventListener("click", function () { self.fit(); });
    var app = $("pk-app");
    if ($("pk-fullscreen") && app) {
      $("pk-fullscreen").addEventListener("click", function () {
        var on = !app.classList.contains("pk-full");
        app.classList.toggle("pk-full", on);
        try {
          if (on && app.requestFullscreen) app.requestFullscreen().catch(function () {});
          else if (!on && document.fullscreenElement) document.exitFullscreen().catch(function () {});
        } catch (err) { /* the class alone gives the canvas the page */ }
        setTimeout(function () { self.network.redraw(); self.fit(); }, 50);
      });
      document.addEventListener("fullscreenchange", function () {
        if (!document.fullscreenElement) app.classList.remove("pk-full");
      });
    }
    if ($("pk-export-png")) $("pk-export-png").addEventListener("click", function () { self.exportPNG(); });
    if ($("pk-export-svg")) $("pk-export-svg").addEventListener("click", function () { self.exportSVG(); });
    var toggle = $("pk-drawer-toggle");
    if (toggle && app) {
      var drawer = function (open) {
        app.classList.toggle("pk-drawer-open", open);
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      };
      toggle.addEventListener("click", function () { drawer(!app.classList.contains("pk-drawer-open")); });
      if ($("pk-drawer-close")) $("pk-drawer-close").addEventListener("click", function () { drawer(false); });
      this.container.addEventListener("pointerdown", function () { drawer(false); });
    }
    if ($("pk-panel-close")) $("pk-panel-close").addEventListener("click", function () { self.clear(); });
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") self.clear(); });
  };

  function init() {
    var holder = $("network-data"), container = $("pk-network");
    if (!holder || !container || typeof vis === "undefined") return;
    var data = JSON.parse(holder.textContent);
    var view = new View(data, container);
    view.wire();
    view.build();
    window.policykgView = {
      focusNode: function (id) { view.focusNode(id); },
      search: function (text) { return view.showResults(text, true).map(function (n) { return n.id; }); },
      clear: function () { view.clear(); },
      counts: function () { return view.counts(); },
      expand: function (id) { return view.expand(id); },
      collapse: function (id) { view.collapse(id); },
      exportPNG: function () { return view.exportPNG(); },
      exportSVG: function () { return view.exportSVG(); },
      view: view
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
