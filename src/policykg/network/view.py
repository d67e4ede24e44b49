"""The offline network view: one self-contained HTML page.

``render_network_html`` turns a :class:`~policykg.network.Network` into a
page that makes no request at all when opened from ``file://``: vis-network
(vendored from the npm registry into ``static/vendor/`` by ``js/build.sh``),
the page's own script and style sheet are inlined, and the graph travels as
JSON inside a ``<script type="application/json" id="network-data">``
element, read with ``JSON.parse``. Every string from the graph reaches the
page only through that escaped JSON, and the script puts it into the DOM
only as text.

The page lays the graph out itself before drawing (``static/network.js``:
groups around policies and programs, or layers for policy lineage), so
vis-network draws a finished layout and runs no physics; it opens on the
classes marked ``default`` in ``static/network-classes.json`` and shows the
others on demand.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .. import paths
from ..errors import PolicyKGError
from ..namespaces import shorten
from ..templating import environment, script_json
from .projection import DISPLAY_CLASSES, LANGS, NODE_CLASSES, Network

#: The vis-network build the page inlines (see js/package-lock.json).
VIS_VERSION = "10.1.5"
VENDOR = paths.STATIC / "vendor"

# Colour, shape and default visibility of each display class, from the one table of display classes.
CLASS_STYLE: dict[str, dict] = {c["key"]: {k: c[k] for k in ("color", "shape", "size", "font", "default")}
                                for c in DISPLAY_CLASSES}

# Edge colours by relation. Memberships and posts, the links people ask about,
# keep fixed colours; the other relations take the palette in order of how
# many links they have (ties by name), so a page's colours are deterministic.
RELATION_COLORS = {"org:Membership": "#c97d12", "org:Post": "#8e44ad"}
PALETTE = ["#1f77b4", "#2ca02c", "#d62728", "#17becf", "#7f7f7f", "#bcbd22", "#e377c2", "#8c564b",
           "#393b79", "#637939", "#843c39", "#3182bd", "#31a354", "#756bb1", "#636363", "#e6550d"]
RELATION_NAMES = {"org:Membership": "membership (role)", "org:Post": "post (role)"}


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    vis = VENDOR / "vis-network.min.js"
    if not vis.is_file():
        raise PolicyKGError(f"{vis} is missing: run js/build.sh to vendor vis-network {VIS_VERSION}")
    static = paths.STATIC
    assets = {
        "vis_js": vis.read_text(encoding="utf-8"),
        "app_js": (static / "network.js").read_text(encoding="utf-8"),
        "app_css": (static / "network.css").read_text(encoding="utf-8"),
    }
    for name, text in assets.items():
        # Inlined code must not be able to end its own element.
        closer = "</script" if name.endswith("js") else "</style"
        if closer in text.lower():
            raise PolicyKGError(f"{name} contains {closer!r} and cannot be inlined")
    return assets


def _colours():
    """The palette, then as many further distinct colours as needed (golden-angle hues)."""
    import colorsys

    seen = set(RELATION_COLORS.values())
    for colour in PALETTE:
        seen.add(colour)
        yield colour
    i = 0
    while True:
        i += 1
        r, g, b = colorsys.hls_to_rgb((i * 0.381966) % 1.0, 0.36 if i % 2 else 0.5, 0.6)
        colour = "#%02x%02x%02x" % (round(r * 255), round(g * 255), round(b * 255))
        if colour not in seen:
            seen.add(colour)
            yield colour


def relations(net: Network) -> list[dict]:
    """The network's edge relations with their colour and link count, most links first."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for _, _, d in net.graph.edges(data=True):
        prop = d.get("prop", "")
        counts[prop] = counts.get(prop, 0) + 1
        if prop not in names or d.get("label", "") < names[prop]:
            names[prop] = d.get("label", "")
    order = sorted(counts, key=lambda p: (p not in RELATION_COLORS, -counts[p], p))
    out, spare = [], _colours()
    for prop in order:
        color = RELATION_COLORS.get(prop) or next(spare)
        out.append({"key": prop, "label": RELATION_NAMES.get(prop, names[prop] or prop), "color": color,
                    "count": counts[prop]})
    return out


def network_data(net: Network, *, title: str, lang: str, focus: str | None = None) -> dict:
    """The JSON the page reads: classes, relations, nodes, edges, anchors for the filter."""
    g = net.graph

    def label_of(iri: str) -> str:
        if iri in g:
            return g.nodes[iri]["label"]
        return net.label(iri)

    def evidence(items):
        return [{"phrase": e["phrase"], "source": e["source"], "sourceLabel": label_of(e["source"]),
                 "sourceId": shorten(e["source"])} for e in items]

    nodes = []
    for iri, d in g.nodes(data=True):
        node = {
            "id": iri, "short": shorten(iri), "cls": d["cls"], "label": d["label"],
            "labels": d.get("labels", {}), "aliases": [list(a) for a in d.get("aliases", [])],
            "types": d.get("types", []), "literals": d.get("literals", []),
            "evidence": evidence(d.get("evidence", [])),
            "sources": [{"id": s, "short": shorten(s), "label": label_of(s)} for s in d.get("sources", [])],
        }
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
        "classes": classes, "relations": relations(net), "nodes": nodes, "edges": edges, "anchors": anchors,
    }


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
        app_css=Markup(assets["app_css"]),
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
