"""Writing the network projection for Gephi, Cytoscape, igraph and friends.

Through networkx's own writers (GraphML, GEXF, node-link JSON), as
Cytoscape.js JSON (``{"elements": {"nodes": [...], "edges": [...]}}``, which
Cytoscape desktop imports too) and as two CSV files (nodes, edges). GEXF is
GEXF 1.2: without the ``name`` attribute networkx puts on ``<graph>`` (the
1.2 schema has none) and without the date of writing (same graph, same
bytes); each edge keeps its key as the ``edge_key`` attribute (networkx's
reader turns a file without parallel edges into a simple graph, dropping
the ``networkx_key`` it writes too). Attributes are flattened to plain values every
format can hold: a label column per language, the display class, the RDF
types, and for edges the property, its label and the membership details.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx

from ..atomic import write_atomic
from ..errors import PolicyKGError
from ..namespaces import shorten
from .projection import LANGS, Network

FORMATS = ("graphml", "gexf", "csv", "json", "cytoscape")


def flat_graph(net: Network) -> nx.MultiDiGraph:
    """A copy whose attributes are strings and numbers only."""
    out = nx.MultiDiGraph()
    for n, d in net.graph.nodes(data=True):
        attrs = {"iri": n, "label": d["label"], "class": d["cls"], "types": " ".join(d["types"]),
                 "evidence_count": len(d["evidence"])}
        for lang in LANGS:
            attrs[f"label_{lang}"] = d["labels"].get(lang, "")
        out.add_node(n, **attrs)
    for u, v, key, d in net.graph.edges(keys=True, data=True):
        attrs = {"property": d["prop"], "label": d["label"], "via": shorten(d["via"]) if d.get("via") else "",
                 "batch": d["batch"] if d.get("batch") is not None else 0, "since": d.get("since") or "",
                 "evidence_count": len(d.get("evidence") or [])}
        out.add_edge(u, v, key=str(key), **attrs)
    return out


def gexf_bytes(g: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 by networkx's writer, fixed where it strays from the 1.2 schema or from determinism."""
    from networkx.readwrite.gexf import GEXFWriter

    keyed = nx.MultiDiGraph()
    keyed.add_nodes_from(g.nodes(data=True))
    for u, v, key, d in g.edges(keys=True, data=True):
        keyed.add_edge(u, v, key=key, edge_key=key, **d)
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(keyed)
    writer.graph_element.attrib.pop("name", None)  # not in the GEXF 1.2 schema
    for meta in writer.xml.iter("meta"):
        meta.attrib.pop("lastmodifieddate", None)  # optional; the date would change the bytes every day
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def cytoscape_data(g: nx.MultiDiGraph) -> dict:
    """The Cytoscape.js elements JSON: nodes and edges with ``data`` (ids, source, target, attributes)."""
    nodes = [{"data": {"id": n, **d}} for n, d in sorted(g.nodes(data=True))]
    edges = [{"data": {"id": f"{u} {k} {v}", "source": u, "target": v, "key": k, **d}}
             for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))]
    return {"elements": {"nodes": nodes, "edges": edges}}


def export_network(net: Network, fmt: str, output: Path) -> list[Path]:
    """Write the network in ``fmt``; return the files written (all atomically).

    CSV writes ``<output>-nodes.csv`` and ``<output>-edges.csv`` (the
    ``.csv`` suffix of ``output`` is dropped first).
    """
    if fmt not in FORMATS:
        raise PolicyKGError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    g = flat_graph(net)
    output = Path(output)
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(g, buf, encoding="utf-8")
        return [write_atomic(output, buf.getvalue())]
    if fmt == "gexf":
        return [write_atomic(output, gexf_bytes(g))]
    if fmt == "cytoscape":
        return [write_atomic(output, json.dumps(cytoscape_data(g), ensure_ascii=False, indent=1, sort_keys=True)
                             + "\n")]
    if fmt == "json":
        data = nx.node_link_data(g, edges="edges")
        return [write_atomic(output, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")]
    stem = output.with_suffix("") if output.suffix == ".csv" else output
    nodes_path, edges_path = Path(f"{stem}-nodes.csv"), Path(f"{stem}-edges.csv")
    node_cols = ["id", "label", "class", "label_ja", "label_en", "label_zh", "types", "evidence_count"]
    edge_cols = ["source", "target", "key", "property", "label", "via", "batch", "since", "evidence_count"]
    nodes = io.StringIO()
    w = csv.writer(nodes)
    w.writerow(node_cols)
    for n, d in sorted(g.nodes(data=True)):
        w.writerow([n] + [d[c] for c in node_cols[1:]])
    edges = io.StringIO()
    w = csv.writer(edges)
    w.writerow(edge_cols)
    for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        w.writerow([u, v, k] + [d[c] for c in edge_cols[3:]])
    return [write_atomic(nodes_path, nodes.getvalue()), write_atomic(edges_path, edges.getvalue())]
