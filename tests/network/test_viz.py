"""The offline network page (policykg.viz and `policykg viz`), without a browser."""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

import policykg
from policykg import paths
from policykg.cli import cli
from policykg.errors import PolicyKGError
from policykg.network.projection import CLASS_KEYS, build_network, neighbourhood
from policykg.rdf.labels import resolve_entity
from policykg.network.view import VIS_VERSION, render_network_html, script_json, write_network_html

HERE = Path(__file__).resolve().parent
HOSTILE_TTL = HERE.parent / "data" / "viz-hostile.ttl"
STATIC = Path(policykg.__file__).resolve().parent / "static"
JS = HERE.parent.parent / "js"
DEFAULT_CLASSES = {"program", "policy", "government", "organization", "person"}
BAIDU = "https://w3id.org/policykg/id/baidu-netcom"
PROGRAM = "https://w3id.org/policykg/id/bj-gai-partnership-program-2023"
HOSTILE = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=1</script>",
]
JS_URL = "javascript:window.__pwned=1"
EVIL_IRI = "https://w3id.org/policykg/id/evil'onmouseover='window.__pwned=1'&x=javascript:window.__pwned=1"


@pytest.fixture(scope="module")
def net(kg):
    return build_network(kg)


@pytest.fixture(scope="module")
def page(net):
    return render_network_html(net, title="policykg network", lang="en")


@pytest.fixture(scope="module")
def hostile_kg():
    return policykg.load(graph_files=[HOSTILE_TTL])


@pytest.fixture(scope="module")
def hostile_page(hostile_kg):
    return render_network_html(build_network(hostile_kg), title="</title><script>window.__pwned=1</script>", lang="en")


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.starts: list[tuple[str, list]] = []
        self.scripts: list[list] = []

    def handle_starttag(self, tag, attrs):
        self.starts.append((tag, attrs))
        if tag == "script":
            self.scripts.append(attrs)


def page_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="network-data">(.*?)</script>', html, re.S)
    assert m, "no network-data element"
    return json.loads(m.group(1))


def test_page_is_one_html_document_with_charset(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert page.count("<html") == 1 and page.rstrip().endswith("</html>")


def test_page_loads_nothing_from_outside(page):
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.I), "external script"
    assert not re.search(r"<link\b", page, re.I), "linked resource"
    assert "@import" not in page
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", page, re.I), "url() to the network"
    assert not re.search(r"\b(?:src|href|action|poster|srcset)\s*=\s*['\"]?\s*(?:https?:)?//", page, re.I)
    for name in ("bootstrap", "fonts.googleapis", "jsdelivr", "unpkg", "cdnjs"):
        assert name not in page.lower(), name
    # vis-network is inlined, not referenced
    assert "vis.Network" in page and "vis-network" in page
    assert (STATIC / "vendor" / "vis-network.min.js").read_text(encoding="utf-8") in page


def test_data_is_json_in_a_script_element(page, net):
    data = page_data(page)
    assert len(data["nodes"]) == net.graph.number_of_nodes() == 357
    assert len(data["edges"]) == net.graph.number_of_edges()
    assert [c["key"] for c in data["classes"]] == CLASS_KEYS
    baidu = next(n for n in data["nodes"] if n["id"] == BAIDU)
    assert baidu["short"] == "pkd:baidu-netcom"
    assert ["百度", "zh"] in baidu["aliases"]
    assert baidu["evidence"] and baidu["evidence"][0]["sourceLabel"]
    member = [e for e in data["edges"] if e["from"] == BAIDU and e["to"] == PROGRAM]
    assert member and member[0]["label"] == "model partner" and member[0]["batch"] == 1
    assert member[0]["evidence"]
    # the data is read with JSON.parse, never evaluated as a script
    assert "JSON.parse" in (STATIC / "network.js").read_text(encoding="utf-8")


def test_script_json_escapes_markup_characters():
    text = script_json({"a": "</script><!-- & >", "b": "\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & >", "b": "\u2028"}


def test_hostile_strings_appear_only_escaped(hostile_page, hostile_kg):
    for bad in HOSTILE:
        assert bad not in hostile_page
    assert "<img" not in hostile_page
    assert not re.search(r"(?:href|src)\s*=\s*['\"]?\s*javascript:", hostile_page, re.I)
    # an HTML parser sees exactly the page's own elements: four scripts, no img
    tags = Tags()
    tags.feed(hostile_page)
    tags.close()
    assert [t for t, _ in tags.starts if t == "script"] == ["script"] * 4
    assert "img" not in {t for t, _ in tags.starts}
    assert tags.scripts[1] == [("type", "application/json"), ("id", "network-data")]
    for tag, attrs in tags.starts:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert "javascript:" not in (value or ""), (tag, name)
    assert "<title>&lt;/title&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;</title>" in hostile_page
    # ... and the data still carries them intact, as text
    data = page_data(hostile_page)
    evil = next(n for n in data["nodes"] if n["id"] == EVIL_IRI)
    assert evil["label"] == HOSTILE[0]
    assert [HOSTILE[1], "en"] in evil["aliases"] and [JS_URL, "en"] in evil["aliases"]
    assert {e["phrase"] for e in evil["evidence"]} == {HOSTILE[1], HOSTILE[2]}
    assert evil["evidence"][0]["sourceLabel"] == HOSTILE[2]
    edge = next(e for e in data["edges"] if e["from"] == EVIL_IRI)
    assert {e["phrase"] for e in edge["evidence"]} == {HOSTILE[1], HOSTILE[2]}


def test_script_puts_data_into_the_dom_only_as_text():
    js = (STATIC / "network.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setTimeout(\"", "srcdoc"):
        assert sink not in js, sink
    css = (STATIC / "network.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css


def test_lang_chooses_the_labels(kg):
    zh = page_data(render_network_html(build_network(kg, lang="zh"), title="t", lang="zh"))
    baidu = next(n for n in zh["nodes"] if n["id"] == BAIDU)
    assert baidu["label"] == "北京百度网讯科技有限公司"
    assert zh["lang"] == "zh"
    with pytest.raises(PolicyKGError, match="unknown language"):
        render_network_html(build_network(kg), title="t", lang="fr")


def test_write_network_html_is_utf8_and_atomic(net, tmp_path):
    out = tmp_path / "net.html"
    out.write_text("old", encoding="utf-8")
    write_network_html(out, net, title="百度 network", lang="en", focus=BAIDU)
    text = out.read_bytes().decode("utf-8")
    assert "<title>百度 network</title>" in text
    assert page_data(text)["focus"] == BAIDU
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.html"]


# ---- the CLI

def test_cli_writes_the_page(runner, tmp_path):
    out = tmp_path / "network.html"
    result = runner.invoke(cli, ["viz", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "357 nodes" in result.output
    assert len(page_data(out.read_text(encoding="utf-8"))["nodes"]) == 357
    assert sorted(p.name for p in tmp_path.iterdir()) == ["network.html"]


def test_cli_default_output_name(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["viz", "--include", "program", "--include", "organization"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "policykg-network.html").is_file()


@pytest.mark.parametrize("name", ["Baidu", "百度", "ＢＡＩＤＵ", "pkd:baidu-netcom", BAIDU])
def test_cli_focus_and_depth(runner, tmp_path, kg, net, name):
    out = tmp_path / "f.html"
    result = runner.invoke(cli, ["viz", "--focus", name, "--depth", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = page_data(out.read_text(encoding="utf-8"))
    expected = neighbourhood(net, BAIDU, 1).graph
    assert {n["id"] for n in data["nodes"]} == set(expected.nodes)
    assert data["focus"] == BAIDU
    assert PROGRAM in expected and len(expected) < 10


def test_cli_depth_widens_the_neighbourhood(runner, tmp_path, net):
    sizes = []
    for depth in ("0", "1", "2", "3"):
        out = tmp_path / f"d{depth}.html"
        result = runner.invoke(cli, ["viz", "--focus", "pkd:bj-gai-partnership-program-2023", "--depth", depth,
                                     "-o", str(out)])
        assert result.exit_code == 0, result.output
        sizes.append(len(page_data(out.read_text(encoding="utf-8"))["nodes"]))
    assert sizes[0] == 1
    assert sizes == sorted(sizes) and sizes[1] < sizes[2] < sizes[3] <= 357
    assert sizes[2] == neighbourhood(net, PROGRAM, 2).graph.number_of_nodes()


def test_cli_include_limits_classes(runner, tmp_path, kg):
    out = tmp_path / "i.html"
    result = runner.invoke(cli, ["viz", "--include", "organization", "--include", "program", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = page_data(out.read_text(encoding="utf-8"))
    assert {n["cls"] for n in data["nodes"]} == {"organization", "program"}
    expected = build_network(kg, include={"organization", "program"}).graph.number_of_nodes()
    assert len(data["nodes"]) == expected == 22
    counts = {c["key"]: c["count"] for c in data["classes"]}
    assert counts["organization"] == 21 and counts["program"] == 1 and counts["category"] == 0


def test_cli_focus_outside_include_is_a_clear_error(runner, tmp_path):
    out = tmp_path / "x.html"
    result = runner.invoke(cli, ["viz", "--include", "policy", "--focus", "Baidu", "-o", str(out)])
    assert result.exit_code == 1
    assert "not a node of the network" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_cli_unknown_focus_is_a_clear_error_and_keeps_the_old_file(runner, tmp_path):
    out = tmp_path / "x.html"
    out.write_text("old", encoding="utf-8")
    result = runner.invoke(cli, ["viz", "--focus", "Baidoo", "-o", str(out)])
    assert result.exit_code == 1
    assert "Error: no entity is called 'Baidoo'" in result.output
    assert "did you mean" in result.output and "Baidu" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.html"]


def test_cli_ambiguous_focus_is_a_clear_error(runner, tmp_path):
    data_dir = tmp_path / "data"
    (data_dir / "graph").mkdir(parents=True)
    shutil.copy(paths.data_root() / "ontology" / "examples" / "valid" / "partner-program.ttl", data_dir / "graph")
    result = runner.invoke(cli, ["viz", "--data-dir", str(data_dir), "--focus", "例市", "-o", str(tmp_path / "a.html")])
    assert result.exit_code == 1
    assert "ambiguous" in result.output and "Traceback" not in result.output
    assert "pk:GovernmentBody" in result.output and "pk:City" in result.output
    assert not (tmp_path / "a.html").exists()


def test_cli_unknown_class_and_language_are_clear_errors(runner, tmp_path):
    result = runner.invoke(cli, ["viz", "--include", "planet", "-o", str(tmp_path / "a.html")])
    assert result.exit_code == 1 and "unknown class(es) planet" in result.output
    result = runner.invoke(cli, ["viz", "--lang", "fr", "-o", str(tmp_path / "a.html")])
    assert result.exit_code == 2 and "fr" in result.output
    assert not (tmp_path / "a.html").exists()


def test_cli_failed_write_leaves_no_partial_file(runner, tmp_path, monkeypatch):
    out = tmp_path / "x.html"
    out.write_text("old", encoding="utf-8")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    result = runner.invoke(cli, ["viz", "-o", str(out)])
    assert result.exit_code == 1
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.html"]


def test_cli_unwritable_output_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(cli, ["viz", "-o", str(tmp_path / "missing" / "x.html")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error:" in result.output


def test_resolve_entity_finds_the_page_focus(kg):
    assert resolve_entity(kg, "百度") == BAIDU


# ---- the vendored renderer, the default view, the link legend

def test_vendored_vis_network_is_the_locked_npm_build():
    import hashlib

    vendor = STATIC / "vendor"
    manifest = (vendor / "MANIFEST.txt").read_text(encoding="utf-8").splitlines()
    lock = json.loads((JS / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    versions = dict(line.split(" ", 1) for line in manifest if line and not line.startswith("#") and "  " not in line)
    assert versions["vis-network"] == VIS_VERSION == lock["node_modules/vis-network"]["version"]
    for name in ("vis-data", "vis-util", "esbuild"):
        assert versions[name] == lock[f"node_modules/{name}"]["version"], name
    sums = [line.split("  ") for line in manifest if "  " in line]
    assert {f for _, f in sums} == {p.name for p in vendor.iterdir()} - {"MANIFEST.txt"}
    for digest, name in sums:
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
    assert (JS / "build.sh").is_file() and "npm ci" in (JS / "build.sh").read_text(encoding="utf-8")


def test_vendored_bundle_runs_under_the_content_security_policy():
    # script-src allows hashes of the inline scripts, not eval
    bundle = (STATIC / "vendor" / "vis-network.min.js").read_text(encoding="utf-8")
    for sink in ("eval(", "new Function", "</script"):
        assert sink not in bundle, sink


def test_default_view_classes_are_policies_programs_bodies_organizations_and_people(page):
    data = page_data(page)
    assert {c["key"] for c in data["classes"] if c["default"]} == DEFAULT_CLASSES
    # the rest are details: counted in the legend, shown on demand
    counts = {c["key"]: c["count"] for c in data["classes"]}
    assert counts["category"] == 137 and counts["observation"] == 82


def test_every_link_relation_has_its_own_colour_and_its_count(page, net):
    data = page_data(page)
    relations = data["relations"]
    props = [e["prop"] for e in data["edges"]]
    assert [r["key"] for r in relations][:2] == ["org:Membership", "org:Post"]
    assert {r["key"]: r["count"] for r in relations} == {p: props.count(p) for p in set(props)}
    assert len({r["color"] for r in relations}) == len(relations)
    assert relations[0]["label"] == "membership (role)"
    assert all(re.fullmatch(r"#[0-9a-f]{6}", r["color"]) for r in relations)


def test_page_is_deterministic(net):
    one = render_network_html(net, title="t", lang="en")
    two = render_network_html(net, title="t", lang="en")
    assert one == two
