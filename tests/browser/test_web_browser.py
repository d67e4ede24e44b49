"""The web app in headless Chromium against a real ``policykg serve``: offline, escaped, working."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from support import stop_server

POLICYKG = str(Path(sys.executable).with_name("policykg"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(*args: str):
    port = _free_port()
    proc = subprocess.Popen([POLICYKG, "serve", "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read().decode(errors="replace"))
        try:
            with urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("policykg serve did not start")



@pytest.fixture(scope="module")
def server():
    proc, base = _serve()
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from support import write_hostile

    from support import start_app_server

    # The hostile graph breaks the shapes on purpose (over-long evidence), so
    # 'policykg serve' would refuse it: serve the app over it directly.
    root = write_hostile(tmp_path_factory.mktemp("hostile-browser"))
    proc, base = start_app_server(root, timeout=30.0, workers=2)
    yield base
    stop_server(proc)


def _wait_network(page):
    """Wait until the network iframe has loaded its document and drawn something."""
    page.wait_for_selector("iframe#network")
    frame = page.frame_locator("iframe#network")
    frame.locator("body").wait_for(state="attached", timeout=15000)
    page.wait_for_function(
        "() => { const f = document.querySelector('iframe#network');"
        " return f && f.contentDocument && f.contentDocument.readyState === 'complete'"
        " && f.contentDocument.body && f.contentDocument.body.innerText.length > 0; }", timeout=15000)
    page.wait_for_timeout(1500)  # let the layout settle before a screenshot


def test_home_renders_the_network(server, page):
    p = page.page
    p.goto(server + "/")
    assert p.title().startswith("Home")
    assert p.locator("#coverage li").count() >= 3
    # The home page links to the network at full size instead of framing it too small to read.
    p.click("a.button[href^='/network']")
    p.wait_for_url("**/network?lang=en")
    p.wait_for_selector("#pk-network canvas", timeout=15000)
    assert page.errors == []
    page.assert_offline()
    page.assert_no_script_ran()


@pytest.mark.parametrize("text", ["百度", "Baidu"])
def test_search_lists_baidu_first_and_opens_it(server, page, text):
    p = page.page
    p.goto(server + "/")
    p.fill("#home-search", text)
    p.press("#home-search", "Enter")
    p.wait_for_url("**/search?**")
    p.click("ol.hits a[href='/id/baidu-netcom'] >> nth=0")
    p.wait_for_url("**/id/baidu-netcom")
    assert "北京百度网讯科技有限公司" in p.inner_text("#labels")
    page.assert_offline()


def test_canned_query_form_returns_rows(server, page):
    p = page.page
    p.goto(server + "/queries/members-by-role")
    field = p.locator("input[name=program]")
    assert field.input_value() == "pkd:bj-gai-partnership-program-2023" or field.input_value()
    p.select_option("select[name=lang]", "en")
    p.click("#query-form button[type=submit]")
    p.wait_for_selector("#results tbody tr")
    rows = p.locator("#results tbody tr")
    assert rows.count() >= 5
    text = p.inner_text("#results")
    assert "Baidu" in text
    link = p.locator("#results a[href='/id/baidu-netcom']")
    assert link.count() >= 1
    link.first.click()
    p.wait_for_url("**/id/baidu-netcom")
    page.assert_offline()


def test_entity_page_shows_incoming_links_and_evidence(server, page):
    p = page.page
    p.goto(server + "/id/baidu-netcom")
    incoming = p.inner_text("#incoming")
    assert "model partner" in incoming.lower() or "membership" in incoming.lower()
    assert p.locator("#incoming a[href='/id/membership-bj-gai-partnership-baidu-netcom']").count() == 1
    assert "Baidu.com Technology Co., Ltd." in p.inner_text("#evidence")
    _wait_network(p)
    assert page.errors == []
    page.assert_offline()


def test_adhoc_query_page_in_the_browser(server, page):
    p = page.page
    p.goto(server + "/query")
    # The editor (CodeMirror) stands in for the form's textarea once the page's script runs.
    p.fill(".cm-content", "SELECT ?l WHERE { pkd:baidu-netcom skos:altLabel ?l } ORDER BY ?l")
    p.click("#adhoc-form button[type=submit]")
    p.wait_for_selector("#results tbody tr")
    assert "百度" in p.inner_text("#results")
    page.assert_offline()


HOSTILE_PAGES = ["/", "/id/hostile-org", "/id/hostile-source", "/id/hostile-program",
                 "/entity?iri=" + quote("javascript:window.__pwned=1", safe=""),
                 "/entity?iri=" + quote("https://w3id.org/policykg/id/x'onmouseover='window.__pwned=1", safe=""),
                 "/search?q=window&list=1", "/queries/organization-links?org=pkd:hostile-org",
                 "/query?query=" + quote("SELECT ?s ?l WHERE { ?s rdfs:label|skos:altLabel ?l } ORDER BY ?s"),
                 "/network?focus=" + quote("https://w3id.org/policykg/id/hostile-org", safe="")]


def test_hostile_labels_run_no_script(hostile_server, page):
    p = page.page
    for url in HOSTILE_PAGES:
        p.goto(hostile_server + url)
        p.wait_for_load_state("load")
        if p.locator("iframe#network").count():
            _wait_network(p)
            frame_pwned = p.evaluate("() => document.querySelector('iframe#network').contentWindow.__pwned")
            assert frame_pwned is None, f"{url}: hostile data ran in the network frame"
        # hover and click around the hostile links: an injected handler would fire now
        for a in p.locator("main a").all()[:30]:
            try:
                a.hover(timeout=500)
            except Exception:  # noqa: BLE001 - hidden or detached links are fine
                pass
        page.assert_no_script_ran()
    p.goto(hostile_server + "/id/hostile-org")
    assert "<script>window.__pwned=1</script>" in p.inner_text("h1")
    page.assert_no_script_ran()
    page.assert_offline()
