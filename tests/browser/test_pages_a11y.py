"""Every page type, on a desktop and on a phone: fits the screen, passes axe-core, tags CJK text, stays offline.

Each page is opened once per viewport (1440×900 and 390×844) against a real
server; what a visit finds is kept for the tests below, and a screenshot of
it is written to ``screenshots_dir`` (``POLICYKG_SCREENSHOTS=docs/screenshots``
writes the ones the README and the issue show). axe-core is the copy vendored
under ``static/vendor`` (js/build.sh), injected from the file: no page here
loads anything from outside.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit

import pytest

from policykg import paths

from support import start_app_server, stop_server

AXE = paths.STATIC / "vendor" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
PKD = "https://w3id.org/policykg/id/"

#: One URL per page type; the name is also the screenshot's file name.
PAGES = {
    "home": "/",
    "search": "/search?q=Beijin",
    "queries": "/queries",
    "query-canned": "/queries/members-by-role?program=pkd%3Abj-gai-partnership-program-2023",
    "query-adhoc": "/query?query=" + quote("SELECT ?org ?label WHERE { ?org a org:Organization ; rdfs:label ?label } "
                                         "ORDER BY ?label LIMIT 30"),
    "entity-organization": "/id/baidu-netcom",
    "entity-policy": "/id/bj-ai-innovation-hub-plan-2023",
    "entity-observation": "/id/obs-computer-software-hardware-enterprises-2021-beijing",
    "entity-program": "/id/bj-gai-partnership-program-2023",
    "entity-source": "/id/article-beijing-ai-capital-shanghai-metaverse",
    "entity-concept": "/entity?iri=" + quote("https://w3id.org/policykg/vocab/partner-role/model", safe=""),
    "ontology": "/ontology",
    "network-page": "/network",
    "targets": "/targets",
    "charts": "/charts",
    "chart": "/charts/city-comparison",
    "not-found": "/nope",
    # Labels in Japanese and Chinese: every one must carry its lang.
    "entity-program-ja": "/id/bj-gai-partnership-program-2023?lang=ja",
    "query-canned-zh": "/queries/members-by-role?program=pkd%3Abj-gai-partnership-program-2023&lang=zh",
}
#: Pages that answer with an error status on purpose.
STATUS = {"not-found": 404}

# Text nodes holding Han or kana must sit inside an element whose nearest lang is ja or zh.
_UNTAGGED_CJK = """() => {
  const cjk = /[\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]/;
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || !cjk.test(node.nodeValue) || el.closest('script, style, template, textarea')) continue;
    const owner = el.closest('[lang]') || document.documentElement;
    if (!/^(ja|zh)\\b/i.test(owner.getAttribute('lang') || '')) bad.push(node.nodeValue.trim().slice(0, 60));
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def server():
    proc, base = start_app_server(paths.data_root(), timeout=30.0, workers=2)
    yield base
    stop_server(proc)


def _exists(base: str, path: str) -> bool:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            return r.status == 200
    except urllib.error.HTTPError:
        return False


_VISITS: dict[tuple[str, str], dict] = {}


def visit(browser, server, screenshots_dir, name: str, viewport: str) -> dict:
    """Open page ``name`` at ``viewport`` once; what it found: status, width, axe violations, untagged CJK."""
    key = (name, viewport)
    if key in _VISITS:
        return _VISITS[key]
    if name not in STATUS and not _exists(server, PAGES[name]):
        pytest.skip(f"{PAGES[name]} is not served (yet)")
    # axe-core goes in as an inline script, which the pages' CSP refuses: the test context lets it in.
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        response = page.goto(server + PAGES[name], wait_until="load")
        page.wait_for_timeout(400 if name != "network-page" else 1500)
        found = {"status": response.status if response else 0,
                 "width": page.evaluate("() => document.documentElement.scrollWidth"),
                 "untagged": page.evaluate(_UNTAGGED_CJK), "errors": errors}
        page.screenshot(path=os.path.join(screenshots_dir, f"{name}-{viewport}.png"))
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("""async () => {
          const r = await axe.run(document, {iframes: false, resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact,
                                         nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""")
        found["violations"] = [v for v in result if v["impact"] in ("serious", "critical")]
        found["outside"] = [u for u in requests if urlsplit(u).scheme not in ("data", "blob", "about", "file")
                            and urlsplit(u).hostname not in ("127.0.0.1", "localhost", "::1")]
    finally:
        context.close()
    _VISITS[key] = found
    return found


CASES = [(name, viewport) for name in PAGES for viewport in VIEWPORTS]


@pytest.mark.parametrize("name,viewport", CASES, ids=[f"{n}-{v}" for n, v in CASES])
def test_page_answers_with_its_status_and_runs_without_errors(browser, server, screenshots_dir, name, viewport):
    found = visit(browser, server, screenshots_dir, name, viewport)
    assert found["status"] == STATUS.get(name, 200)
    assert found["errors"] == []


@pytest.mark.parametrize("name", list(PAGES))
def test_page_does_not_scroll_sideways_on_a_phone(browser, server, screenshots_dir, name):
    found = visit(browser, server, screenshots_dir, name, "phone")
    assert found["width"] <= VIEWPORTS["phone"]["width"], f"{name} is {found['width']} px wide at 390 px"


@pytest.mark.parametrize("name,viewport", CASES, ids=[f"{n}-{v}" for n, v in CASES])
def test_axe_finds_no_serious_or_critical_violation(browser, server, screenshots_dir, name, viewport):
    found = visit(browser, server, screenshots_dir, name, viewport)
    assert found["violations"] == []


@pytest.mark.parametrize("name", list(PAGES))
def test_chinese_and_japanese_text_carries_its_language(browser, server, screenshots_dir, name):
    found = visit(browser, server, screenshots_dir, name, "desktop")
    assert found["untagged"] == []


@pytest.mark.parametrize("name", list(PAGES))
def test_page_makes_no_outside_request(browser, server, screenshots_dir, name):
    found = visit(browser, server, screenshots_dir, name, "phone")
    assert found["outside"] == []
