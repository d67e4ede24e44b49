"""The chart pages in headless Chromium: the graph's values as bars, offline, and hostile labels as text."""

from __future__ import annotations

import os

import pytest

import policykg
from policykg.charts.catalog import find_chart
from policykg.charts.render import chart_params

from support import start_app_server, start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.server]

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '"><img src=x onerror=window.__pwned=1>'
SVG_ONLOAD = "</text><svg onload=window.__pwned=1>"
IMG_TURTLE = IMG.replace('"', '\\"')

HOSTILE_GRAPH = f"""
@prefix pk: <https://w3id.org/policykg/ontology#> .
@prefix pkd: <https://w3id.org/policykg/id/> .
@prefix ind: <https://w3id.org/policykg/vocab/indicator/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

pkd:beijing a pk:City ; rdfs:label "{SCRIPT}"@en .
pkd:shanghai a pk:City ; rdfs:label "{IMG_TURTLE}"@en .
ind:hostile-indicator rdfs:label "{SVG_ONLOAD}"@en .
pkd:obs-hostile-beijing a pk:Observation ; pk:indicator ind:hostile-indicator ; pk:rank 2 ;
    sdmx-dimension:refArea pkd:beijing ; sdmx-dimension:refPeriod "2021"^^xsd:gYear ; sdmx-measure:obsValue 5 .
pkd:obs-hostile-shanghai a pk:Observation ; pk:indicator ind:hostile-indicator ; pk:rank 1 ;
    sdmx-dimension:refArea pkd:shanghai ; sdmx-dimension:refPeriod "2021"^^xsd:gYear ; sdmx-measure:obsValue 7 .
"""


@pytest.fixture(scope="module")
def server():
    proc, base = start_server("--workers", "1")
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-charts")
    (root / "graph").mkdir()
    (root / "graph" / "hostile.ttl").write_text(HOSTILE_GRAPH, encoding="utf-8")
    proc, base = start_app_server(root, timeout=30.0, workers=1)
    yield base
    stop_server(proc)


def _bars(p) -> list[dict]:
    labels = p.eval_on_selector_all("main svg[role=img] [aria-roledescription=bar]",
                                    "els => els.map(e => e.getAttribute('aria-label'))")
    return [dict(part.split(": ", 1) for part in label.split("; ")) for label in labels]


def test_city_comparison_shows_beijing_and_shanghai_bars_with_the_graphs_values(server, page, screenshots_dir, kg):
    chart = find_chart("city-comparison")
    result = policykg.run_query(kg, name=chart.query, params=chart_params(chart), lang="en")
    rows = [dict(zip(result.variables, (t.value if t is not None else None for t in row))) for row in result.rows]
    expected = {(r["cityLabel"], float(r["value"])) for r in rows if r["value"] is not None}
    assert {city for city, _ in expected} == {"Beijing", "Shanghai"}

    p = page.page
    p.goto(server + "/charts/city-comparison")
    svg = p.locator("main svg[role=img]")
    assert svg.count() == 1
    assert svg.first.get_attribute("aria-labelledby")
    assert p.locator("main svg[role=img] title").first.text_content() == "Beijing and Shanghai side by side"
    drawn = {(b["city"], float(b["value"])) for b in _bars(p)}
    assert drawn == expected
    # Each bar is drawn: it has a width on the page, and the figures read as words beside it.
    assert all(width > 0 for width in p.eval_on_selector_all(
        "main svg[role=img] [aria-roledescription=bar]", "els => els.map(e => e.getBoundingClientRect().width)"))
    assert "813,000 enterprises · rank 1" in p.locator("main svg[role=img]").text_content()
    p.locator("details summary").first.click()
    assert "683,000 enterprises" in p.inner_text("details table")
    assert p.locator("a[href^='/queries/city-pair-comparison?']").count() == 1
    p.screenshot(path=os.path.join(screenshots_dir, "chart-city-comparison.png"), full_page=True)
    assert page.errors == []
    page.assert_offline()
    page.assert_no_script_ran()


def test_chart_list_draws_every_chart_inline(server, page, screenshots_dir):
    from policykg.charts import list_charts

    p = page.page
    p.goto(server + "/charts")
    assert p.locator("main svg[role=img]").count() == len(list_charts())
    ids = p.eval_on_selector_all("main svg [id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)), "two charts on one page share an element id"
    p.screenshot(path=os.path.join(screenshots_dir, "charts.png"), full_page=False)
    assert page.errors == []
    page.assert_offline()


@pytest.mark.parametrize("path", ["/charts", "/charts/policy-timeline"])
def test_chart_pages_fit_a_phone(server, browser, screenshots_dir, path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        p = context.new_page()
        p.goto(server + path)
        assert p.evaluate("() => document.documentElement.scrollWidth") <= 390
        svg_width = p.eval_on_selector("main svg[role=img]", "e => e.getBoundingClientRect().width")
        assert 0 < svg_width <= 390
        p.screenshot(path=os.path.join(screenshots_dir, f"chart-phone-{path.strip('/').replace('/', '-')}.png"))
    finally:
        context.close()


def test_svg_and_png_downloads(server, page):
    p = page.page
    svg = p.request.get(server + "/charts/policy-timeline.svg?lang=ja")
    assert svg.status == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "公布" in svg.text()
    png = p.request.get(server + "/charts/policy-timeline.png")
    assert png.status == 200 and png.body().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("path", ["/charts", "/charts/city-comparison", f"/charts/city-comparison?a={IMG}",
                                  f"/charts/ranking-digital-tech-total?indicator={SCRIPT}"])
def test_hostile_labels_and_parameters_stay_text(hostile_server, page, path):
    p = page.page
    response = p.goto(hostile_server + path, wait_until="load")
    assert response is not None and response.status < 500
    for el in p.locator("main svg text").all()[:40]:
        try:
            el.hover(timeout=200)
        except Exception:  # noqa: BLE001 - hidden text is fine to skip
            pass
    page.assert_no_script_ran()
    assert p.locator("main svg script, main svg foreignObject, main svg img, main img").count() == 0
    if path == "/charts/city-comparison":
        texts = p.eval_on_selector_all("main svg text", "els => els.map(e => e.textContent)")
        assert SVG_ONLOAD in texts  # the panel's heading; city names on the axis are cut short with "…"
        assert any(t.startswith(SCRIPT[:20]) for t in texts) and any(t.startswith(IMG[:20]) for t in texts)
        assert {b["city"] for b in _bars(p)} == {SCRIPT, IMG}
    assert page.errors == []
    page.assert_offline()
