"""The SPARQL editor of /query in headless Chromium: highlighting, completion, keys, errors, cancel, sort, pages.

The server runs with a 5 s query deadline, so the query the cancel test
leaves behind stops soon after on the server too.
"""

from __future__ import annotations

import re

import pytest

from policykg import paths
from policykg.namespaces import PREFIXES
from support import start_app_server, stop_server

#: A cross join of the whole graph with itself, twice: it runs far past any deadline.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server():
    proc, base = start_app_server(paths.data_root(), timeout=5.0, workers=2)
    yield base
    stop_server(proc)


def _open(page, url: str):
    p = page.page
    p.goto(url)
    p.wait_for_selector(".cm-content")
    return p


def _set_query(p, text: str) -> None:
    """Replace the editor's text as a paste would (no completion, no auto-closed brackets)."""
    p.click(".cm-content")
    p.keyboard.press("Control+a")
    p.keyboard.insert_text(text)


def _editor_text(p) -> str:
    return p.input_value("#query-text")  # the form's field, kept in step with the editor


def _column(p, index: int) -> list[str]:
    return [c.strip() for c in p.locator(f"#results tbody tr td:nth-child({index})").all_inner_texts()]


def test_editor_highlights_sparql_tokens(server, page):
    p = _open(page, server + "/query")
    keywords = p.locator(".cm-content .tok-keyword").all_inner_texts()
    assert "SELECT" in keywords and "WHERE" in keywords
    assert "?org" in p.locator(".cm-content .tok-variableName").all_inner_texts()
    assert p.locator("#query-text").is_hidden()  # the editor replaces the plain field
    page.assert_offline()


def test_typing_a_prefix_name_offers_the_predeclared_prefixes(server, page):
    p = _open(page, server + "/query")
    _set_query(p, "SELECT * WHERE { ?s a ")
    p.keyboard.type("sk")
    p.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected]")
    offered = p.locator(".cm-tooltip-autocomplete li .cm-completionLabel").all_inner_texts()
    assert "skos:" in offered
    # CodeMirror ignores Enter for its interactionDelay (75 ms) after the list opens, so that
    # a fast typist's Enter is a newline; a person who picks from the list is slower than that.
    p.wait_for_timeout(150)
    p.keyboard.press("Enter")
    assert _editor_text(p).endswith("?s a skos:")
    page.assert_offline()


def test_typing_prefix_offers_declarations_with_their_namespace(server, page):
    p = _open(page, server + "/query")
    _set_query(p, "")
    p.keyboard.type("PREFIX ")
    p.wait_for_selector(".cm-tooltip-autocomplete")
    offered = p.locator(".cm-tooltip-autocomplete li .cm-completionLabel").all_inner_texts()
    assert {f"{name}:" for name in PREFIXES} <= set(offered)
    p.keyboard.type("rdfs")
    p.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected] >> text=rdfs:")
    p.wait_for_timeout(150)  # past CodeMirror's interactionDelay, as above
    p.keyboard.press("Enter")
    assert _editor_text(p) == f"PREFIX rdfs: <{PREFIXES['rdfs']}>"


def test_ctrl_enter_runs_the_query_and_shows_rows(server, page):
    p = _open(page, server + "/query")
    _set_query(p, "SELECT ?l WHERE { pkd:baidu-netcom skos:altLabel ?l } ORDER BY ?l")
    p.keyboard.press("Control+Enter")
    p.wait_for_selector("#results tbody tr")
    assert "百度" in p.inner_text("#results")
    assert "query=" in p.url  # the address now names the query run, for reload and sharing
    page.assert_offline()


def test_tab_indents_in_the_editor_and_escape_then_tab_leaves_it(server, page):
    p = _open(page, server + "/query")
    _set_query(p, "SELECT * WHERE {\n?s ?p ?o }")
    p.keyboard.press("Home")
    p.keyboard.press("Tab")
    in_editor = "() => !!document.activeElement.closest('.cm-editor')"
    assert p.evaluate(in_editor)
    assert "\n  ?s ?p ?o }" in _editor_text(p)
    p.keyboard.press("Escape")
    p.keyboard.press("Tab")
    assert not p.evaluate(in_editor)


def test_unknown_prefix_is_named_with_its_line_and_column_and_the_line_marked(server, page):
    p = _open(page, server + "/query")
    _set_query(p, "SELECT ?x WHERE {\n  ?x a wd:Q5 }")
    p.keyboard.press("Control+Enter")
    p.wait_for_selector(".error")
    message = p.inner_text(".error")
    assert "unknown prefix wd: at line 2, column 8" in message
    assert "Prefix not found" not in message and "\\u{" not in message
    assert p.inner_text(".cm-error-line") == "  ?x a wd:Q5 }"
    assert p.inner_text(".cm-error-at") == "w"
    page.assert_offline()


def test_running_shows_an_indicator_and_cancel_stops_the_request(server, page):
    p = _open(page, server + "/query")
    failed = []
    p.on("requestfailed", lambda r: failed.append((r.url, r.failure)))
    _set_query(p, HEAVY)
    p.click("#run")
    p.wait_for_selector("#cancel:visible")
    assert p.inner_text("#running").startswith("running")
    p.click("#cancel")
    p.wait_for_function("() => document.getElementById('running').textContent === 'cancelled'")
    assert p.locator("#cancel").is_hidden()
    assert any("fragment=1" in url for url, _ in failed), "the request was not aborted"
    assert p.locator("#results").count() == 0
    # The page still runs the next query.
    _set_query(p, "SELECT (1 + 1 AS ?two) {}")
    p.keyboard.press("Control+Enter")
    p.wait_for_selector("#results tbody tr")
    assert _column(p, 1) == ["2"]
    page.assert_offline()


def _health(base: str) -> dict:
    import json
    import urllib.request

    with urllib.request.urlopen(base + "/health", timeout=10) as r:
        return json.loads(r.read())


def test_cancel_stops_the_query_on_the_server_and_frees_its_worker(server, page):
    import time

    p = _open(page, server + "/query")
    before = _health(server)
    _set_query(p, HEAVY)
    p.click("#run")
    p.wait_for_selector("#cancel:visible")
    give_up = time.monotonic() + 20
    while _health(server)["idle"] == before["size"]:  # until a worker runs it
        assert time.monotonic() < give_up, "the query never reached a worker"
        time.sleep(0.05)
    p.click("#cancel")
    p.wait_for_function("() => document.getElementById('running').textContent === 'cancelled'")
    after = _health(server)
    while not (after["cancelled"] > before["cancelled"] and after["idle"] == after["size"]):
        assert time.monotonic() < give_up, f"the worker was not freed: {after}"
        time.sleep(0.05)
        after = _health(server)
    assert after["cancelled"] == before["cancelled"] + 1  # dropped for the client, not at its deadline
    page.assert_offline()


def test_clicking_a_column_header_sorts_on_the_server(server, page):
    p = _open(page, server + "/query")
    _set_query(p, 'SELECT ?n ?w WHERE { VALUES (?n ?w) { (3 "c") (10 "j") (1 "a") (2 "b") } }')
    p.keyboard.press("Control+Enter")
    p.wait_for_selector("#results tbody tr")
    assert _column(p, 1) == ["3", "10", "1", "2"]  # the query's own order
    p.click("#results th >> text=n")
    p.wait_for_selector("#results th[aria-sort=ascending]")
    assert _column(p, 1) == ["1", "2", "3", "10"]  # numbers by value, not as text
    p.click("#results th >> text=n")
    p.wait_for_selector("#results th[aria-sort=descending]")
    assert _column(p, 1) == ["10", "3", "2", "1"]
    assert _column(p, 2) == ["j", "c", "b", "a"]
    page.assert_offline()


def test_pages_of_a_large_result_are_walked_with_the_pager(server, page):
    numbers = " ".join(str(i) for i in range(30))
    p = _open(page, server + "/query")
    _set_query(p, f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ 0 1 2 3 4 5 6 7 8 9 }} }} "
                  "ORDER BY ?a ?b")
    p.keyboard.press("Control+Enter")
    p.wait_for_selector("#results tbody tr")
    assert re.search(r"rows 1–200 of 300\b", p.inner_text("#result-count"))
    assert p.locator("#results tbody tr").count() == 200
    p.click("nav.pager a[rel=next]")
    p.wait_for_selector("nav.pager [aria-current=page] >> text=2")
    assert re.search(r"rows 201–300 of 300\b", p.inner_text("#result-count"))
    assert _column(p, 1)[0] == "20" and p.locator("#results tbody tr").count() == 100
    page.assert_offline()


def test_an_example_loads_into_the_editor_and_a_canned_query_opens_in_it(server, page):
    from policykg.sparql.canned import find_query

    p = _open(page, server + "/query")
    p.select_option("#example-picker", "members-by-role")
    canned = find_query("members-by-role")
    bound = canned.bind({q.name: q.example for q in canned.params if q.example}, lang="en")
    assert _editor_text(p) == bound
    p.goto(server + "/queries/members-by-role")
    p.click("a.open-in-editor")
    p.wait_for_url(re.compile(r"/query\?"))
    p.wait_for_selector(".cm-content")
    assert _editor_text(p) == bound
    p.click("#run")
    p.wait_for_selector("#results tbody tr")
    assert p.locator("#results tbody tr").count() == 10
    page.assert_offline()


def test_without_javascript_the_form_still_runs_queries(server, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        p = context.new_page()
        p.goto(server + "/query")
        p.fill("textarea[name=query]", "SELECT ?l WHERE { pkd:baidu-netcom skos:altLabel ?l } ORDER BY ?l")
        p.click("#run")
        p.wait_for_selector("#results tbody tr")
        assert "百度" in p.inner_text("#results")
        p.click("#results th >> text=l")
        p.wait_for_selector("#results th[aria-sort=ascending]")
    finally:
        context.close()
