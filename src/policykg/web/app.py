"""The Starlette application: pages, entity URLs, the SPARQL endpoint and the reconciliation service."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import paths
from ..sparql.evaluation import DEFAULT_MEMORY_MB
from ..sparql.workers import StoreSource, WorkerPool
from . import charts, followthrough, pages, reconcile, search
from .endpoint import HeldResults, sparql_endpoint
from .headers import SecurityHeaders
from .scheduling import Scheduler
from .warmup import Activity, Warmup, site_items

#: What a page on another origin may send (``serve --cors``): the SPARQL Protocol's methods and headers.
CORS_METHODS = ["GET", "HEAD", "POST", "OPTIONS"]
CORS_HEADERS = ["Accept", "Accept-Language", "Content-Type"]


def create_app(data_dir: Path | None = None, *, query_timeout: float = 30.0, send_timeout: float = 30.0,
               workers: int = 2,
               named_graphs: dict[str, Path] | None = None, memory_mb: int | None = DEFAULT_MEMORY_MB,
               allowed_hosts: list[str] | None = None, cors: list[str] | None = None,
               warmup: bool = False) -> Starlette:
    """The web app over the graph of ``data_dir`` (default: the shipped data), read-only.

    The store is loaded here (for the pages) and once more in each of
    ``workers`` query processes (for /sparql and the query pages), which are
    started now. ``named_graphs`` (graph IRI -> RDF file; ``policykg serve
    --named-graph``) adds graphs that /sparql may name as default-graph-uri,
    named-graph-uri or FROM; the graph itself lives in the default graph.
    ``allowed_hosts`` (``serve --allowed-hosts``) refuses requests whose Host
    header names another host, against DNS rebinding; None allows any.
    ``cors`` (``serve --cors``) lists the origins whose pages may read the
    answers of /sparql and /reconcile (``["*"]``: any), preflight included;
    None (the default) sends no CORS headers at all. ``warmup`` (on for
    ``policykg serve``) builds the pages' caches after start-up, between
    requests (:mod:`policykg.web.warmup`); off, each is built by its first
    visitor. ``POLICYKG_WARMUP=0`` turns it off too.
    """
    source = StoreSource(Path(data_dir) if data_dir else None,
                         tuple((iri, Path(p)) for iri, p in (named_graphs or {}).items()))
    # The workers load their stores while this process loads its own and builds the pages.
    pool = WorkerPool(source, workers, memory_mb=memory_mb, spares=2 if workers > 1 else 1, wait=False)
    try:
        kg = source.open()
    except BaseException:
        pool.close()
        raise

    warm = warmup and os.environ.get("POLICYKG_WARMUP", "1") != "0"
    warming = Warmup()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        # Caches are built after start-up, in the gaps between requests (see policykg.web.warmup).
        warming.items = site_items(app) if warm else []
        task = asyncio.ensure_future(warming.run())
        try:
            yield
        finally:
            task.cancel()
            pool.close()

    routes = [
        Route("/", pages.home),
        Route("/search", search.search_page),
        Route("/complete", search.complete),
        Route("/queries", pages.query_list),
        Route("/queries/{name}", pages.canned_query),
        Route("/charts", charts.chart_list),
        Route("/charts/{name}", charts.chart_page),
        Route("/targets", followthrough.targets_page),
        Route("/query", pages.adhoc_query),
        Route("/id/{slug}", pages.entity_by_slug),
        Route("/entity", pages.entity_by_iri),
        Route("/ontology", pages.ontology),
        Route("/network", pages.network),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"], name="sparql"),
        Route("/health", health),
        Route("/favicon.ico", favicon),
        *(Route(path, handler, methods=methods) for path, handler, methods in reconcile.ROUTES),
        Mount("/assets", app=StaticFiles(directory=str(paths.STATIC)), name="assets"),
    ]
    middleware = [Middleware(Activity, warmup=warming), Middleware(SecurityHeaders)]
    if cors:
        middleware.insert(0, Middleware(CORSMiddleware, allow_origins=list(cors), allow_methods=CORS_METHODS,
                                        allow_headers=CORS_HEADERS, max_age=600))
    if allowed_hosts is not None:
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware,
                    exception_handlers={HTTPException: http_error, 500: server_error})
    app.state.pool = pool
    app.state.warmup = warming
    app.state.scheduler = Scheduler(pool, workers)
    app.state.held_results = HeldResults()
    app.state.query_timeout = query_timeout
    app.state.send_timeout = send_timeout  # a client that reads nothing for this long is dropped
    app.state.held_graphs = frozenset(g.value for g in kg.store.named_graphs())
    try:
        app.state.site = pages.Site(kg, pool, query_timeout)
        pool.wait_ready()  # nothing is served before the workers are ready
    except BaseException:
        pool.close()
        raise
    return app


_HTTP_TITLES = {404: "Page not found", 405: "Method not allowed", 400: "Bad request"}


async def http_error(request, exc: HTTPException):
    """An HTTP error raised outside a page (an unknown path, a wrong method) as a styled page."""
    message = exc.detail if exc.status_code != 404 else f"There is no page at {request.url.path}."
    response = request.app.state.site.render("error.html", status=exc.status_code,
                                             title=_HTTP_TITLES.get(exc.status_code, "Error"), message=message)
    response.headers.update(exc.headers or {})
    return response


async def server_error(request, exc: Exception):
    """A fault in the server: a styled page that names no internals (the traceback goes to the log)."""
    return request.app.state.site.render("error.html", status=500, title="Something went wrong",
                                         message="The server could not build this page. The fault has been logged.")


async def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: answer with the SVG icon."""
    return FileResponse(paths.STATIC / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


async def health(request):
    """The worker pool's state: 200 while at least one worker serves, else 503."""
    state = request.app.state.pool.health()
    state["held_result_bytes"] = request.app.state.held_results.held
    state["warmup"] = request.app.state.warmup.report()
    state.update(request.app.state.scheduler.health())  # running, waiting, cancelled (client went away)
    return JSONResponse(state, status_code=200 if state["workers"] > 0 else 503)
