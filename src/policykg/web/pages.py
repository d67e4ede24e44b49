"""The HTML pages: home, search, canned and ad-hoc queries, entities, ontology, network.

Every value from the graph reaches HTML through Jinja2 autoescaping (no
``|safe`` on data anywhere); links to entities are built from the IRI by
:func:`entity_path` (URL-encoded), so a ``javascript:`` IRI can never become
an ``href`` of its own.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..errors import PolicyKGError
from ..namespaces import PK, PKD, PREFIXES, shorten
from ..rdf.labels import LANG_ORDER as LANGS
from ..rdf.labels import exists, normalise
from ..sparql.evaluation import SERVER_RESULT_BYTES, Job
from ..sparql.formats import MEDIA_TYPES, content_type
from .endpoint import error_status, parse_accept
from .entities import describe, entity_path, entity_triples
from .scheduling import client_of


def make_environment():
    """The shared template environment, with what every page uses."""
    from ..templating import environment

    env = environment().overlay()
    env.globals["entity_path"] = entity_path
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
        self._stats = None

    def render(self, name: str, status: int = 200, **context) -> HTMLResponse:
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status)

    def stats(self):
        with self._lock:
            if self._stats is None:
                from ..rdf.stats import compute
                self._stats = compute(self.kg)
            return self._stats

    def network(self, lang: str):
        from ..network.projection import build_network

        with self._lock:
            if lang not in self._networks:
                self._networks[lang] = build_network(self.kg, lang=lang)
            return self._networks[lang]

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
        return {"kind": "literal", "label": term.value, "lang": term.language or "",
                "datatype": shorten(dt) if dt and not dt.endswith("#string") else ""}

    async def run_page(self, request: Request, job: Job, lang: str) -> dict:
        """One page of ``job``'s result for the results template (or raise PolicyKGError).

        The worker sends only the page (:data:`PAGE_ROWS` rows, from ``?page=``)
        and a bounded count, so a result of any size costs one page of HTML.
        """
        import pickle

        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            page = 1
        job = dataclasses.replace(job, page=((page - 1) * PAGE_ROWS, PAGE_ROWS))
        form, fmt, data = await request.app.state.scheduler.run(job, self.query_timeout, client_of(request))
        if form == "ASK":
            return {"form": form, "boolean": json.loads(data)["boolean"]}
        got = pickle.loads(data)  # from our own worker
        rows = [[self.cell(t, lang) for t in row] for row in got["rows"]]
        first = (page - 1) * PAGE_ROWS
        pages = {}
        if page > 1:
            pages["previous"] = _with_page(request, page - 1)
        if got["total"] > first + len(rows):
            pages["next"] = _with_page(request, page + 1)
        return {"form": form, "variables": got["variables"], "rows": rows, "first": first + 1 if rows else 0,
                "last": first + len(rows), "total": got["total"], "complete": got["complete"], "pages": pages}


#: Rows on one page of results.
PAGE_ROWS = 200


def _with_page(request: Request, page: int) -> str:
    params = dict(request.query_params)
    params["page"] = str(page)
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
    return site.render("home.html", lang=lang, stats=stats, class_count=len(stats.classes),
                       network_src="/network?" + urlencode({"lang": lang}))


async def search(request: Request):
    site = _site(request)
    lang = _lang(request)
    q = request.query_params.get("q", "").strip()
    hits = site.labels.search(q) if q else []
    exact = [h for h in hits if normalise(h[1]) == normalise(q)]
    if len({h[0] for h in exact}) == 1 and request.query_params.get("list") != "1":
        return RedirectResponse(entity_path(exact[0][0]), status_code=303)
    results = [{"iri": iri, "href": entity_path(iri), "label": site.labels.best(iri, lang), "matched": label,
                "matched_lang": mlang, "short": shorten(iri)} for iri, label, mlang in hits]
    return site.render("search.html", lang=lang, q=q, results=results)


async def query_list(request: Request):
    from ..sparql.canned import canned_queries

    site = _site(request)
    return site.render("queries.html", queries=canned_queries(), lang=_lang(request))


async def canned_query(request: Request):
    from ..sparql.canned import find_query
    from ..sparql.query import make_job

    site = _site(request)
    name = request.path_params["name"]
    try:
        canned = find_query(name)
    except PolicyKGError as e:
        return site.render("error.html", status=404, title="No such query", message=str(e))
    lang = _lang(request)
    given = request.query_params
    values = {p.name: given.get(p.name, p.example or "") for p in canned.params}
    if "lang" in values and "lang" not in given:
        values["lang"] = lang
    result, error, status = None, None, 200
    if all(values.values()):
        try:
            job = dataclasses.replace(make_job(name=name, params=values, lang=lang), max_bytes=SERVER_RESULT_BYTES)
            result = await site.run_page(request, job, lang)
        except PolicyKGError as e:
            error, status = str(e), error_status(e)
    links = {}
    if result is not None:
        links = {fmt: "/sparql?" + urlencode({"query": job.text, "format": fmt}) for fmt in ("csv", "json")}
    return site.render("query_canned.html", status=status, query=canned, values=values, lang=lang,
                       result=result, error=error, links=links)


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
            fmts = ("turtle", "nt") if result["form"] == "GRAPH" else ("csv", "json")
            links = {fmt: "/sparql?" + urlencode({"query": text, "format": fmt}) for fmt in fmts}
        except PolicyKGError as e:
            error, status = str(e), error_status(e)
    example = ("SELECT ?org ?label WHERE {\n  ?org a org:Organization ; rdfs:label ?label .\n"
               "  FILTER(LANG(?label) = \"en\")\n} ORDER BY ?label LIMIT 20")
    return site.render("query_adhoc.html", status=status, text=text or example, lang=lang, result=result,
                       error=error, links=links, prefixes=sorted(PREFIXES.items()))


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
    data = await run_in_threadpool(describe, site.store, site.labels, iri, lang)
    in_network = False
    try:
        in_network = iri in (await run_in_threadpool(site.network, lang)).graph
    except PolicyKGError:
        pass
    network_src = "/network?" + urlencode({"focus": iri, "depth": 1, "lang": lang}) if in_network else None
    rdf_links = {fmt: entity_path(iri) + ("&" if "?" in entity_path(iri) else "?") + "format=" + fmt
                 for fmt in ("turtle", "nt", "jsonld")}
    response = site.render("entity.html", lang=lang, e=data, network_src=network_src, rdf_links=rdf_links)
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


