"""The offline network page in headless Chromium, opened from file://."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import policykg
from policykg.network.projection import build_network, neighbourhood
from policykg.network.view import write_network_html

HOSTILE_TTL = Path(__file__).resolve().parent.parent / "data" / "viz-hostile.ttl"
BAIDU = "https://w3id.org/policykg/id/baidu-netcom"
PROGRAM = "https://w3id.org/policykg/id/bj-gai-partnership-program-2023"
EVIL_IRI = "https://w3id.org/policykg/id/evil'onmouseover='window.__pwned=1'&x=javascript:window.__pwned=1"
HOSTILE = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=1</script>",
    "javascript:window.__pwned=1",
]

# The JS side of the tests: where a node or edge is on screen, and a spot
# where there is neither.
NODE_POINT = """(id) => {
  const n = window.__network;
  n.focus(id, {scale: 1.6, animation: false});
  const d = n.canvasToDOM(n.getPositions([id])[id]);
  const r = document.getElementById('pk-network').getBoundingClientRect();
  return {x: r.left + d.x, y: r.top + d.y, hit: n.getNodeAt(d)};
}"""
EDGE_POINT = """(id) => {
  const n = window.__network, e = window.__edges.get(id);
  const p = n.getPositions([e.from, e.to]);
  const r = document.getElementById('pk-network').getBoundingClientRect();
  for (const t of [0.5, 0.4, 0.6, 0.3, 0.7]) {
    const mid = {x: p[e.from].x + t * (p[e.to].x - p[e.from].x), y: p[e.from].y + t * (p[e.to].y - p[e.from].y)};
    n.moveTo({position: mid, scale: 1.6, animation: false});
    const d = n.canvasToDOM(mid);
    if (n.getNodeAt(d) === undefined && n.getEdgeAt(d) === id) return {x: r.left + d.x, y: r.top + d.y, hit: id};
  }
  return {hit: null};
}"""
EMPTY_POINT = """() => {
  const n = window.__network, r = document.getElementById('pk-network').getBoundingClientRect();
  for (let y = 20; y < r.height - 20; y += 15) for (let x = 20; x < r.width - 20; x += 15) {
    if (n.getNodeAt({x, y}) === undefined && n.getEdgeAt({x, y}) === undefined) return {x: r.left + x, y: r.top + y};
  }
  return null;
}"""
INK = """() => {
  const c = document.querySelector('#pk-network canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 16) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) ink++;
  return ink;
}"""


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    kg = policykg.load()
    net = build_network(kg)
    path = tmp_path_factory.mktemp("viz") / "network.html"
    write_network_html(path, net, title="policykg network", lang="en")
    return path, net


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    kg = policykg.load(graph_files=[HOSTILE_TTL])
    path = tmp_path_factory.mktemp("viz") / "hostile.html"
    write_network_html(path, build_network(kg), title="<script>window.__pwned=1</script>", lang="en")
    return path


def open_page(page, path: Path):
    page.page.goto(path.as_uri())
    page.page.wait_for_function("document.body.dataset.stable === '1'", timeout=30000)
    return page.page


def search(p, text):
    p.fill("#pk-search", text)
    p.press("#pk-search", "Enter")
    p.wait_for_function("document.body.dataset.selected !== undefined")


def panel_text(p) -> str:
    return p.eval_on_selector("#pk-panel-body", "e => e.textContent")


def test_shipped_network_renders_offline_and_settles(page, shipped, screenshots_dir):
    path, net = shipped
    p = open_page(page, path)
    assert p.evaluate("window.__network.body.data.nodes.length") == net.graph.number_of_nodes() == 309
    assert p.evaluate("window.__nodes.length") == 309
    assert p.evaluate("window.__network.body.data.edges.length") == net.graph.number_of_edges()
    stable = p.evaluate("window.__networkStable")
    assert isinstance(stable, (int, float)) and 0 < stable < 30000
    print(f"shipped graph stable after {stable} ms")
    assert p.evaluate("window.__network.physics.options.enabled") is False
    assert p.evaluate(INK) > 2000, "the canvas is blank"
    assert p.locator("#pk-legend li").count() == 13
    assert p.locator("#pk-legend input:checked").count() == 13
    assert "partner program" in p.inner_text("#pk-legend")
    assert p.is_hidden("#pk-panel") and p.is_hidden("#pk-loading")
    p.screenshot(path=os.path.join(screenshots_dir, "network.png"))
    assert page.errors == []
    page.assert_offline()
    assert page.requests == [path.as_uri()]


@pytest.mark.parametrize("query", ["百度", "Baidu", "baidu", "ＢＡＩＤＵ", "バイドゥ"])
def test_search_finds_baidu_by_any_label(page, shipped, screenshots_dir, query):
    path, _ = shipped
    p = open_page(page, path)
    search(p, query)
    assert p.evaluate("document.body.dataset.selected") == BAIDU
    assert p.evaluate("window.__network.getSelectedNodes()") == [BAIDU]
    assert p.is_visible("#pk-panel")
    assert p.inner_text("#pk-panel-body h2") == "Beijing Baidu Netcom Science and Technology Co., Ltd."
    text = panel_text(p)
    for expected in ("pkd:baidu-netcom", "北京百度网讯科技有限公司", "百度", "バイドゥ", "model partner",
                     "Baidu.com Technology Co., Ltd."):
        assert expected in text
    assert p.locator("#pk-search-results button").count() >= 1
    # the rest of the graph is dimmed, the neighbourhood is not
    dimmed = p.evaluate("[...window.policykgView.view.dimmed]")
    assert BAIDU not in dimmed and PROGRAM not in dimmed and len(dimmed) > 250
    if query == "百度":
        p.wait_for_timeout(200)
        p.screenshot(path=os.path.join(screenshots_dir, "panel.png"))
    assert page.errors == []
    page.assert_offline()


def test_search_by_substring_lists_matches(page, shipped):
    path, _ = shipped
    p = open_page(page, path)
    p.fill("#pk-search", "alibaba")
    p.wait_for_function("document.querySelectorAll('#pk-search-results button').length > 1")
    assert "match" in p.inner_text("#pk-search-status")
    p.fill("#pk-search", "no such thing at all")
    p.wait_for_function("document.getElementById('pk-search-status').textContent === 'no node matches'")
    assert page.errors == []
    page.assert_offline()


def test_clicking_a_node_opens_the_panel_with_evidence(page, shipped):
    path, _ = shipped
    p = open_page(page, path)
    point = p.evaluate(NODE_POINT, PROGRAM)
    assert point["hit"] == PROGRAM
    p.mouse.click(point["x"], point["y"])
    p.wait_for_function(f"document.body.dataset.selected === {PROGRAM!r}")
    assert p.inner_text("#pk-panel-body h2").startswith("Beijing General Artificial Intelligence")
    assert p.locator("#pk-panel .pk-evidence li").count() >= 1
    text = panel_text(p)
    assert "Evidence" in text and "Links in" in text and "model partner" in text
    assert "Beijing builds an" in text  # the source the evidence is quoted from
    # a click on empty canvas clears the panel and the highlight
    empty = p.evaluate(EMPTY_POINT)
    p.mouse.click(empty["x"], empty["y"])
    p.wait_for_function("document.body.dataset.selected === undefined")
    assert p.is_hidden("#pk-panel")
    assert p.evaluate("window.policykgView.view.dimmed.size") == 0
    assert page.errors == []
    page.assert_offline()


def test_clicking_a_membership_edge_shows_role_batch_and_evidence(page, shipped):
    path, _ = shipped
    p = open_page(page, path)
    edge = p.evaluate(f"window.__edges.get().find(e => e.from === {BAIDU!r} && e.to === {PROGRAM!r}).id")
    point = p.evaluate(EDGE_POINT, edge)
    assert point["hit"] == edge
    p.mouse.click(point["x"], point["y"])
    p.wait_for_function(f"document.body.dataset.selected === {edge!r}")
    text = panel_text(p)
    for expected in ("membership", "model partner", "role:model", "batch", "1", "Evidence", "Baidu"):
        assert expected in text
    assert p.locator("#pk-panel .pk-evidence li").count() >= 1
    # the panel's links lead on to the nodes
    p.click("#pk-panel-body h2 button[data-id='%s']" % BAIDU)
    assert p.evaluate("document.body.dataset.selected") == BAIDU
    assert page.errors == []
    page.assert_offline()


def test_filters_by_class_and_by_policy_or_city(page, shipped):
    path, net = shipped
    p = open_page(page, path)
    visible = "window.__nodes.get({filter: n => !n.hidden}).length"
    p.uncheck("input[data-class='category']")
    assert p.evaluate(visible) == 309 - 117
    assert p.inner_text("#pk-count-nodes") == str(309 - 117)
    p.check("input[data-class='category']")
    assert p.evaluate(visible) == 309
    p.select_option("#pk-anchor-depth", "1")
    p.select_option("#pk-anchor", PROGRAM)
    assert p.evaluate(visible) == neighbourhood(net, PROGRAM, 1).graph.number_of_nodes()
    p.select_option("#pk-anchor-depth", "2")
    assert p.evaluate(visible) == neighbourhood(net, PROGRAM, 2).graph.number_of_nodes()
    beijing = "https://w3id.org/policykg/id/beijing"
    assert p.locator(f"#pk-anchor option[value='{beijing}']").count() == 1
    p.select_option("#pk-anchor", beijing)
    assert p.evaluate(visible) == neighbourhood(net, beijing, 2).graph.number_of_nodes()
    # searching for a node outside the filter brings it back
    search(p, "Apple Inc.")
    assert p.evaluate(f"window.__nodes.get({'https://w3id.org/policykg/id/apple'!r}).hidden") in (False, None)
    p.select_option("#pk-anchor", "")
    assert p.evaluate(visible) == 309
    assert page.errors == []
    page.assert_offline()


def test_freeze_and_unfreeze_layout(page, shipped):
    path, _ = shipped
    p = open_page(page, path)
    assert p.is_checked("#pk-freeze")
    p.uncheck("#pk-freeze")
    assert p.evaluate("window.__network.physics.options.enabled") is True
    p.wait_for_timeout(300)
    p.check("#pk-freeze")
    assert p.evaluate("window.__network.physics.options.enabled") is False
    p.click("#pk-fit")
    assert page.errors == []
    page.assert_offline()


def test_focus_page_opens_on_its_focus(page, tmp_path):
    kg = policykg.load()
    net = neighbourhood(build_network(kg, lang="zh"), BAIDU, 1)
    path = tmp_path / "baidu.html"
    write_network_html(path, net, title="百度", lang="zh", focus=BAIDU)
    p = open_page(page, path)
    assert p.evaluate("window.__nodes.length") == net.graph.number_of_nodes()
    assert p.evaluate("document.body.dataset.selected") == BAIDU
    assert p.inner_text("#pk-panel-body h2") == "北京百度网讯科技有限公司"
    assert page.errors == []
    page.assert_offline()


def test_hostile_labels_never_run(page, hostile):
    p = open_page(page, hostile)
    assert p.title() == HOSTILE[0]
    # show every node's and every edge's panel, and every tooltip
    p.evaluate("""() => {
      const v = window.policykgView.view;
      for (const n of v.data.nodes) v.selectNode(n.id, true);
      for (const e of v.data.edges) v.selectEdge(e.id);
    }""")
    search(p, HOSTILE[0])
    assert p.evaluate("document.body.dataset.selected") == EVIL_IRI
    text = panel_text(p)
    for bad in HOSTILE:
        assert bad in text  # shown literally, as text
    assert "<b onmouseover" in text
    point = p.evaluate(NODE_POINT, EVIL_IRI)
    p.mouse.move(point["x"], point["y"])
    p.mouse.move(point["x"] + 1, point["y"])
    p.wait_for_selector("div.vis-tooltip", state="visible")
    assert HOSTILE[0] in p.inner_text("div.vis-tooltip")
    p.mouse.click(point["x"], point["y"])
    edge = p.evaluate(f"window.__edges.get().find(e => e.from === {EVIL_IRI!r} && e.to.endsWith('hostile-program')).id")
    p.evaluate(f"window.policykgView.view.selectEdge({edge!r})")
    assert HOSTILE[1] in panel_text(p) and HOSTILE[2] in panel_text(p)
    search(p, HOSTILE[1])
    search(p, HOSTILE[3])
    for option in p.locator("#pk-anchor option").all():
        p.select_option("#pk-anchor", option.get_attribute("value"))
    assert p.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert p.evaluate("document.querySelectorAll('script').length") == 4
    page.assert_no_script_ran()
    assert page.errors == []
    page.assert_offline()
