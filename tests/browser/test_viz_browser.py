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


def nx_neighbours(net, node):
    return set(net.graph.successors(node)) | set(net.graph.predecessors(node))


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


DEFAULT = {"program", "policy", "government", "organization", "person"}
COUNTS = """() => {
  const c = window.policykgView.counts();
  const shown = new Set(window.__nodes.getIds());
  const links = window.__edges.get({filter: e => shown.has(e.from) && shown.has(e.to)}).length;
  const drawn = window.__network.body;
  const legend = {};
  for (const s of document.querySelectorAll('#pk-legend .pk-legend-count')) legend[s.dataset.class] = s.textContent;
  return {nodes: c.nodes, edges: c.edges, shown: shown.size, links,
          drawnNodes: drawn.nodeIndices.length, drawnEdges: drawn.edgeIndices.length,
          header: [document.getElementById('pk-count-nodes').textContent, document.getElementById('pk-count-edges').textContent],
          classes: c.classes, legend};
}"""
# Every label box of the last frame, checked against the renderer: the box
# sits beside its node's drawn position (touching it, or at most two lines
# further out) and is as wide as the text measured again here; then no two
# boxes (node or link labels) overlap.
LABELS = """() => {
  const n = window.__network, boxes = window.__labelBoxes, scale = n.getScale();
  const ctx = document.createElement('canvas').getContext('2d');
  const font = window.policykgView.view.font;
  const px = {program: 15, policy: 14, government: 13, organization: 12, person: 12, place: 12};
  const problems = [];
  for (const b of boxes) {
    if (b.kind !== 'node') continue;
    const node = window.policykgView.view.byId[b.id];
    const p = n.canvasToDOM(n.getPositions([b.id])[b.id]);
    const r = n.body.nodes[b.id].options.size * scale + 2;
    ctx.font = (px[node.cls] || 11) + 'px ' + font;
    const w = ctx.measureText(b.text).width;
    if (b.w < w) problems.push(['narrower than its text', b.id, b.w, w]);
    const dx = Math.max(b.x - p.x, p.x - (b.x + b.w), 0), dy = Math.max(b.y - p.y, p.y - (b.y + b.h), 0);
    if (Math.hypot(dx, dy) > r + 2 * b.h + 2) problems.push(['away from its node', b.id, dx, dy, r]);
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) overlaps.push([a.id, b.id]);
  }
  return {count: boxes.length, nodes: boxes.filter(b => b.kind === 'node').map(b => b.id),
          edges: boxes.filter(b => b.kind === 'edge').length, problems, overlaps};
}"""


def assert_counts_true(p):
    c = p.evaluate(COUNTS)
    assert c["nodes"] == c["shown"] == c["drawnNodes"], c
    assert c["edges"] == c["links"] == c["drawnEdges"], c
    assert c["header"] == [str(c["nodes"]), str(c["edges"])], c
    for key, text in c["legend"].items():
        shown = c["classes"].get(key, 0)
        assert text.split(" of ")[0] == str(shown), (key, text, shown)
    return c


def default_view(net) -> tuple[set, int]:
    """The nodes the view opens on (the default classes) and the links among them, counted from the graph."""
    g = net.graph
    nodes = {n for n, d in g.nodes(data=True) if d["cls"] in DEFAULT}
    return nodes, sum(1 for s, o in g.edges() if s in nodes and o in nodes)


def class_count(net, cls: str) -> int:
    return sum(1 for _, d in net.graph.nodes(data=True) if d["cls"] == cls)


def test_shipped_network_renders_offline_and_settles(page, shipped, screenshots_dir):
    path, net = shipped
    p = open_page(page, path)
    # the page holds the whole graph; vis-network is given what is visible
    nodes, links = default_view(net)
    assert p.evaluate("window.policykgView.view.data.nodes.length") == net.graph.number_of_nodes()
    assert p.evaluate("window.policykgView.view.edgeList.length") == net.graph.number_of_edges()
    assert p.evaluate("window.__network.body.data.nodes.length") == p.evaluate("window.__nodes.length") == len(nodes)
    assert p.evaluate("window.__network.body.data.edges.length") == links
    stable = p.evaluate("window.__networkStable")
    assert isinstance(stable, (int, float)) and 0 < stable < 30000
    print(f"shipped graph stable after {stable} ms")
    assert p.evaluate("window.__network.physics.options.enabled") is False
    assert p.evaluate(INK) > 2000, "the canvas is blank"
    assert p.locator("#pk-legend li").count() == 13
    assert "partner program" in p.inner_text("#pk-legend")
    assert p.is_hidden("#pk-panel") and p.is_hidden("#pk-loading")
    p.screenshot(path=os.path.join(screenshots_dir, "network.png"))
    assert page.errors == []
    page.assert_offline()
    assert page.requests == [path.as_uri()]


def test_default_view_shows_policies_programs_bodies_organizations_and_people(page, shipped):
    path, net = shipped
    p = open_page(page, path)
    g = net.graph
    expected, links = default_view(net)
    assert set(p.evaluate("[...window.policykgView.view.visible]")) == expected
    c = assert_counts_true(p)
    assert (c["nodes"], c["edges"]) == (len(expected), links)
    checked = p.eval_on_selector_all("#pk-legend input:checked", "bs => bs.map(b => b.dataset.class)")
    assert set(checked) == DEFAULT
    # categories, observations and the other details are counted, not drawn
    assert c["legend"]["category"] == f"0 of {class_count(net, 'category')}"
    assert c["legend"]["observation"] == f"0 of {class_count(net, 'observation')}"
    # every link relation has a colour in the link legend, with its count
    legend = p.eval_on_selector_all("#pk-edge-legend li", "ls => ls.map(l => l.textContent)")
    assert legend[0].startswith("membership (role)") and legend[0].endswith("10")
    assert len(legend) == len({e["prop"] for _, _, e in g.edges(data=True)})
    assert page.errors == []
    assert page.requests == [path.as_uri()]


def test_default_view_labels_never_overlap(page, shipped, screenshots_dir):
    path, net = shipped
    p = open_page(page, path)
    result = p.evaluate(LABELS)
    assert result["problems"] == [] and result["overlaps"] == []
    # the partnership program's members can all be read
    members = {s for s, o, d in net.graph.edges(data=True) if o == PROGRAM and d.get("prop") == "org:Membership"}
    assert len(members) == 10 and members <= set(result["nodes"])
    assert PROGRAM in result["nodes"] and result["edges"] >= 1
    # ... and after zooming in and out
    for scale in (2.0, 0.4):
        p.evaluate(f"window.__network.moveTo({{scale: {scale}, animation: false}}); window.__network.redraw()")
        again = p.evaluate(LABELS)
        assert again["problems"] == [] and again["overlaps"] == [] and again["count"] > 0
    # in a smaller frame (the home page embeds the view) the program keeps its label
    p.set_viewport_size({"width": 1150, "height": 560})
    p.click("#pk-fit")
    p.evaluate("window.__network.redraw()")
    small = p.evaluate(LABELS)
    assert small["problems"] == [] and small["overlaps"] == [] and PROGRAM in small["nodes"]
    assert page.errors == []
    page.assert_offline()


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800), (1366, 768)])
def test_program_members_keep_their_labels_after_fit_at_laptop_sizes(page, shipped, screenshots_dir, size):
    path, net = shipped
    width, height = size
    page.page.set_viewport_size({"width": width, "height": height})
    p = open_page(page, path)
    p.click("#pk-fit")
    p.evaluate("window.__network.redraw()")
    result = p.evaluate(LABELS)
    p.screenshot(path=os.path.join(screenshots_dir, f"network-{width}x{height}.png"))
    assert result["problems"] == [] and result["overlaps"] == []
    members = {s for s, o, d in net.graph.edges(data=True) if o == PROGRAM and d.get("prop") == "org:Membership"}
    assert len(members) == 10
    assert sorted(members - set(result["nodes"])) == []
    assert PROGRAM in result["nodes"]
    assert page.errors == []
    page.assert_offline()


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


def test_counts_equal_the_visible_nodes_and_links_after_each_filter(page, shipped, screenshots_dir):
    path, net = shipped
    p = open_page(page, path)
    g = net.graph
    positions = "JSON.stringify(window.__network.getPositions())"
    before = p.evaluate(positions)
    p.check("input[data-class='category']")
    c = assert_counts_true(p)
    shown = len(default_view(net)[0])
    categories = class_count(net, "category")
    assert c["nodes"] == shown + categories and c["classes"]["category"] == categories
    assert p.evaluate(positions) != before, "the layout runs again after a filter"
    p.uncheck("input[data-class='organization']")
    c = assert_counts_true(p)
    assert c["classes"].get("organization", 0) == 0
    p.screenshot(path=os.path.join(screenshots_dir, "network-filtered.png"))
    p.click("#pk-classes-all")
    c = assert_counts_true(p)
    assert (c["nodes"], c["edges"]) == (g.number_of_nodes(), g.number_of_edges())
    p.click("#pk-classes-none")
    assert assert_counts_true(p)["nodes"] == 0
    p.click("#pk-classes-default")
    assert assert_counts_true(p)["nodes"] == shown
    # around a policy or city: the default classes within the hops, and the anchor itself
    for anchor, depth in ((PROGRAM, "1"), (PROGRAM, "2"), ("https://w3id.org/policykg/id/beijing", "2")):
        p.select_option("#pk-anchor-depth", depth)
        p.select_option("#pk-anchor", anchor)
        near = neighbourhood(net, anchor, int(depth)).graph
        expected = {n for n, d in near.nodes(data=True) if d["cls"] in DEFAULT} | {anchor}
        assert set(p.evaluate("[...window.policykgView.view.visible]")) == expected
        c = assert_counts_true(p)
        assert c["edges"] == sum(1 for s, o in g.edges() if s in expected and o in expected)
    # the lineage layout keeps the counts
    p.select_option("#pk-layout-mode", "lineage")
    assert_counts_true(p)
    # searching for a node outside the filter brings it back
    search(p, "Apple Inc.")
    assert p.evaluate(f"window.__nodes.get({'https://w3id.org/policykg/id/apple'!r}) !== null")
    assert_counts_true(p)
    p.select_option("#pk-anchor", "")
    assert_counts_true(p)
    assert page.errors == []
    assert page.requests == [path.as_uri()]


def test_expanding_a_node_shows_its_neighbours_and_collapsing_hides_them(page, shipped):
    path, net = shipped
    p = open_page(page, path)
    hidden = {m for m in nx_neighbours(net, BAIDU) if net.graph.nodes[m]["cls"] not in DEFAULT}
    assert hidden, "Baidu has neighbours outside the default classes"
    search(p, "Baidu")
    p.click("#pk-expand")
    visible = set(p.evaluate("[...window.policykgView.view.visible]"))
    assert hidden <= visible
    c = assert_counts_true(p)
    shown = len(default_view(net)[0])
    assert c["nodes"] == shown + len(hidden)
    assert "collapse" in p.inner_text("#pk-expand")
    point = p.evaluate(NODE_POINT, BAIDU)
    p.mouse.dblclick(point["x"], point["y"])
    assert not hidden & set(p.evaluate("[...window.policykgView.view.visible]"))
    assert assert_counts_true(p)["nodes"] == shown
    p.mouse.dblclick(point["x"], point["y"])
    assert hidden <= set(p.evaluate("[...window.policykgView.view.visible]"))
    assert page.errors == []
    page.assert_offline()


def test_phone_canvas_takes_the_screen_and_controls_sit_in_a_drawer(page, shipped, screenshots_dir):
    path, _ = shipped
    page.page.set_viewport_size({"width": 390, "height": 844})
    p = open_page(page, path)
    canvas = p.eval_on_selector("#pk-network", "e => e.getBoundingClientRect().width")
    assert canvas >= 0.9 * 390, canvas
    # the controls are off screen until the drawer opens
    assert p.eval_on_selector("#pk-controls", "e => e.getBoundingClientRect().right") <= 0
    labels = p.evaluate(LABELS)
    assert labels["overlaps"] == [] and labels["problems"] == [] and labels["count"] > 10
    p.screenshot(path=os.path.join(screenshots_dir, "network-phone.png"))
    p.click("#pk-drawer-toggle")
    p.wait_for_function("document.getElementById('pk-controls').getBoundingClientRect().left >= 0")
    assert p.get_attribute("#pk-drawer-toggle", "aria-expanded") == "true"
    p.uncheck("input[data-class='person']")
    assert_counts_true(p)
    p.click("#pk-drawer-close")
    assert p.get_attribute("#pk-drawer-toggle", "aria-expanded") == "false"
    p.wait_for_function("document.getElementById('pk-controls').getBoundingClientRect().right <= 0")
    p.evaluate("window.policykgView.focusNode(%r)" % BAIDU)
    assert p.eval_on_selector("#pk-panel", "e => e.getBoundingClientRect().width") >= 0.9 * 390
    p.screenshot(path=os.path.join(screenshots_dir, "network-phone-panel.png"))
    assert page.errors == []
    assert page.requests == [path.as_uri()]


def test_fit_full_screen_and_export_of_the_current_view(page, shipped):
    path, _ = shipped
    p = open_page(page, path)
    p.click("#pk-fullscreen")
    p.wait_for_function("document.getElementById('pk-app').classList.contains('pk-full')")
    assert p.eval_on_selector("#pk-network", "e => e.getBoundingClientRect().width") >= 1270
    p.click("#pk-fit")
    with p.expect_download() as png:
        p.click("#pk-export-png")
    assert png.value.suggested_filename == "policykg-network.png"
    data = Path(png.value.path()).read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 5000
    with p.expect_download() as svg:
        p.click("#pk-export-svg")
    assert svg.value.suggested_filename == "policykg-network.svg"
    text = Path(svg.value.path()).read_text(encoding="utf-8")
    assert text.startswith("<svg") and "Beijing General Artificial Intel" in text
    labels = p.evaluate("window.__labelBoxes.length")
    assert text.count("<text") == labels
    assert "<script" not in text
    assert page.errors == []
    assert all(u == path.as_uri() or u.startswith("blob:") for u in page.requests)
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


def test_focus_page_in_a_narrow_frame_keeps_the_neighbourhood_uncovered(page, tmp_path):
    kg = policykg.load()
    net = neighbourhood(build_network(kg), BAIDU, 1)
    path = tmp_path / "baidu.html"
    write_network_html(path, net, title="Baidu", lang="en", focus=BAIDU)
    page.page.set_viewport_size({"width": 600, "height": 400})
    p = open_page(page, path)
    assert p.evaluate("document.body.dataset.selected") == BAIDU
    assert p.is_hidden("#pk-panel")
    assert p.evaluate("window.policykgView.counts().nodes") == net.graph.number_of_nodes()
    point = p.evaluate(NODE_POINT, BAIDU)
    p.mouse.click(point["x"], point["y"])
    assert p.is_visible("#pk-panel")
    assert page.errors == []
    assert page.requests == [path.as_uri()]


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
    edge = p.evaluate(f"window.policykgView.view.edgeList.find(e => e.from === {EVIL_IRI!r} && e.to.endsWith('hostile-program')).id")
    p.evaluate(f"window.policykgView.view.selectEdge({edge!r})")
    assert HOSTILE[1] in panel_text(p) and HOSTILE[2] in panel_text(p)
    search(p, HOSTILE[1])
    search(p, HOSTILE[3])
    for option in p.locator("#pk-anchor option").all():
        p.select_option("#pk-anchor", option.get_attribute("value"))
    assert p.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert p.evaluate("document.querySelectorAll('script').length") == 4
    # the SVG export carries the labels as escaped text
    p.evaluate("window.policykgView.view.fit(); window.__network.redraw()")
    svg = p.evaluate("window.policykgView.view.exportSVG()")
    assert "<script" not in svg and "<img" not in svg and "&lt;script&gt;" in svg
    assert p.evaluate("(t) => new DOMParser().parseFromString(t, 'image/svg+xml')"
                      ".querySelectorAll('script, foreignObject, [onload], [onerror]').length", svg) == 0
    page.assert_no_script_ran()
    assert page.errors == []
    page.assert_offline()
