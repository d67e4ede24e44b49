"""The attack corpus, browser rows: hostile strings in the graph and in URLs run no script.

A real ``policykg serve`` (which validates its data first) over a graph that
*passes* the shapes yet carries ``<script>window.__pwned=1</script>``,
``"><img src=x onerror=window.__pwned=1>``, ``javascript:window.__pwned=1``
and ``</script>`` (inside the JSON the network page embeds) in labels,
titles, evidence phrases and an IRI; each page is opened in headless
Chromium, with hostile query parameters where a page takes them. On every
page, in every frame, nothing ran, and nothing was requested beyond loopback.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from policykg import paths

from support import start_server, stop_server

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '"><img src=x onerror=window.__pwned=1>'
JS_URL = "javascript:window.__pwned=1"
CLOSE_SCRIPT = "</script><script>window.__pwned=1</script>"
EVIL_IRI = "https://w3id.org/policykg/id/x'onmouseover='window.__pwned=1"


def _turtle(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def hostile_graph() -> str:
    """The valid partner-program example with every name made hostile (it still conforms)."""
    text = (paths.ontology_dir() / "examples" / "valid" / "partner-program.ttl").read_text(encoding="utf-8")
    swaps = {
        "<https://example.org/policykg-example/>": "<https://w3id.org/policykg/id/attack->",
        '"Company A"@en': f'"{_turtle(SCRIPT)}"@en',
        '"A社"@ja': f'"{_turtle(IMG)}"@ja',
        '"Company B"@en': f'"{_turtle(CLOSE_SCRIPT)}"@en',
        '"Example Program"@en': f'"{_turtle(JS_URL)}"@en',
        '"Example article"@en': f'"{_turtle(IMG)}"@en',
        '"a short phrase"': f'"{_turtle(SCRIPT)}"',
        "ex:company-b": f"<{EVIL_IRI}>",
    }
    for old, new in swaps.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def attack_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("attack-pages")
    (root / "graph").mkdir()
    (root / "graph" / "hostile.ttl").write_text(hostile_graph(), encoding="utf-8")
    proc, base = start_server("--data-dir", str(root), "--timeout", "5", "--workers", "1")
    yield base
    stop_server(proc)


def _q(**params) -> str:
    return "?" + urlencode(params)


PAGES = [
    pytest.param("/", id="home"),
    pytest.param("/network", id="network"),
    pytest.param("/network" + _q(focus=EVIL_IRI), id="network-focus-hostile-iri"),
    pytest.param("/queries/label-search" + _q(text=SCRIPT), id="query-form-script-param"),
    pytest.param("/queries/label-search" + _q(text=IMG, lang=CLOSE_SCRIPT), id="query-form-img-param"),
    pytest.param("/queries/organization-links" + _q(org=JS_URL), id="query-form-javascript-iri-param"),
    pytest.param("/queries/organization-links" + _q(org=EVIL_IRI), id="query-form-hostile-entity"),
    pytest.param("/query" + _q(query=f'SELECT ?x WHERE {{ BIND("{_turtle(SCRIPT)}" AS ?x) }}'), id="adhoc-script-literal"),
    pytest.param("/query" + _q(query=f'SELECT ?x WHERE {{ BIND(<{JS_URL}> AS ?x) }}'), id="adhoc-javascript-iri"),
    pytest.param("/query" + _q(query=CLOSE_SCRIPT + IMG), id="adhoc-syntax-error-echo"),
    pytest.param("/query" + _q(query="SELECT ?s ?l WHERE { ?s rdfs:label ?l }"), id="adhoc-hostile-labels"),
    pytest.param("/id/attack-company-a", id="entity-script-label"),
    pytest.param("/id/attack-article", id="entity-img-title"),
    pytest.param("/id/attack-ev-1", id="entity-hostile-evidence"),
    pytest.param("/id/attack-program", id="entity-javascript-label"),
    pytest.param("/entity" + _q(iri=EVIL_IRI), id="entity-hostile-iri"),
    pytest.param("/search" + _q(q=SCRIPT, list="1"), id="search-script-param"),
]


@pytest.mark.parametrize("path", PAGES)
def test_attack_page_runs_no_script(attack_server, page, path):
    p = page.page
    response = p.goto(attack_server + path, wait_until="load")
    assert response is not None and response.status < 500, f"{path}: HTTP {response and response.status}"
    p.wait_for_timeout(300)  # let iframes (the network view) and their scripts run
    for link in p.locator("a").all()[:40]:  # an injected handler would fire on hover
        try:
            link.hover(timeout=200)
        except Exception:  # noqa: BLE001 - hidden or detached links are fine to skip
            pass
    page.assert_no_script_ran()
    for frame in p.frames:
        assert frame.evaluate("() => window.__pwned === undefined"), f"{path}: hostile data ran in {frame.url}"
    hrefs = p.evaluate("() => [...document.querySelectorAll('[href],[src]')]"
                       ".map(e => e.getAttribute('href') || e.getAttribute('src'))")
    assert not [h for h in hrefs if h and h.strip().lower().startswith("javascript:")], f"{path}: javascript: URL"
    assert page.errors == [], f"{path}: page errors {page.errors}"
    page.assert_offline()


def test_the_hostile_graph_is_valid():
    """The server validated it: hostile strings are not what the shapes guard against."""
    import tempfile
    from pathlib import Path

    from policykg import validate

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "graph").mkdir()
        (Path(tmp) / "graph" / "hostile.ttl").write_text(hostile_graph(), encoding="utf-8")
        report = validate(Path(tmp))
    assert report.conforms, "\n".join(map(str, report.errors + report.syntax_errors))
