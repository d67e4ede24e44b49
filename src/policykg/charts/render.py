"""Drawing a chart: the canned query's answer, a Vega-Lite spec (Altair), and SVG, PNG or HTML.

The pipeline is split so the web server can run the query in its worker pool
and the CLI through :func:`policykg.run_query`, and both draw the same:

1. :func:`chart_job` -- the canned query with the chart's parameters bound;
2. :func:`records` -- the answer as plain records, figures worded by
   :mod:`policykg.wording` (the spec's data is nothing but these records);
3. :func:`build_spec` -- the Vega-Lite spec, built with Altair;
4. :func:`to_svg` -- vl-convert's renderer, with every external URL refused,
   then :func:`clean_svg`, which keeps only drawing elements and attributes,
   so a label from the graph can only ever be text.

vl-convert embeds Vega and Vega-Lite and finds the system fonts itself; the
Noto CJK fonts (``fonts-noto-cjk``) are registered once more by path so that
Chinese and Japanese labels are set in them in PNG output.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree import ElementTree as ET

from ..errors import ParameterError, PolicyKGError
from ..wording import format_date, format_number, format_quantity, unit_words
from .catalog import Chart, find_chart

FORMATS = ("svg", "png", "html")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

#: Fonts named in every spec: Latin first, then the CJK face of the reader's language (Chinese text
#: set in the Japanese face has the wrong glyph shapes, and the other way round).
FONTS = {
    "en": "DejaVu Sans, Noto Sans CJK JP, Noto Sans CJK SC, sans-serif",
    "ja": "Noto Sans CJK JP, DejaVu Sans, sans-serif",
    "zh": "Noto Sans CJK SC, DejaVu Sans, sans-serif",
}
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/dejavu")

_WORDS = {
    "en": {"rank": "rank {}", "none": "no figure in the source", "city": "City", "indicator": "Indicator",
           "value": "Value", "figure": "Figure", "period": "Period", "policy": "Policy", "event": "Event",
           "date": "Date", "issued": "issued", "span": "period", "deadline": "deadline", "aims": "{} goals and targets", "aim": "1 goal",
           "rank_h": "Rank", "ranks_only": "The source gives ranks only: bars show the order, not a figure.", "year": "Year",
           "target": "Target", "latest": "Latest figure", "reached": "% of the target reached", "status_h": "Status",
           "none_yet": "no figure yet", "status": {}},
    "ja": {"rank": "{}位", "none": "出典に数値なし", "city": "都市", "indicator": "指標", "value": "数値", "figure": "数値",
           "period": "期間", "policy": "政策", "event": "事項", "date": "日付", "issued": "公布", "span": "期間",
           "deadline": "期限", "aims": "目標 {} 件", "aim": "目標 1 件", "rank_h": "順位", "ranks_only": "出典は順位のみ:棒の長さは順位を表し、数値ではない。", "year": "年",
           "target": "目標", "latest": "最新の実績", "reached": "目標の達成率(%)", "status_h": "状況", "none_yet": "実績なし",
           "status": {"met": "達成", "on track": "進行中", "behind": "遅れ", "no figure yet": "実績なし"}},
    "zh": {"rank": "第{}名", "none": "出处无数值", "city": "城市", "indicator": "指标", "value": "数值", "figure": "数值",
           "period": "时期", "policy": "政策", "event": "事项", "date": "日期", "issued": "发布", "span": "期限",
           "deadline": "期限", "aims": "目标 {} 项", "aim": "目标 1 项", "rank_h": "名次", "ranks_only": "出处只给出名次：条形长度表示名次，并非数值。", "year": "年份",
           "target": "目标", "latest": "最新数值", "reached": "目标完成度（%）", "status_h": "状态", "none_yet": "尚无数值",
           "status": {"met": "已达成", "on track": "进行中", "behind": "落后", "no figure yet": "尚无数值"}},
}


def words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["en"])


# ---------------------------------------------------------------- the query

def chart_params(chart: Chart, params: dict[str, str] | None = None) -> dict[str, str]:
    """The chart's default parameters with ``params`` over them; a name the query does not take is an error."""
    from ..sparql.canned import find_query

    declared = {p.name for p in find_query(chart.query).params} - {"lang"}
    values = dict(chart.params)
    for name, value in (params or {}).items():
        if name not in declared:
            raise ParameterError(f"chart {chart.name!r} has no parameter {name!r}; it takes: "
                                 + (", ".join(sorted(declared)) or "none"))
        values[name] = value
    return values


def chart_job(chart: Chart, params: dict[str, str] | None = None, lang: str = "en"):
    """The :class:`~policykg.sparql.evaluation.Job` for the chart's canned query (JSON results)."""
    from ..sparql.query import make_job

    return make_job(name=chart.query, params=chart_params(chart, params), lang=lang, format="json")


def _plain(term):
    if term is None:
        return None
    return term.value


def _number(text):
    if text is None:
        return None
    try:
        return float(Decimal(text))
    except (InvalidOperation, ValueError):
        return None


def rows_of(result) -> list[dict]:
    """A SELECT result as dicts of variable -> lexical value (IRIs as strings; None where unbound)."""
    return [{v: _plain(t) for v, t in zip(result.variables, row)} for row in result.rows]


def _label(row: dict, key: str, iri_key: str) -> str:
    label = row.get(key)
    if label:
        return label
    iri = row.get(iri_key) or ""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _figure(row: dict, lang: str) -> str:
    if row.get("value") is None:
        return ""
    return format_quantity(row["value"], row.get("unit"), row.get("comparator"), lang=lang)


def _year_start(text: str | None) -> str | None:
    """An ISO date for the start of an xsd:date, gYearMonth or gYear."""
    if not text:
        return None
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-01-01"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return f"{text}-01"
    return text[:10]


def _year_end(text: str | None) -> str | None:
    """A deadline or the end of a period: the last day of the year it names."""
    if text and re.fullmatch(r"\d{4}", text):
        return f"{text}-12-31"
    return _year_start(text)


def records(chart: Chart, rows: list[dict], lang: str = "en") -> list[dict]:
    """The records a chart draws, one per mark: labels, numbers, and figures in words."""
    w = words(lang)
    out = []
    if chart.kind == "pair":
        span: dict[str, float] = {}
        for row in rows:
            key, value = _label(row, "indicatorLabel", "indicator"), _number(row.get("value"))
            span[key] = max(span.get(key, 0.0), value or 0.0)
        for row in rows:
            value, rank = _number(row.get("value")), row.get("rank")
            parts = [_figure(row, lang) or w["none"]] + ([w["rank"].format(rank)] if rank else [])
            out.append({"i": len(out), "indicator": _label(row, "indicatorLabel", "indicator"),
                        "city": _label(row, "cityLabel", "city"),
                        "value": value, "figure": _figure(row, lang), "rank": int(rank) if rank else None,
                        "period": row.get("period") or "", "note": " · ".join(parts), "at": value or 0,
                        "span": span[_label(row, "indicatorLabel", "indicator")] or 1})
    elif chart.kind == "ranking":
        last = max((int(row["rank"]) for row in rows), default=0)
        for row in rows:
            value, rank = _number(row.get("value")), int(row["rank"])
            city = _label(row, "cityLabel", "city")
            out.append({"rank": rank, "city": city, "place": f"{rank}. {city}", "value": value,
                        "figure": _figure(row, lang), "note": _figure(row, lang) or w["none"], "at": value or 0,
                        "order": last + 1 - rank,
                        "period": row.get("period") or "", "group": row.get("groupLabel") or "",
                        "indicator": row.get("indicatorLabel") or ""})
    elif chart.kind == "series":
        for row in rows:
            out.append({"date": _year_start(row.get("period")), "period": format_date(row.get("period"), lang),
                        "value": _number(row.get("value")), "figure": _figure(row, lang),
                        "indicator": row.get("indicatorLabel") or "", "area": row.get("areaLabel") or "",
                        "unit": row.get("unit") or ""})
    elif chart.kind == "timeline":
        for row in rows:
            event = row["event"]
            start = _year_end(row["start"]) if event == "deadline" else _year_start(row["start"])
            end = _year_end(row.get("end")) if event == "period" else None
            if event == "period":
                when = f"{format_date(row['start'], lang)}–{format_date(row.get('end'), lang)}"
            elif event == "deadline":
                aims = w["aim"] if row.get("count") == "1" else w["aims"].format(format_number(row.get("count"), lang))
                when = f"{format_date(row['start'], lang)} ({aims})"
            else:
                when = format_date(row["start"], lang)
            out.append({"policy": _label(row, "label", "policy"), "event": event,
                        "kind": w["span" if event == "period" else event], "start": start, "end": end, "when": when})
    elif chart.kind == "targets":
        seen = set()
        for row in rows:
            # The latest figure of each target, or the target alone when nothing has been observed yet.
            if row["target"] in seen or (row.get("observation") and row.get("latest") != "yes"):
                continue
            seen.add(row["target"])
            goal = _number(row.get("value")) or _number(row.get("min"))
            figure = _number(row.get("figure"))
            aim = format_quantity(row.get("value"), row.get("unit"), row.get("comparator"), low=row.get("min"),
                                  high=row.get("max"), lang=lang)
            seen_words = format_quantity(row.get("figure"), row.get("unit"), row.get("figureComparator"), lang=lang) \
                if figure is not None else ""
            status = w.get("status", {}).get(row.get("status"), row.get("status") or "")
            reached = round(100 * figure / goal, 1) if figure is not None and goal else None
            latest = f"{seen_words} ({format_date(row.get('period'), lang)})" if seen_words else w["none_yet"]
            out.append({"target": _label(row, "targetLabel", "target"), "policy": _label(row, "policyLabel", "policy"),
                        "aim": aim, "deadline": row.get("deadline") or "", "latest": latest, "status": status,
                        "reached": reached, "at": min(reached or 0, 150),
                        "note": f"{status} · {latest}" if seen_words else status})
    else:
        raise PolicyKGError(f"chart {chart.name!r}: unknown kind {chart.kind!r}")
    return out


def table(chart: Chart, recs: list[dict], lang: str = "en") -> tuple[list[str], list[list[str]]]:
    """The values a chart shows, as a table (headers, rows) for readers who cannot see it."""
    w = words(lang)
    if chart.kind == "pair":
        return ([w["indicator"], w["city"], w["figure"], w["rank_h"], w["period"]],
                [[r["indicator"], r["city"], r["figure"] or w["none"], str(r["rank"] or ""), r["period"]] for r in recs])
    if chart.kind == "ranking":
        return ([w["rank_h"], w["city"], w["figure"], w["period"]],
                [[str(r["rank"]), r["city"], r["figure"] or w["none"], r["period"]] for r in recs])
    if chart.kind == "series":
        return [w["period"], w["figure"]], [[r["period"], r["figure"]] for r in recs]
    if chart.kind == "timeline":
        return [w["policy"], w["event"], w["date"]], [[r["policy"], r["kind"], r["when"]] for r in recs]
    return ([w["policy"], w["target"], w["deadline"], w["latest"], w["status_h"]],
            [[r["policy"], r["aim"] and f"{r['target']} ({r['aim']})" or r["target"], r["deadline"], r["latest"],
              r["status"]] for r in recs])


# ---------------------------------------------------------------- the spec

def _subtitle(chart: Chart, recs: list[dict], lang: str) -> list[str]:
    w = words(lang)
    if chart.kind == "ranking" and recs:
        first = recs[0]
        lines = [", ".join(x for x in (first["group"], format_date(first["period"], lang)) if x)]
        if all(r["value"] is None for r in recs):
            lines.append(w["ranks_only"])
        return [l for l in lines if l]
    if chart.kind == "series" and recs:
        return [", ".join(x for x in (recs[0]["indicator"], recs[0]["area"]) if x)]
    return []


def build_spec(chart: Chart, recs: list[dict], lang: str = "en") -> dict:
    """The Vega-Lite spec of ``chart`` over ``recs``: the records are its only data."""
    import altair as alt

    w = words(lang)
    data = alt.Data(values=recs)
    title = alt.TitleParams(chart.text("title", lang), subtitle=_subtitle(chart, recs, lang) or alt.Undefined,
                            anchor="start")
    if chart.kind == "pair":
        base = alt.Chart(data)
        # No axis: each panel has its own unit, and every bar is labelled with its figure in words.
        x = alt.X("value:Q", title=None, axis=None)
        bars = base.mark_bar().encode(
            y=alt.Y("city:N", title=None, sort=None), x=x, color=alt.Color("city:N", legend=None, sort=None),
            tooltip=[alt.Tooltip("city:N", title=w["city"]), alt.Tooltip("note:N", title=w["figure"])])
        notes = base.mark_text(align="left", dx=4, baseline="middle").encode(
            y=alt.Y("city:N", sort=None), x=alt.X("at:Q"), text="note:N")
        # An invisible mark at the panel's largest figure (1 where there is none) keeps a panel of ranks only
        # from centring its notes on an empty scale.
        extent = base.mark_tick(opacity=0, aria=False).encode(x=alt.X("span:Q"))
        spec = alt.layer(bars, notes, extent, data=data).properties(width=260, height=alt.Step(22)).facet(
            row=alt.Row("indicator:N", title=None, sort=alt.SortField("i"),
                        header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                                          labelFontWeight="bold", labelLimit=520)),
        ).resolve_scale(x="independent").properties(title=title)
    elif chart.kind == "ranking":
        ranks_only = all(r["value"] is None for r in recs)
        base = alt.Chart(data)
        y = alt.Y("place:N", title=None, sort=alt.EncodingSortField("rank", order="ascending"))
        tip = [alt.Tooltip("city:N", title=w["city"]), alt.Tooltip("note:N", title=w["figure"])]
        if ranks_only:
            # No figure to draw: the bars show the order alone (the subtitle says so), and no axis pretends
            # to a scale.
            bars = base.mark_bar(color="#9ecae9").encode(y=y, x=alt.X("order:Q", title=None, axis=None),
                                                         tooltip=tip)
            spec = bars.properties(width=320, height=alt.Step(20), title=title)
        else:
            bars = base.mark_bar().encode(y=y, x=alt.X("value:Q", title=w["figure"], axis=alt.Axis(format=",")),
                                          tooltip=tip)
            notes = base.mark_text(align="left", dx=4, baseline="middle").encode(y=y, x=alt.X("at:Q"),
                                                                                 text="note:N")
            spec = alt.layer(bars, notes, data=data).properties(width=320, height=alt.Step(20), title=title)
    elif chart.kind == "series":
        unit = unit_words(recs[0]["unit"], 2) if recs and recs[0]["unit"] else ""
        base = alt.Chart(data).encode(
            x=alt.X("date:T", title=w["year"], axis=alt.Axis(format="%Y", tickCount="year")),
            y=alt.Y("value:Q", title=unit or w["value"]),
            tooltip=[alt.Tooltip("period:N", title=w["period"]), alt.Tooltip("figure:N", title=w["figure"])])
        # Dashed: the line only joins the years the source gives, it is not a measured path.
        spec = alt.layer(base.mark_line(strokeDash=[5, 3]), base.mark_point(filled=True, size=60),
                         base.mark_text(dy=-10, baseline="bottom").encode(text="figure:N"),
                         data=data).properties(width=420, height=240, title=title)
    elif chart.kind == "timeline":
        base = alt.Chart(data)
        y = alt.Y("policy:N", title=None, sort=None, axis=alt.Axis(labelLimit=300))
        kinds = [w["span"], w["issued"], w["deadline"]]
        color = alt.Color("kind:N", title=None, scale=alt.Scale(domain=kinds, range=["#9ecae9", "#1f77b4", "#d62728"]),
                          legend=alt.Legend(orient="bottom"))
        tip = [alt.Tooltip("policy:N", title=w["policy"]), alt.Tooltip("when:N", title=w["date"])]
        spans = base.transform_filter(alt.datum.event == "period").mark_bar(size=10).encode(
            y=y, x=alt.X("start:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")), x2="end:T",
            color=color, tooltip=tip)
        dots = base.transform_filter(alt.datum.event != "period").mark_point(filled=True, size=90).encode(
            y=y, x="start:T", color=color,
            shape=alt.Shape("kind:N", title=None, scale=alt.Scale(domain=kinds, range=["square", "circle", "diamond"]),
                            legend=None),
            tooltip=tip)
        spec = alt.layer(spans, dots, data=data).properties(width=360, height=alt.Step(26), title=title)
    elif chart.kind == "targets":
        base = alt.Chart(data)
        y = alt.Y("target:N", title=None, sort=None, axis=alt.Axis(labelLimit=320))
        tip = [alt.Tooltip("target:N", title=w["target"]), alt.Tooltip("aim:N", title=w["target"]),
               alt.Tooltip("latest:N", title=w["latest"])]
        # Each target is its own 100 %: units differ from row to row, the share of the target does not.
        bars = base.mark_bar().encode(
            y=y, x=alt.X("reached:Q", title=w["reached"], scale=alt.Scale(domain=[0, 150], clamp=True, nice=False)),
            color=alt.Color("status:N", title=None, legend=alt.Legend(orient="bottom")), tooltip=tip)
        goal = alt.Chart(alt.Data(values=[{"x": 100}])).mark_rule(strokeDash=[4, 3], aria=False).encode(x="x:Q")
        notes = base.mark_text(align="left", dx=4, baseline="middle").encode(y=y, x=alt.X("at:Q"), text="note:N")
        spec = alt.layer(bars, goal, notes).properties(width=300, height=alt.Step(22), title=title)
    else:
        raise PolicyKGError(f"chart {chart.name!r}: unknown kind {chart.kind!r}")
    spec = (spec.configure(font=FONTS.get(lang, FONTS["en"]), background="white")
            .configure_view(stroke=None)
            .configure_axis(labelFontSize=12, titleFontSize=12)
            .configure_header(labelFontSize=13)
            .configure_legend(labelFontSize=12)
            .configure_text(fontSize=12)
            .configure_title(fontSize=16, subtitleFontSize=13))
    return spec.to_dict()


# ---------------------------------------------------------------- drawing

@functools.lru_cache(maxsize=1)
def _converter():
    import vl_convert as vlc

    for folder in FONT_DIRS:
        if Path(folder).is_dir():
            vlc.register_font_directory(folder)
    return vlc


def to_svg(spec: dict) -> str:
    """vl-convert's SVG of ``spec``; no data URL may be fetched (the data is inline)."""
    try:
        return _converter().vegalite_to_svg(spec, allowed_base_urls=[])
    except ValueError as e:  # vl-convert reports Vega errors as ValueError
        raise PolicyKGError(f"the chart could not be drawn: {str(e).splitlines()[0]}") from None


def to_png(svg: str, scale: float = 2.0) -> bytes:
    return _converter().svg_to_png(svg, scale=scale)


_ELEMENTS = {"svg", "g", "path", "rect", "line", "polyline", "polygon", "circle", "ellipse", "text", "tspan",
             "title", "desc", "defs", "clipPath", "linearGradient", "radialGradient", "stop"}
_URL = re.compile(r"url\(\s*['\"]?([^)'\"]*)['\"]?\s*\)")
#: Roles that make an element a picture of its own, which then needs a name (axe ``svg-img-alt``).
_IMAGE_ROLES = {"img", "graphics-symbol", "graphics-document"}


def clean_svg(svg: str, *, prefix: str, title: str, description: str, inline: bool = False) -> str:
    """``svg`` with only drawing elements and attributes, ids prefixed, and a title and description.

    Text from the graph stays text: the serializer escapes it, and no element
    or attribute that could load or run anything survives (no script,
    foreignObject, image, ``on*`` handler, or a URL that leaves the
    document). Ids get ``prefix`` so several charts fit on one page.
    ``inline`` makes it one picture for assistive technology (``role="img"``)
    that scales to its container.
    """
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg)

    def local(name: str) -> str:
        return name.rsplit("}", 1)[-1]

    def clean(el):
        for child in list(el):
            if not isinstance(child.tag, str) or local(child.tag) not in _ELEMENTS:
                el.remove(child)
                continue
            clean(child)
        # Vega names every data mark from its datum, but gives an empty mark container (a facet
        # cell without rows) a picture role and no name: it shows nothing, so it is hidden.
        if el.get("role") in _IMAGE_ROLES and not (el.get("aria-label") or "").strip() \
                and not el.get("aria-labelledby") and el is not root:
            del el.attrib["role"]
            el.attrib.pop("aria-roledescription", None)
            el.set("aria-hidden", "true")
        for name, value in list(el.attrib.items()):
            key = local(name).lower()
            refs = _URL.findall(value) + ([value] if key == "href" else [])
            if key.startswith("on") or key == "style" and "url(" in value or \
                    any(not r.strip().startswith("#") for r in refs):
                del el.attrib[name]
            elif key == "id":
                el.attrib[name] = f"{prefix}-{value}"
            elif refs:
                el.attrib[name] = _URL.sub(lambda m: f"url(#{prefix}-{m.group(1).strip().lstrip('#')})", value) \
                    if key != "href" else f"#{prefix}-{value.strip().lstrip('#')}"

    clean(root)
    t = ET.Element(f"{{{SVG_NS}}}title", id=f"{prefix}-title")
    t.text = title
    d = ET.Element(f"{{{SVG_NS}}}desc", id=f"{prefix}-desc")
    d.text = description
    root.insert(0, d)
    root.insert(0, t)
    root.set("aria-labelledby", f"{prefix}-title")
    root.set("aria-describedby", f"{prefix}-desc")
    if inline:
        root.set("role", "img")
        root.set("style", "max-width:100%;height:auto")
    return ET.tostring(root, encoding="unicode")


_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>body{font-family:{{ font }};margin:1.5rem;color:#1a1a1a}figure{margin:0}svg{max-width:100%;height:auto}
table{border-collapse:collapse;margin-top:1rem}th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
.muted{color:#555}</style>
</head>
<body>
<figure>
{{ svg }}
<figcaption>{{ description }}</figcaption>
</figure>
<table>
<caption class="muted">{{ source }}</caption>
<thead><tr>{% for h in headers %}<th scope="col">{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>
</body>
</html>
"""


@functools.lru_cache(maxsize=1)
def _page_template():
    from ..templating import environment

    return environment().from_string(_PAGE)


def standalone_html(chart: Chart, svg: str, recs: list[dict], lang: str = "en") -> str:
    """A page for a report: the SVG inline, its values as a table, no script and no outside request."""
    from markupsafe import Markup

    headers, rows = table(chart, recs, lang)
    title, description = chart.text("title", lang), chart.text("description", lang)
    # The SVG is our renderer's output after clean_svg: only drawing elements, every text escaped.
    inline = Markup(clean_svg(svg, prefix=chart.name, title=title, description=description, inline=True))
    return _page_template().render(lang=lang, title=title, description=description, svg=inline, headers=headers,
                                   rows=rows, font=FONTS.get(lang, FONTS["en"]),
                                   source=f"policykg canned query: {chart.query}")


# ---------------------------------------------------------------- the library's entry point

def draw(chart: Chart, result, lang: str = "en") -> tuple[str, list[dict]]:
    """The SVG of ``chart`` over a query result, and the records it drew."""
    recs = records(chart, rows_of(result), lang)
    return to_svg(build_spec(chart, recs, lang)), recs


def render_chart(kg, name: str, params: dict[str, str] | None = None, lang: str = "en",
                 format: str = "svg") -> bytes:
    """Chart ``name`` of ``kg`` as SVG, PNG or a standalone HTML page (bytes).

    ``params`` override the chart's default parameters (the names its canned
    query declares); ``lang`` is the language of titles and labels.
    """
    from ..sparql.query import run_query

    if format not in FORMATS:
        raise PolicyKGError(f"unknown chart format {format!r}; choose one of {', '.join(FORMATS)}")
    if lang not in _WORDS:
        raise ParameterError(f"{lang!r} is not one of {', '.join(_WORDS)}")
    chart = find_chart(name)
    result = run_query(kg, name=chart.query, params=chart_params(chart, params), lang=lang, format="json")
    svg, recs = draw(chart, result, lang)
    title, description = chart.text("title", lang), chart.text("description", lang)
    if format == "png":
        return to_png(svg)
    if format == "html":
        return standalone_html(chart, svg, recs, lang).encode("utf-8")
    text = clean_svg(svg, prefix=chart.name, title=title, description=description)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")
