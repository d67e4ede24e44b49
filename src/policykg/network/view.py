"""The offline network view: one self-contained HTML page.

``render_network_html`` turns a :class:`~policykg.network.Network` into a
page that makes no request at all when opened from ``file://``: vis-network
(the copy bundled with pyvis), the page's own script and style sheet are
inlined, and the graph travels as JSON inside a
``<script type="application/json" id="network-data">`` element, read with
``JSON.parse``. Every string from the graph reaches the page only through
that escaped JSON, and the script puts it into the DOM only as text.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from .. import paths
from ..errors import PolicyKGError
from ..namespaces import shorten
from ..templating import environment, script_json
from .projection import DISPLAY_CLASSES, LANGS, NODE_CLASSES, Network

VIS_VERSION = "9.1.2"

# Colour and shape of each display class, from the one table of display classes.
CLASS_STYLE: dict[str, dict] = {c["key"]: {k: c[k] for k in ("color", "shape", "size", "font")}
                                for c in DISPLAY_CLASSES}

# Above this many nodes the page shortens the stabilisation run; the
# positions vis-network starts from are seeded here (see _seed_positions).
LARGE = 1500


def _vis_dir() -> Path:
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise PolicyKGError("pyvis is not installed; it provides the vis-network copy the page inlines")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "lib" / f"vis-{VIS_VERSION}"
        if (candidate / "vis-network.min.js").is_file():
            return candidate
    raise PolicyKGError(f"vis-network {VIS_VERSION} not found in the pyvis package")


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    vis = _vis_dir()
    static = paths.STATIC
    assets = {
        "vis_js": (vis / "vis-network.min.js").read_text(encoding="utf-8"),
        "vis_css": (vis / "vis-network.css").read_text(encoding="utf-8"),
        "app_js": (static / "network.js").read_text(encoding="utf-8"),
        "app_css": (static / "network.css").read_text(encoding="utf-8"),
    }
    for name, text in assets.items():
        # Inlined code must not be able to end its own element.
        closer = "</script" if name.endswith("js") else "</style"
        if closer in text.lower():
            raise PolicyKGError(f"{name} contains {closer!r} and cannot be inlined")
    return assets


def _seed_positions(net: Network) -> dict[str, tuple[float, float]]:
    """Cheap initial positions for large graphs: each connected component on
    its own disc, nodes placed by breadth-first rings around the component's
    best-connected node. Not a layout, a head start: vis-network's solver then
    needs far fewer iterations than from its random start."""
    import math

    import networkx as nx

    g = net.graph.to_undirected(as_view=True)
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=len, reverse=True)
    positions: dict[str, tuple[float, float]] = {}
    spacing = 38.0
    # Components are laid out on a spiral of discs, biggest in the middle.
    placed: list[tuple[float, float, float]] = []
    golden = math.pi * (3 - math.sqrt(5))
    for index, comp in enumerate(comps):
        radius_c = spacing * math.sqrt(len(comp)) * 0.9 + spacing
        if index == 0:
            cx = cy = 0.0
        else:
            big = placed[0][2]
            dist = big + radius_c + spacing * math.sqrt(index) * 4
            cx, cy = dist * math.cos(index * golden), dist * math.sin(index * golden)
        placed.append((cx, cy, radius_c))
        root = max(comp, key=lambda n: (g.degree(n), n))
        order = [root]
        seen = {root}
        i = 0
        while i < len(order):
            for nb in sorted(g.neighbors(order[i])):
                if nb not in seen:
                    seen.add(nb)
                    order.append(nb)
            i += 1
        # Sunflower (Vogel) spiral in BFS order: neighbours stay close.
        for k, node in enumerate(order):
            r = spacing * math.sqrt(k + 0.5)
            a = k * golden
            positions[node] = (round(cx + r * math.cos(a), 1), round(cy + r * math.sin(a), 1))
    return positions


def network_data(net: Network, *, title: str, lang: str, focus: str | None = None) -> dict:
    """The JSON the page reads: classes, nodes, edges, anchors for the filter."""
    g = net.graph

    def label_of(iri: str) -> str:
        if iri in g:
            return g.nodes[iri]["label"]
        return net.label(iri)

    def evidence(items):
        return [{"phrase": e["phrase"], "source": e["source"], "sourceLabel": label_of(e["source"]),
                 "sourceId": shorten(e["source"])} for e in items]

    large = g.number_of_nodes() > LARGE
    seeds = _seed_positions(net) if large else {}
    nodes = []
    for iri, d in g.nodes(data=True):
        node = {
            "id": iri, "short": shorten(iri), "cls": d["cls"], "label": d["label"],
            "labels": d.get("labels", {}), "aliases": [list(a) for a in d.get("aliases", [])],
            "types": d.get("types", []), "literals": d.get("literals", []),
            "evidence": evidence(d.get("evidence", [])),
            "sources": [{"id": s, "short": shorten(s), "label": label_of(s)} for s in d.get("sources", [])],
        }
        if iri in seeds:
            node["x"], node["y"] = seeds[iri]
        nodes.append(node)
    edges = []
    for n, (s, o, key, d) in enumerate(g.edges(keys=True, data=True)):
        edge = {"id": f"e{n}", "from": s, "to": o, "prop": d.get("prop", ""), "label": d.get("label", "")}
        if d.get("via"):
            edge.update({
                "via": d["via"], "viaShort": shorten(d["via"]),
                "role": d.get("role"), "roleShort": shorten(d["role"]) if d.get("role") else None,
                "batch": d.get("batch"), "since": d.get("since"),
                "evidence": evidence(d.get("evidence", [])),
                "sources": [{"id": x, "short": shorten(x), "label": label_of(x)} for x in d.get("sources", [])],
            })
        edges.append(edge)
    anchors = []
    for iri, d in g.nodes(data=True):
        if d["cls"] in ("policy", "program"):
            anchors.append({"id": iri, "label": d["label"], "kind": "policy"})
        elif "pk:City" in d.get("types", []):
            anchors.append({"id": iri, "label": d["label"], "kind": "city"})
    anchors.sort(key=lambda a: (a["kind"] != "policy", a["label"].casefold()))
    counts: dict[str, int] = {}
    for _, d in g.nodes(data=True):
        counts[d["cls"]] = counts.get(d["cls"], 0) + 1
    classes = [{"key": key, "label": label, "count": counts.get(key, 0), **CLASS_STYLE[key]}
               for key, _, label in NODE_CLASSES]
    return {
        "title": title, "lang": lang, "focus": focus if focus in g else None, "langs": list(LANGS),
        "classes": classes, "nodes": nodes, "edges": edges, "anchors": anchors,
        "layout": _layout(g.number_of_nodes(), seeded=large),
    }


def _layout(n: int, *, seeded: bool) -> dict:
    """Stabilisation settings: a bounded number of iterations, so the layout
    ends in bounded time. Measured in headless Chromium (2 cores): 150
    iterations take about 0.6 s for the shipped graph (309 nodes). Graphs
    above LARGE start from seeded positions, skip overlap avoidance and use a
    coarser Barnes-Hut approximation (about 20 ms instead of 55 ms per
    iteration at 2,000 nodes), and get 70 iterations."""
    if n <= 500:
        return {"seeded": seeded, "iterations": 150}
    if n <= LARGE:
        return {"seeded": seeded, "iterations": 120, "barnesHut": {"theta": 0.7}}
    return {"seeded": seeded, "iterations": 70, "barnesHut": {"theta": 0.9, "avoidOverlap": 0}}


def render_network_html(net: Network, *, title: str, lang: str, focus: str | None = None) -> str:
    """One self-contained HTML page showing ``net`` (see the module docstring)."""
    if lang not in LANGS:
        raise PolicyKGError(f"unknown language {lang!r}; choose from {', '.join(LANGS)}")
    assets = _assets()
    template = environment().get_template("network.html")
    data = network_data(net, title=title, lang=lang, focus=focus)
    from markupsafe import Markup

    # The inlined code and the JSON are trusted, already-safe text: the code
    # is ours, the JSON has no <, > or & left (see script_json).
    return template.render(
        title=title, lang=lang,
        vis_css=Markup(assets["vis_css"]), app_css=Markup(assets["app_css"]),
        vis_js=Markup(assets["vis_js"]), app_js=Markup(assets["app_js"]),
        data_json=Markup(script_json(data)),
        node_count=net.graph.number_of_nodes(), edge_count=net.graph.number_of_edges(),
    )


def write_network_html(path: Path | str, net: Network, *, title: str, lang: str, focus: str | None = None) -> Path:
    """Render the page and write it atomically (UTF-8)."""
    from ..atomic import write_atomic

    return write_atomic(path, render_network_html(net, title=title, lang=lang, focus=focus), encoding="utf-8")


def write_view(kg, path, *, focus: str | None = None, depth: int = 2, include: set[str] | None = None,
               lang: str = "en"):
    """Write the page of ``kg``'s network (or of ``focus``'s neighbourhood); ``(network, focus IRI)``."""
    from ..rdf.labels import resolve_entity
    from .projection import build_network, neighbourhood

    net = build_network(kg, lang=lang, include=include)
    title, focus_iri = "policykg network", None
    if focus:
        focus_iri = resolve_entity(kg, focus, lang=lang)
        net = neighbourhood(net, focus_iri, depth)
        title = f"policykg network around {net.label(focus_iri)} ({depth} hop{'s' if depth != 1 else ''})"
    write_network_html(path, net, title=title, lang=lang, focus=focus_iri)
    return net, shorten(focus_iri) if focus_iri else None
