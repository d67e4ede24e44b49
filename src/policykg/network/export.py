"""Writing the network projection for Gephi, Cytoscape, igraph and friends.

Through networkx's own writers (GraphML, GEXF, node-link JSON) and as two
CSV files (nodes, edges). Attributes are flattened to plain values every
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

FORMATS = ("graphml", "gexf", "csv", "json")


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
        buf = io.BytesIO()
        nx.write_gexf(g, buf, encoding="utf-8")
        return [write_atomic(output, buf.getvalue())]
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
