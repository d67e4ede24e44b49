"""The HTML pages: home, search, canned and ad-hoc queries, entities, ontology, network.

Every value from the graph reaches HTML through Jinja2 autoescaping (no
``|safe`` on data anywhere); links to entities are built from the IRI by
:func:`entity_path` (URL-encoded), so a ``javascript:`` IRI can never become
an ``href`` of its own.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import threading
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..errors import PolicyKGError
from ..namespaces import PK, PKD, PREFIXES, shorten
from ..rdf.labels import LANG_ORDER as LANGS
from ..rdf.labels import exists
from ..sparql.evaluation import SERVER_RESULT_BYTES, Job
from ..sparql.formats import MEDIA_TYPES, content_type
from ..wording import format_date, format_number, format_quantity
from .endpoint import error_status, parse_accept
from .entities import describe, entity_path, entity_triples, mark_cjk, text_lang
from .scheduling import client_of


def make_environment():
    """The shared template environment, with what every page uses."""
    from ..templating import environment

    env = environment().overlay()
    env.globals["entity_path"] = entity_path
    env.globals["text_lang"] = text_lang  # lang="ja"/"zh" for CJK text without a language tag
    env.filters["cjk"] = mark_cjk  # CJK words inside English notes get their own lang
    env.globals["langs"] = LANGS
    return env


class Site:
    """What the pages need: the store, a label index, stats, networks (built once)."""

    def __init__(self, kg, pool, query_timeout: float):
        self.kg = kg
        self.store = kg.store
        self.pool = pool
        self.query_timeout = query_timeout
        self.labels = kg.labels
        self.env = make_environment()
        self._lock = threading.Lock()
        self._networks: dict[str, object] = {}
        self._building: dict[str, threading.Lock] = {}
        self._stats = None

    def render(self, name: str, status: int = 200, **context) -> HTMLResponse:
        html = self.env.get_template(name).render(status=status, **context)
        return HTMLResponse(html, status_code=status)

    def stats(self):
        with self._lock:
            if self._stats is None:
                from ..rdf.stats import compute
                self._stats = compute(self.kg)
            return self._stats

    def network(self, lang: str):
        from ..network.projection import build_network

        # One lock per language: a second caller waits for the build under way, other languages do not.
        with self._lock:
            if lang in self._networks:
                return self._networks[lang]
            building = self._building.setdefault(lang, threading.Lock())
        with building:
            with self._lock:
                if lang in self._networks:
                    return self._networks[lang]
            net = build_network(self.kg, lang=lang)
            with self._lock:
                self._networks[lang] = net
            return net

    # ---- results as table rows

    def cell(self, term, lang: str) -> dict:
        if term is None:
            return {"kind": "empty", "label": ""}
        if isinstance(term, ox.NamedNode):
            iri = term.value
            known = exists(self.store, term)
            return {"kind": "iri", "label": self.labels.best(iri, lang) if known else shorten(iri),
                    "short": shorten(iri), "href": entity_path(iri) if known else None}
        if isinstance(term, ox.BlankNode):
            return {"kind": "bnode", "label": "_:" + term.value}
        dt = "" if term.language else term.datatype.value
        label = term.value
        if dt in _NUMERIC:
            label = format_number(term.value)
        elif dt in _DATES:
            label = format_date(term.value)
        # ``exact`` keeps the literal as the graph has it, for the cell's title (exports keep it too).
        return {"kind": "literal", "label": label, "exact": term.value if label != term.value else "",
                "lang": term.language or "", "datatype": shorten(dt) if dt and not dt.endswith("#string") else ""}

    def word_quantities(self, variables: list[str], terms, cells: list[dict]) -> None:
        """Word a row's ``value`` columns with their unit and comparator ("at least 300 billion yuan").

        A column ``value`` (or ``xValue``) takes ``unit``, ``comparator``,
        ``min`` and ``max`` (or ``xUnit``...) from the same row; a range with
        no value is worded in the value cell ("5–10 enterprises").
        """
        column = {v: i for i, v in enumerate(variables)}

        def term(name):
            i = column.get(name)
            return terms[i] if i is not None else None

        for v, i in column.items():
            if v != "value" and not (v.endswith("Value") and len(v) > 5):
                continue
            prefix = v[:-5]
            name = (lambda s: prefix + s.capitalize()) if prefix else (lambda s: s)
            value, unit, cmp = terms[i], term(name("unit")), term(name("comparator"))
            low, high = term(name("min")), term(name("max"))
            if value is None and low is None and high is None:
                continue
            if any(t is not None and not isinstance(t, ox.Literal) for t in (value, low, high)):
                continue
            text = format_quantity(value.value if value is not None else None,
                                   unit.value if isinstance(unit, ox.NamedNode) else None,
                                   cmp.value if isinstance(cmp, ox.NamedNode) else None,
                                   low=low.value if low is not None and value is None else None,
                                   high=high.value if high is not None and value is None else None)
            exact = value.value if value is not None else "–".join(t.value for t in (low, high) if t is not None)
            cells[i] = {"kind": "literal", "label": text, "exact": exact, "lang": "", "datatype": ""}

    def row_facts(self, variables: list[str], rows, facts: tuple, lang: str) -> list[list[dict]]:
        """For each row, the facts it states: node link, sentence, evidence phrases grouped by source.

        ``facts`` is the query's ``# fact:`` header (see :mod:`policykg.sparql.canned`); empty, the
        first IRI column whose node has ``pk:evidence`` holds the fact. Read with the store's pattern
        API, once per node, for one page of rows only.
        """
        from ..rdf.facts import evidence_of, fact_sentence, has_evidence

        column = {v: i for i, v in enumerate(variables)}
        groups = [[column[v] for v in group if v in column] for group in facts]
        groups = [g for g in groups if g]
        if not facts:
            for i in range(len(variables)):
                first = next((row[i] for row in rows if isinstance(row[i], ox.NamedNode)), None)
                if first is not None and has_evidence(self.store, first):
                    groups = [[i]]
                    break
        seen: dict[str, dict] = {}

        def fact(iri: str) -> dict:
            if iri not in seen:
                by_source: dict[str, dict] = {}
                for e in evidence_of(self.store, self.labels, iri, lang):
                    key = e["source"]["iri"] if e["source"] else ""
                    by_source.setdefault(key, {"source": e["source"], "phrases": []})["phrases"].append(e)
                seen[iri] = {"iri": iri, "href": entity_path(iri), "label": self.labels.best(iri, lang),
                             "sentence": fact_sentence(self.store, self.labels, iri, lang),
                             "sources": list(by_source.values())}
            return seen[iri]

        out = []
        for row in rows:
            found = []
            for group in groups:
                node = next((row[i] for i in group if isinstance(row[i], ox.NamedNode)), None)
                if node is not None and exists(self.store, node):
                    found.append(fact(node.value))
            out.append(found)
        return out

    async def answer(self, request: Request, job: Job, canned=None, bound: dict | None = None) -> tuple:
        """``(form, format, data)`` of ``job``: from the index for a canned query one answers
        (:mod:`policykg.sparql.indexed`; ``bound``: its parameter values), else from a query worker."""
        from ..sparql import indexed

        if canned is not None and indexed.answers(canned):
            return await run_in_threadpool(indexed.run_indexed, self.kg, canned, bound, format=job.select_format,
                                           page=job.page, sort=job.sort, max_bytes=job.max_bytes)
        return await request.app.state.scheduler.run(job, self.query_timeout, client_of(request), request=request)

    async def run_page(self, request: Request, job: Job, lang: str, facts: tuple | None = None, canned=None,
                       bound: dict | None = None) -> dict:
        """One page of ``job``'s result for the results template (or raise PolicyKGError).

        The worker sends only the page (:data:`PAGE_ROWS` rows, from ``?page=``)
        and a bounded count, so a result of any size costs one page of HTML.
        With ``facts`` (a canned query's ``# fact:`` header, possibly empty),
        each row also gets the facts it states with their evidence (:meth:`row_facts`).
        ``canned`` and ``bound``: the canned query and its values, when it is one (see :meth:`answer`).
        """
        import pickle

        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            page = 1
        sort_by = request.query_params.get("sort") or None
        descending = request.query_params.get("dir") == "desc"
        job = dataclasses.replace(job, page=((page - 1) * PAGE_ROWS, PAGE_ROWS),
                                  sort=(sort_by, descending) if sort_by else None)
        form, fmt, data = await self.answer(request, job, canned, bound)
        if form == "ASK":
            return {"form": form, "boolean": json.loads(data)["boolean"]}
        got = pickle.loads(data)  # from our own worker
        rows = [[self.cell(t, lang) for t in row] for row in got["rows"]]
        row_facts = None
        if form == "SELECT":
            for terms, cells in zip(got["rows"], rows):
                self.word_quantities(got["variables"], terms, cells)
            if facts is not None:
                row_facts = await run_in_threadpool(self.row_facts, got["variables"], got["rows"], facts, lang)
        first = (page - 1) * PAGE_ROWS
        pages = _pager(request, page, got["total"], got["complete"], len(rows))
        # A header sorts by its column; on the column already sorted ascending it sorts descending.
        sorted_by = sort_by if sort_by in got["variables"] else None
        sorting = {v: {"href": _results_link(request, page=1, sort=v,
                                             dir="desc" if v == sorted_by and not descending else "asc"),
                       "state": ("descending" if descending else "ascending") if v == sorted_by else None}
                   for v in got["variables"]}
        variables = got["variables"]
        # A canned query's ``xLabel`` column repeats what the cell of its ``x`` column already shows (the
        # label, linked); the page shows it once, and the downloads keep both.
        hidden = {v for v in variables if facts is not None and v.endswith("Label") and v[:-5] in variables}
        columns = [(i, v) for i, v in enumerate(variables) if v not in hidden]
        return {"form": form, "variables": variables, "columns": columns, "rows": rows,
                "first": first + 1 if rows else 0,
                "last": first + len(rows), "total": got["total"], "complete": got["complete"], "pages": pages,
                "sorting": sorting, "facts": row_facts}


#: Rows on one page of results.
PAGE_ROWS = 200
_XSD = PREFIXES["xsd"]
#: Literals shown as people write numbers ("300 billion"); the cell's title keeps the exact form.
_NUMERIC = {_XSD + t for t in ("integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger",
                                "positiveInteger")}
_DATES = {_XSD + "date", _XSD + "gYearMonth"}


def _results_link(request: Request, **changes) -> str:
    """This page's address with ``changes`` to its parameters; always the whole page, never the fragment."""
    params = {k: v for k, v in request.query_params.items() if k != "fragment"}
    params.update({k: str(v) for k, v in changes.items()})
    return request.url.path + "?" + urlencode(params)


def _pager(request: Request, page: int, total: int, complete: bool, shown: int) -> dict:
    """Previous and next page links, and numbered links to the pages around this one."""
    first = (page - 1) * PAGE_ROWS
    known_pages = max(1, -(-total // PAGE_ROWS))
    pages: dict = {"current": page, "count": known_pages, "complete": complete, "numbers": []}
    if page > 1:
        pages["previous"] = _results_link(request, page=page - 1)
    if total > first + shown:
        pages["next"] = _results_link(request, page=page + 1)
    if known_pages > 1:
        near = {1, known_pages} | set(range(max(1, page - 2), min(known_pages, page + 2) + 1))
        pages["numbers"] = [{"number": n, "href": _results_link(request, page=n), "current": n == page}
                            for n in sorted(near)]
    return pages


def _with_param(request: Request, name: str, value: int) -> str:
    params = dict(request.query_params)
    params[name] = str(value)
    return request.url.path + "?" + urlencode(params)


def _site(request: Request) -> Site:
    return request.app.state.site


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "en")
    return lang if lang in LANGS else "en"


async def home(request: Request):
    site = _site(request)
    lang = _lang(request)
    stats = await run_in_threadpool(site.stats)
    from ..sparql.canned import canned_queries
    from .overview import overview

    charts = None
    if any(getattr(route, "path", "") == "/charts" for route in request.app.routes):
        from ..charts.catalog import list_charts

        charts = [{"name": c.name, "title": c.text("title", lang), "href": f"/charts/{c.name}"} for c in list_charts()]
    about = await run_in_threadpool(functools.partial(
        overview, site.store, site.labels, lang, query_names={q.name for q in canned_queries()},
        chart_names={c["name"] for c in charts} if charts is not None else None))
    return site.render("home.html", lang=lang, stats=stats, about=about, charts=charts)


async def query_list(request: Request):
    from ..sparql.canned import canned_queries

    site = _site(request)
    return site.render("queries.html", queries=canned_queries(), lang=_lang(request))


#: ``format=`` on a canned query's page: a download of the whole result as the endpoint writes it, in
#: that SELECT/ASK format, or in the graph format beside it for a CONSTRUCT query.
DOWNLOADS = {"csv": "nt", "tsv": "nt", "json": "jsonld", "xml": "rdfxml"}
DOWNLOAD_SUFFIXES = {"json": "srj", "xml": "srx", "nt": "nt", "jsonld": "jsonld", "rdfxml": "rdf"}


async def canned_query(request: Request):
    from ..errors import AmbiguousNameError
    from ..rdf.facts import member_counts
    from ..sparql.canned import find_query, resolve_params
    from ..sparql.query import make_job

    site = _site(request)
    name = request.path_params["name"]
    try:
        canned = find_query(name)
    except PolicyKGError as e:
        return site.render("error.html", status=404, title="No such query", message=str(e))
    lang = _lang(request)
    given = request.query_params
    download = given.get("format")
    if download is not None and download not in DOWNLOADS:
        return site.render("error.html", status=400, title="Unknown format",
                           message=f"format={download}: choose one of {', '.join(DOWNLOADS)}")
    values = {p.name: given.get(p.name, p.example or "") for p in canned.params}
    kept = {k: v for k, v in given.items() if k in values}  # the parameters given, not the page or sort
    if "lang" in values and "lang" not in given:
        values["lang"] = lang
    result, error, status, candidates, resolved, counts = None, None, 200, [], {}, []
    if all(values.values()):
        try:
            # Names ("Beijing", "北京") become IRIs here, in the web process, from the label index.
            bound = await run_in_threadpool(resolve_params, site.kg, canned, values, lang=lang)
            resolved = {p.name: {"iri": bound[p.name], "label": site.labels.best(bound[p.name], lang),
                                 "short": shorten(bound[p.name]), "href": entity_path(bound[p.name])}
                        for p in canned.params if p.type == "IRI" and bound.get(p.name)}
            job = dataclasses.replace(make_job(name=name, params=bound, lang=lang), max_bytes=SERVER_RESULT_BYTES)
            if download is not None:
                job = dataclasses.replace(job, select_format=download, graph_format=DOWNLOADS[download])
                form, fmt, data = await site.answer(request, job, canned, bound)
                return Response(data, media_type=content_type(MEDIA_TYPES[fmt]), headers={
                    "Content-Disposition": f'attachment; filename="{name}.{DOWNLOAD_SUFFIXES.get(fmt, fmt)}"'})
            result = await site.run_page(request, job, lang, facts=canned.facts, canned=canned, bound=bound)
            counts = [c for c in (member_counts(site.store, site.labels, r["iri"], lang) for r in resolved.values())
                      if c]
        except AmbiguousNameError as e:
            error, status = str(e).split("\n", 1)[0], error_status(e)
            candidates = [{**c, "href": "/queries/" + name + "?" + urlencode({**kept, e.param: c["iri"]})}
                          for c in e.candidates]
        except PolicyKGError as e:
            error, status = str(e), error_status(e)
    links, editor = {}, None
    if result is not None:
        links = {fmt: f"/queries/{name}?" + urlencode({**kept, "format": fmt}) for fmt in ("csv", "json")}
        editor = "/query?" + urlencode({"query": job.text})
    return site.render("query_canned.html", status=status, query=canned, values=values, lang=lang,
                       result=result, error=error, links=links, editor=editor, candidates=candidates,
                       resolved=resolved,
                       counts=counts, expects={p.name: site.labels.best(p.expects, lang)
                                               for p in canned.params if p.expects})


async def adhoc_query(request: Request):
    site = _site(request)
    lang = _lang(request)
    text = request.query_params.get("query", "")
    result, error, status, links = None, None, 200, {}
    if text.strip():
        from ..sparql.safety import precheck

        try:
            precheck(text)
            job = Job(text=text, allowed_graphs=request.app.state.held_graphs,
                      base_iri=str(request.url_for("sparql")), max_bytes=SERVER_RESULT_BYTES)
            result = await site.run_page(request, job, lang)
            fmts = ("turtle", "nt") if result["form"] == "GRAPH" else ("csv", "json", "tsv")
            links = {fmt: "/sparql?" + urlencode({"query": text, "format": fmt}) for fmt in fmts}
        except PolicyKGError as e:
            error, status = str(e), error_status(e)
    if request.query_params.get("fragment") == "1":
        # The editor's script asks for the results alone and puts them in the page it already shows.
        return site.render("results.html", status=status, lang=lang, result=result, error=error, links=links)
    from ..sparql.canned import canned_queries

    examples = []
    for canned in canned_queries():
        try:
            bound = canned.bind({p.name: p.example for p in canned.params if p.example}, lang=lang)
        except PolicyKGError:
            continue  # a parameter without an example: the query's own page asks for it
        examples.append({"name": canned.name, "title": canned.title, "text": bound})
    example = ("SELECT ?org ?label WHERE {\n  ?org a org:Organization ; rdfs:label ?label .\n"
               "  FILTER(LANG(?label) = \"en\")\n} ORDER BY ?label LIMIT 20")
    # The examples picker works without a script too: ?example=NAME loads that query's text, unrun.
    chosen = request.query_params.get("example", "")
    example = next((e["text"] for e in examples if e["name"] == chosen), example)
    return site.render("query_adhoc.html", status=status, text=text or example, lang=lang, result=result,
                       error=error, links=links, prefixes=sorted(PREFIXES.items()), examples=examples,
                       chosen=chosen, editor_data={"prefixes": PREFIXES, "examples": examples})


def _rdf_response(site: Site, iri: str, fmt: str) -> Response:
    node = ox.NamedNode(iri)
    formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
    prefixes = {p: ns for p, ns in PREFIXES.items() if ns.endswith(("/", "#"))}
    kwargs = {"prefixes": prefixes} if fmt == "turtle" else {}
    data = ox.serialize(entity_triples(site.store, node), format=formats[fmt], **kwargs) or b""
    media = MEDIA_TYPES[fmt]
    return Response(data, media_type=content_type(media),
                    headers={"Vary": "Accept"})


_ENTITY_TYPES = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "nt",
                 "application/ld+json": "jsonld", "text/html": "html", "application/xhtml+xml": "html",
                 "*/*": "html", "text/*": "html"}


def entity_format(accept: str | None) -> str:
    """html, turtle, nt or jsonld: the first acceptable media range wins; HTML by default."""
    for media, _ in parse_accept(accept):
        if media in _ENTITY_TYPES:
            return _ENTITY_TYPES[media]
    return "html"


async def _entity(request: Request, iri: str):
    site = _site(request)
    lang = _lang(request)
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return site.render("error.html", status=400, title="Not an IRI", message=f"{iri!r} is not a valid IRI")
    if not exists(site.store, node):
        return site.render("error.html", status=404, title="Not in the graph",
                           message=f"{shorten(iri)} is not in the graph")
    fmt = request.query_params.get("format")
    if fmt not in ("turtle", "nt", "jsonld"):
        fmt = entity_format(request.headers.get("accept"))
    if fmt != "html":
        return await run_in_threadpool(_rdf_response, site, iri, fmt)
    pages = {}
    for name in ("in_page", "out_page"):
        try:
            pages[name] = max(1, int(request.query_params.get(name, "1")))
        except ValueError:
            pages[name] = 1
    data = await run_in_threadpool(functools.partial(describe, site.store, site.labels, iri, lang, **pages))
    in_network = False
    try:
        in_network = iri in (await run_in_threadpool(site.network, lang)).graph
    except PolicyKGError:
        pass
    network_src = "/network?" + urlencode({"focus": iri, "depth": 1, "lang": lang}) if in_network else None
    rdf_links = {fmt: entity_path(iri) + ("&" if "?" in entity_path(iri) else "?") + "format=" + fmt
                 for fmt in ("turtle", "nt", "jsonld")}
    link_pages = {side: {k: _with_param(request, param, n) for k, n in
                         (("previous", data[side]["page"] - 1), ("next", data[side]["page"] + 1))
                         if 1 <= n <= data[side]["pages"]}
                  for side, param in (("incoming", "in_page"), ("outgoing", "out_page"))}
    follow = {}
    if data["kind"] in ("policy", "program"):
        from .followthrough import policy_followthrough

        try:
            follow = await policy_followthrough(request, iri, lang)
        except PolicyKGError:  # lineage and targets are extras: the page stands without them
            follow = {}
    response = site.render("entity.html", lang=lang, e=data, network_src=network_src, rdf_links=rdf_links,
                           link_pages=link_pages, follow=follow)
    response.headers["Vary"] = "Accept"
    return response


async def entity_by_slug(request: Request):
    return await _entity(request, PKD + request.path_params["slug"])


async def entity_by_iri(request: Request):
    iri = request.query_params.get("iri", "")
    if not iri:
        return _site(request).render("error.html", status=400, title="No IRI", message="give ?iri=")
    return await _entity(request, iri)


def _ontology_terms(site: Site) -> tuple[list[dict], list[dict]]:
    store = site.store
    g = ox.DefaultGraph()
    owl, rdf = PREFIXES["owl"], PREFIXES["rdf"]
    kinds = {owl + "Class": "class", PREFIXES["rdfs"] + "Class": "class",
             owl + "ObjectProperty": "object property", owl + "DatatypeProperty": "datatype property",
             owl + "AnnotationProperty": "annotation property", rdf + "Property": "property"}
    found: dict[str, str] = {}
    for t, kind in kinds.items():
        for q in store.quads_for_pattern(None, ox.NamedNode(rdf + "type"), ox.NamedNode(t), g):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(PK):
                found.setdefault(q.subject.value, kind)
    rows = []
    for iri, kind in found.items():
        labels = {l: t for t, l, p in site.labels.labels.get(iri, []) if p.endswith("label")}
        definition = next((q.object.value for q in store.quads_for_pattern(
            ox.NamedNode(iri), ox.NamedNode(PREFIXES["skos"] + "definition"), None, g)), "")
        rows.append({"iri": iri, "short": shorten(iri), "href": entity_path(iri), "kind": kind,
                     "en": labels.get("en", ""), "ja": labels.get("ja", ""), "definition": definition})
    rows.sort(key=lambda r: r["short"].casefold())
    return [r for r in rows if r["kind"] == "class"], [r for r in rows if r["kind"] != "class"]


async def ontology(request: Request):
    site = _site(request)
    classes, properties = await run_in_threadpool(_ontology_terms, site)
    return site.render("ontology.html", classes=classes, properties=properties, lang=_lang(request))


async def network(request: Request):
    from ..network.projection import neighbourhood
    from ..network.view import render_network_html

    site = _site(request)
    lang = _lang(request)
    focus = request.query_params.get("focus") or None
    try:
        depth = max(1, min(3, int(request.query_params.get("depth", "1"))))
    except ValueError:
        depth = 1

    def build() -> str:
        net = site.network(lang)
        title = "policykg network"
        if focus:
            net = neighbourhood(net, focus, depth)
            title = f"{site.labels.best(focus, lang)}: neighbourhood"
        return render_network_html(net, title=title, lang=lang, focus=focus)

    try:
        html = await run_in_threadpool(build)
    except PolicyKGError as e:
        return site.render("error.html", status=404, title="Not in the network", message=str(e))
    return HTMLResponse(html)


