"""Charts: every chart drawn from its canned query, read back from the SVG, and nothing else drawn.

The SVG that Vega writes labels each mark for assistive technology
(``aria-label="value: 683000; city: Beijing"``); the tests read the bars and
points back from those labels and compare them with the answer of the very
canned query the chart names, run here on its own.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest

import policykg
from policykg.charts import list_charts, render_chart
from policykg.charts.render import build_spec, chart_params, clean_svg, to_svg
from policykg.cli import cli
from policykg.wording import unit_words

from support import Listener

CHARTS = [c.name for c in list_charts()]
SVG = "{http://www.w3.org/2000/svg}"


def marks(svg: bytes | str) -> list[dict]:
    """Each bar and point of the SVG as the fields of its aria-label."""
    root = ET.fromstring(svg)
    found = []
    for el in root.iter():
        if el.get("aria-roledescription") in ("bar", "point") and el.get("aria-label"):
            fields = {}
            for part in el.get("aria-label").split("; "):
                key, _, value = part.partition(": ")
                fields[key] = value
            found.append(fields)
    return found


def number(text: str) -> float:
    return float(text.replace(",", ""))


def answer(kg, chart) -> list[dict]:
    result = policykg.run_query(kg, name=chart.query, params=chart_params(chart), lang="en")
    return [{v: (t.value if t is not None else None) for v, t in zip(result.variables, row)} for row in result.rows]


def drawn_and_expected(chart, svg: bytes, rows: list[dict]):
    """What the SVG's marks say and what the query answered, in the same shape for each kind of chart."""
    got = marks(svg)
    if chart.kind == "pair":
        return ({(m["city"], number(m["value"])) for m in got},
                {(r["cityLabel"], float(r["value"])) for r in rows if r["value"] is not None})
    if chart.kind == "ranking":
        if any(r["value"] is not None for r in rows):
            return ({(m["place"], number(m["Figure"])) for m in got},
                    {(f"{r['rank']}. {r['cityLabel']}", float(r["value"])) for r in rows if r["value"] is not None})
        last = max(int(r["rank"]) for r in rows)
        return ({(m["place"], int(m["order"])) for m in got},
                {(f"{r['rank']}. {r['cityLabel']}", last + 1 - int(r["rank"])) for r in rows})
    if chart.kind == "series":
        unit = unit_words(rows[0]["unit"], 2)
        return ({(m["Period"], number(m[unit])) for m in got}, {(r["period"], float(r["value"])) for r in rows})
    if chart.kind == "timeline":
        return ({(m["policy"], m["kind"]) for m in got},
                {(r["label"], r["event"]) for r in rows})
    if chart.kind == "targets":
        latest = {}
        for r in rows:
            if r["latest"] == "yes" and r["figure"] is not None:
                latest.setdefault(r["targetLabel"], round(100 * float(r["figure"]) / float(r["value"] or r["min"]), 1))
        return {(m["target"], number(m["% of the target reached"])) for m in got}, set(latest.items())
    raise AssertionError(f"no read-back for kind {chart.kind}")


@pytest.mark.parametrize("name", CHARTS)
def test_chart_svg_carries_the_values_of_its_canned_query(runner, kg, tmp_path, name):
    chart = next(c for c in list_charts() if c.name == name)
    out = tmp_path / "x.svg"
    result = runner.invoke(cli, ["chart", name, "-o", str(out)])
    assert result.exit_code == 0, result.output
    svg = out.read_bytes()
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    assert root.find(SVG + "title").text == chart.text("title", "en")
    rows = answer(kg, chart)
    assert rows, f"{chart.query} answers nothing: the chart would be empty"
    drawn, expected = drawn_and_expected(chart, svg, rows)
    assert drawn == expected
    assert expected, "a chart with no bar or point to read back"


def test_bars_of_the_city_comparison_are_as_long_as_their_values(kg):
    """Within one panel, bar widths are proportional to the figures (the chart does not just label them)."""
    svg = render_chart(kg, "city-comparison")
    root = ET.fromstring(svg)
    panels = []
    for group in root.iter(SVG + "g"):  # one panel's bars are the children of one group
        bars = []
        for el in group:
            if el.get("aria-roledescription") == "bar":
                fields = dict(p.split(": ", 1) for p in el.get("aria-label").split("; "))
                # A horizontal bar path starts "M0,y h WIDTH v ..." (Vega's rect path).
                width = float(re.match(r"M[-\d.]+,[-\d.]+h([-\d.]+)", el.get("d")).group(1))
                bars.append((number(fields["value"]), width))
        if len(bars) == 2:
            panels.append(bars)
    assert len(panels) >= 2  # software/hardware and emerging enterprises: both cities have figures
    for (v1, w1), (v2, w2) in panels:
        assert w1 / w2 == pytest.approx(v1 / v2, rel=0.02)


def test_every_ranking_in_the_statistics_has_a_chart(kg):
    """Every indicator on which a source ranks two or more places in one group and period."""
    result = policykg.run_query(kg, sparql="""
        SELECT DISTINCT ?indicator WHERE {
          ?o pk:indicator ?indicator ; pk:rank ?rank ; pk:comparisonGroup ?g ; sdmx-dimension:refArea ?city ;
             sdmx-dimension:refPeriod ?period .
          ?o2 pk:indicator ?indicator ; pk:rank ?rank2 ; pk:comparisonGroup ?g ; sdmx-dimension:refArea ?city2 ;
              sdmx-dimension:refPeriod ?period .
          FILTER(?city != ?city2)
        } ORDER BY ?indicator""")
    ranked = {row[0].value.rsplit("/", 1)[-1] for row in result.rows}
    charted = {c.params["indicator"].split(":", 1)[1] for c in list_charts() if c.kind == "ranking"}
    assert ranked and ranked <= charted


def test_png_is_a_png(runner, tmp_path):
    out = tmp_path / "x.png"
    result = runner.invoke(cli, ["chart", "policy-timeline", "--lang", "zh", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_html_is_a_standalone_page_without_script(runner, tmp_path):
    out = tmp_path / "x.html"
    result = runner.invoke(cli, ["chart", "digital-economy-index", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html and 'role="img"' in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html), "the page loads something from outside"
    assert "5,610.6 index points" in html  # the table of values, worded by policykg.wording


def test_every_svg_element_shown_as_a_picture_has_a_name(kg):
    # City comparison has a facet cell without rows, whose empty mark container Vega leaves nameless.
    root = ET.fromstring(render_chart(kg, "city-comparison"))
    pictures = [el for el in root.iter() if el.get("role") in ("img", "graphics-symbol", "graphics-document")]
    assert any(el.get("aria-roledescription") == "bar" for el in pictures)
    assert [el.attrib for el in pictures if not (el.get("aria-label") or el.get("aria-labelledby"))] == []
    assert any(el.get("aria-hidden") == "true" and "role-mark" in (el.get("class") or "") for el in root.iter())


def test_chinese_and_japanese_labels_are_text_in_the_svg(kg):
    for lang, city in (("ja", "北京"), ("zh", "北京市")):
        root = ET.fromstring(render_chart(kg, "city-comparison", lang=lang))
        texts = {t.text for t in root.iter(SVG + "text")}
        assert city in texts, lang
        fonts = {t.get("font-family") for t in root.iter(SVG + "text")}
        assert any("Noto Sans CJK" in (f or "") for f in fonts)


def test_parameters_pick_another_slice_of_the_graph(kg):
    svg = render_chart(kg, "ranking-digital-tech-total", params={"indicator": "ind:computer-software-hardware-enterprises"})
    places = {m["place"] for m in marks(svg)}
    assert "1. Shanghai" in places


def test_unknown_chart_is_a_clean_error(runner, tmp_path):
    result = runner.invoke(cli, ["chart", "no-such-chart", "-o", str(tmp_path / "x.svg")])
    assert result.exit_code == 1
    assert "no chart 'no-such-chart'" in result.output and "city-comparison" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize("args, message", [
    (["-p", "colour", "red"], "has no parameter 'colour'"),
    (["-p", "a", "javascript:alert(1) x"], "parameter"),
])
def test_bad_parameter_is_a_clean_error(runner, tmp_path, args, message):
    result = runner.invoke(cli, ["chart", "city-comparison", *args, "-o", str(tmp_path / "x.svg")])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_unknown_extension_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(cli, ["chart", "city-comparison", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert ".svg, .png, .html" in result.output


def test_charts_lists_every_chart(runner):
    result = runner.invoke(cli, ["charts"])
    assert result.exit_code == 0
    for chart in list_charts():
        assert chart.name in result.output and chart.text("title", "en") in result.output


HOSTILE = ['<script>window.__pwned=1</script>', '"><img src=x onerror=alert(1)>', "]]><svg onload=alert(1)>"]


def test_hostile_labels_stay_text():
    from policykg.charts.catalog import find_chart

    chart = find_chart("city-comparison")
    recs = [{"i": i, "indicator": label, "city": label, "value": 1.0 + i, "figure": "", "rank": 1, "period": "",
             "note": label, "at": 1.0, "span": 3.0} for i, label in enumerate(HOSTILE)]
    svg = clean_svg(to_svg(build_spec(chart, recs)), prefix="t", title=HOSTILE[0], description=HOSTILE[1], inline=True)
    root = ET.fromstring(svg)
    tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    assert not tags & {"script", "img", "foreignObject", "image"}
    assert not [a for el in root.iter() for a in el.attrib if a.lower().startswith("on")]
    texts = {t.text for t in root.iter(SVG + "text")} | {root.find(SVG + "title").text}
    for label in HOSTILE:
        assert label in texts


def test_clean_svg_drops_what_could_run_or_load():
    dirty = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">'
             '<script>alert(1)</script><foreignObject><p>x</p></foreignObject><image href="http://example.org/x.png"/>'
             '<clipPath id="c"><rect width="1" height="1"/></clipPath>'
             '<g clip-path="url(#c)"><path d="M0,0" fill="url(http://example.org/#x)"/></g>'
             '<a href="javascript:alert(1)"><text>x</text></a></svg>')
    root = ET.fromstring(clean_svg(dirty, prefix="p", title="t", description="d"))
    tags = [el.tag.rsplit("}", 1)[-1] for el in root.iter()]
    assert "script" not in tags and "foreignObject" not in tags and "image" not in tags and "a" not in tags
    assert root.get("onload") is None
    assert root.find(f"{SVG}clipPath").get("id") == "p-c"
    assert root.find(f"{SVG}g").get("clip-path") == "url(#p-c)"
    assert root.find(f"{SVG}g/{SVG}path").get("fill") is None


def test_drawing_fetches_nothing():
    """A spec that names a data URL is refused before any connection (the charts' data is always inline)."""
    listener = Listener()
    try:
        with pytest.raises(policykg.PolicyKGError):
            to_svg({"data": {"url": listener.url + "/data.json"}, "mark": "bar",
                    "encoding": {"x": {"field": "a", "type": "quantitative"}}})
    finally:
        listener.close()
    assert listener.connections == 0
