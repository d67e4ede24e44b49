"""Search in headless Chromium: typing in the header box lists ranked hits, suggests spellings, stays escaped."""

from __future__ import annotations

import os

import pytest

from policykg import paths

from support import start_app_server, stop_server, write_hostile

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    proc, base = start_app_server(paths.data_root(), timeout=30.0, workers=1)
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    proc, base = start_app_server(write_hostile(tmp_path_factory.mktemp("hostile-search-browser")), timeout=30.0,
                                  workers=1)
    yield base
    stop_server(proc)


def type_search(p, base: str, text: str) -> None:
    p.goto(base + "/ontology")
    p.fill("header form.search input[name=q]", text)
    p.press("header form.search input[name=q]", "Enter")
    p.wait_for_url("**/search?**")


def test_a_misspelling_suggests_baidu_and_the_suggestion_finds_it(server, page, screenshots_dir):
    p = page.page
    type_search(p, server, "Baidoo")
    suggestion = p.locator(".did-you-mean a", has_text="Baidu")
    assert suggestion.count() == 1
    p.screenshot(path=os.path.join(screenshots_dir, "search-did-you-mean.png"))
    suggestion.click()
    p.wait_for_url("**q=Baidu**")
    assert p.locator("li.hit a").first.get_attribute("href") == "/id/baidu-netcom"
    assert page.errors == []
    page.assert_offline()


def test_an_exact_name_lists_the_others_after_it(server, page, screenshots_dir):
    p = page.page
    type_search(p, server, "Beijing")
    assert "/search" in p.url  # listed, not redirected
    links = p.locator("li.hit > a")
    assert links.first.get_attribute("href") == "/id/beijing"
    assert links.count() > 1
    assert p.locator("li.hit").first.locator("mark").inner_text() == "Beijing"
    assert p.locator("li.hit").first.locator(".tag").inner_text() == "city"
    assert p.evaluate("document.documentElement.scrollWidth") <= 1280
    p.screenshot(path=os.path.join(screenshots_dir, "search-beijing.png"))
    page.assert_offline()


def test_results_fit_a_phone(server, browser, screenshots_dir):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        p = context.new_page()
        p.goto(server + "/search?q=" + "model%20partners")
        assert p.locator("li.hit .evidence").count() >= 1
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        p.screenshot(path=os.path.join(screenshots_dir, "search-phone.png"), full_page=False)
    finally:
        context.close()


def test_autocomplete_answers_the_page_with_typed_names(server, page):
    p = page.page
    p.goto(server + "/")
    body = p.evaluate("async () => (await fetch('/complete?q=' + encodeURIComponent('通用人工智能')"
                      " + '&type=pk:PolicyDocument&limit=5')).json()")
    assert 0 < len(body["results"]) <= 5
    assert all(r["type"] and r["typeLabel"] and r["href"].startswith("/") for r in body["results"])
    page.assert_offline()


def test_hostile_labels_in_results_do_not_run(hostile_server, page):
    p = page.page
    type_search(p, hostile_server, "window")
    shown = p.locator("ol.hits").inner_text()
    assert "<script>window.__pwned=1</script>" in shown  # the label, as text
    assert p.locator("ol.hits mark", has_text="window").count() >= 1
    page.assert_no_script_ran()
    page.assert_offline()
