"""GEXF that keeps to the GEXF 1.2 schema and keeps edge keys; Cytoscape.js JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree

from policykg.cli import cli
from policykg.network.export import flat_graph
from policykg.network.projection import build_network

GEXF = "{http://www.gexf.net/1.2draft}"


@pytest.fixture(scope="module")
def network(kg):
    return flat_graph(build_network(kg))


def _export(runner, tmp_path, fmt) -> Path:
    out = tmp_path / f"net.{fmt}"
    result = runner.invoke(cli, ["export-network", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_gexf_keeps_every_edge_key_when_read_back(runner, tmp_path, network):
    g = nx.read_gexf(_export(runner, tmp_path, "gexf"))
    read = {(u, v, d["edge_key"]) for u, v, d in g.edges(data=True)}
    assert read == {(u, v, k) for u, v, k in network.edges(keys=True)}


def test_gexf_has_no_attribute_the_1_2_schema_lacks_and_no_date(runner, tmp_path):
    root = etree.parse(str(_export(runner, tmp_path, "gexf"))).getroot()
    assert root.tag == GEXF + "gexf" and root.get("version") == "1.2"
    graph = root.find(GEXF + "graph")
    assert set(graph.attrib) <= {"defaultedgetype", "mode", "idtype", "timeformat", "start", "end"}
    assert "lastmodifieddate" not in root.find(GEXF + "meta").attrib
    ids = [e.get("id") for e in root.iter(GEXF + "edge")]
    assert len(ids) == len(set(ids))


def test_gexf_is_the_same_bytes_every_time(runner, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert _export(runner, tmp_path / "a", "gexf").read_bytes() == _export(runner, tmp_path / "b", "gexf").read_bytes()


def test_gexf_validates_against_the_gexf_1_2_xsd(runner, tmp_path):
    """The XSD is not shipped by any PyPI or npm package we could find; point POLICYKG_GEXF_XSD at gexf.xsd."""
    xsd = os.environ.get("POLICYKG_GEXF_XSD")
    if not xsd:
        pytest.skip("POLICYKG_GEXF_XSD is not set: no registry package ships the GEXF 1.2 XSD")
    schema = etree.XMLSchema(etree.parse(xsd))
    document = etree.parse(str(_export(runner, tmp_path, "gexf")))
    assert schema.validate(document), schema.error_log


def test_cytoscape_json_has_every_node_and_edge_with_its_key(runner, tmp_path, network):
    data = json.loads(_export(runner, tmp_path, "cytoscape").read_text(encoding="utf-8"))
    nodes, edges = data["elements"]["nodes"], data["elements"]["edges"]
    assert {n["data"]["id"] for n in nodes} == set(network.nodes)
    assert {(e["data"]["source"], e["data"]["target"], e["data"]["key"]) for e in edges} == \
        {(u, v, k) for u, v, k in network.edges(keys=True)}
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    baidu = next(n["data"] for n in nodes if n["data"]["id"].endswith("/baidu-netcom"))
    assert baidu["label_zh"] == "北京百度网讯科技有限公司"
