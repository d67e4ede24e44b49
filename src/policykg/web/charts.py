"""The chart pages: /charts (every chart, inline) and /charts/{name} (one chart, its form and downloads).

A chart's canned query runs in the server's worker pool like any query page;
the drawing (Altair and vl-convert) runs in a thread. The SVG is inlined in
the page, so the page needs no script. It has passed
:func:`~policykg.charts.render.clean_svg`, which keeps drawing elements only,
so a label from the graph is text in the SVG whatever it holds. The graph
never changes while the server runs, so each drawing is kept per chart,
parameters and language (a bounded cache on the :class:`~.pages.Site`),
and a drawing under way is shared: a visitor who asks for a chart that the
warm-up (:mod:`.warmup`) or another visitor is drawing waits for that
drawing. /charts asks for all its charts at once, so their queries run in
the workers while earlier answers are drawn.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import threading
import weakref
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..charts import render
from ..charts.catalog import Chart, find_chart, list_charts
from ..errors import PolicyKGError
from ..rdf.labels import LANG_ORDER as LANGS
from ..sparql.evaluation import SERVER_RESULT_BYTES
from .endpoint import error_status
from .scheduling import client_of

#: Drawings kept per site: (chart, parameters, language) -> (svg, records).
CACHE_SIZE = 256


class ChartCache:
    """Drawings by key, least recently used dropped first; ``hits`` and ``misses`` count look-ups."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self.hits = self.misses = 0
        self._lock = threading.Lock()
        self._drawn: collections.OrderedDict = collections.OrderedDict()
        # Drawings under way (on the event loop): a second request for the same key waits for the first.
        self.pending: dict = {}

    def get(self, key):
        with self._lock:
            if key in self._drawn:
                self._drawn.move_to_end(key)
                self.hits += 1
                return self._drawn[key]
            return None

    def put(self, key, value) -> None:
        with self._lock:
            self.misses += 1
            self._drawn[key] = value
            self._drawn.move_to_end(key)
            while len(self._drawn) > self.size:
                self._drawn.popitem(last=False)

    def __len__(self) -> int:
        return len(self._drawn)


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cache(site) -> ChartCache:
    cache = _CACHES.get(site)
    if cache is None:
        cache = _CACHES.setdefault(site, ChartCache())
    return cache


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "en")
    return lang if lang in LANGS else "en"


def _given(request: Request, chart: Chart) -> dict[str, str]:
    """The parameters the request sets (empty fields fall back to the chart's defaults)."""
    return {k: v for k, v in request.query_params.items() if k not in ("lang", "page") and v.strip()}


async def draw(request: Request, chart: Chart, given: dict[str, str], lang: str) -> tuple[str, list[dict]]:
    """The chart's SVG (as the renderer wrote it) and its records, from the cache or freshly drawn."""
    return await drawing(request.app, chart, given, lang, client_of(request))


async def drawing(app, chart: Chart, given: dict[str, str], lang: str, client: str) -> tuple[str, list[dict]]:
    """:func:`draw` for ``client`` (the warm-up's too): one drawing per key, however many ask at once."""
    site = app.state.site
    params = render.chart_params(chart, given)
    key = (chart.name, tuple(sorted(params.items())), lang)
    cache = _cache(site)
    drawn = cache.get(key)
    if drawn is not None:
        return drawn
    task = cache.pending.get(key)
    if task is None:
        task = cache.pending[key] = asyncio.ensure_future(_draw_and_keep(app, site, cache, key, chart, params,
                                                                         lang, client))
        # A caller that gives up does not stop the drawing: the others, and the cache, still want it.
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
    return await asyncio.shield(task)


async def _draw_and_keep(app, site, cache: ChartCache, key, chart: Chart, params: dict[str, str], lang: str,
                         client: str):
    try:
        drawn = await _draw(app, site, chart, params, lang, client)
        cache.put(key, drawn)
        return drawn
    finally:
        cache.pending.pop(key, None)


async def _draw(app, site, chart: Chart, params: dict[str, str], lang: str, client: str):
    from ..sparql.query import QueryResult

    job = dataclasses.replace(render.chart_job(chart, params, lang), max_bytes=SERVER_RESULT_BYTES)
    form, fmt, data = await app.state.scheduler.run(job, site.query_timeout, client)
    return await run_in_threadpool(render.draw, chart, QueryResult(form, fmt, data), lang)


def _inline(chart: Chart, svg: str, lang: str) -> Markup:
    # Markup only for clean_svg's output: drawing elements alone, every text node escaped by the serializer.
    return Markup(render.clean_svg(svg, prefix=f"chart-{chart.name}", title=chart.text("title", lang),
                                   description=chart.text("description", lang), inline=True))


def _links(chart: Chart, params: dict[str, str], lang: str) -> dict[str, str]:
    query = urlencode({**params, "lang": lang})
    return {"query": f"/queries/{chart.query}?{query}", "svg": f"/charts/{chart.name}.svg?{query}",
            "png": f"/charts/{chart.name}.png?{query}", "page": f"/charts/{chart.name}?{query}"}


def _view(chart: Chart, svg: str, recs: list[dict], params: dict[str, str], lang: str) -> dict:
    headers, rows = render.table(chart, recs, lang)
    return {"chart": chart, "name": chart.name, "title": chart.text("title", lang),
            "description": chart.text("description", lang), "svg": _inline(chart, svg, lang),
            "headers": headers, "rows": rows, "links": _links(chart, params, lang)}


async def chart_list(request: Request):
    site = request.app.state.site
    lang = _lang(request)
    views, errors = [], []
    every = list_charts()
    # Asked at once: the queries share the workers while earlier answers are drawn.
    drawn = await asyncio.gather(*(draw(request, chart, {}, lang) for chart in every), return_exceptions=True)
    for chart, got in zip(every, drawn):
        if isinstance(got, PolicyKGError):
            errors.append({"name": chart.name, "title": chart.text("title", lang), "message": str(got)})
            continue
        if isinstance(got, BaseException):
            raise got
        svg, recs = got
        views.append(_view(chart, svg, recs, render.chart_params(chart), lang))
    return site.render("charts.html", lang=lang, charts=views, errors=errors)


async def chart_page(request: Request):
    site = request.app.state.site
    name = request.path_params["name"]
    download = None
    for ext in ("svg", "png"):
        if name.endswith("." + ext):
            name, download = name[: -len(ext) - 1], ext
    lang = _lang(request)
    try:
        chart = find_chart(name)
    except PolicyKGError as e:
        return site.render("error.html", status=404, title="No such chart", message=str(e))
    given = _given(request, chart)
    try:
        params = render.chart_params(chart, given)
        svg, recs = await draw(request, chart, given, lang)
    except PolicyKGError as e:
        if download:
            return Response(str(e), status_code=error_status(e), media_type="text/plain; charset=utf-8")
        return site.render("chart.html", status=error_status(e), lang=lang, chart=chart,
                           title=chart.text("title", lang), description=chart.text("description", lang),
                           form=_form(chart, given, lang), error=str(e), view=None)
    title, description = chart.text("title", lang), chart.text("description", lang)
    if download == "svg":
        text = render.clean_svg(svg, prefix=chart.name, title=title, description=description)
        return Response(text, media_type="image/svg+xml; charset=utf-8")
    if download == "png":
        return Response(await run_in_threadpool(render.to_png, svg), media_type="image/png")
    return site.render("chart.html", lang=lang, chart=chart, title=title, description=description,
                       form=_form(chart, params, lang), error=None, view=_view(chart, svg, recs, params, lang))


def _form(chart: Chart, values: dict[str, str], lang: str) -> list[dict]:
    """The fields of the chart's form: every parameter of its query but the language."""
    from ..sparql.canned import find_query

    fields = []
    for p in find_query(chart.query).params:
        if p.name == "lang":
            continue
        default = chart.params.get(p.name) or p.example or ""
        fields.append({"name": p.name, "type": p.type, "value": values.get(p.name, default), "default": default})
    return fields
