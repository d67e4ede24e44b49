"""The Starlette application: pages, entity URLs and the SPARQL endpoint."""

from __future__ import annotations

import contextlib
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import paths
from ..sparql.evaluation import DEFAULT_MEMORY_MB
from ..sparql.workers import StoreSource, WorkerPool
from . import pages
from .endpoint import sparql_endpoint


def create_app(data_dir: Path | None = None, *, query_timeout: float = 30.0, workers: int = 2,
               named_graphs: dict[str, Path] | None = None,
               memory_mb: int | None = DEFAULT_MEMORY_MB) -> Starlette:
    """The web app over the graph of ``data_dir`` (default: the shipped data), read-only.

    The store is loaded here (for the pages) and once more in each of
    ``workers`` query processes (for /sparql and the query pages), which are
    started now. ``named_graphs`` (graph IRI -> RDF file; ``policykg serve
    --named-graph``) adds graphs that /sparql may name as default-graph-uri,
    named-graph-uri or FROM; the graph itself lives in the default graph.
    """
    source = StoreSource(Path(data_dir) if data_dir else None,
                         tuple((iri, Path(p)) for iri, p in (named_graphs or {}).items()))
    kg = source.open()
    pool = WorkerPool(source, workers, memory_mb=memory_mb)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            pool.close()

    routes = [
        Route("/", pages.home),
        Route("/search", pages.search),
        Route("/queries", pages.query_list),
        Route("/queries/{name}", pages.canned_query),
        Route("/query", pages.adhoc_query),
        Route("/id/{slug}", pages.entity_by_slug),
        Route("/entity", pages.entity_by_iri),
        Route("/ontology", pages.ontology),
        Route("/network", pages.network),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"], name="sparql"),
        Mount("/assets", app=StaticFiles(directory=str(paths.STATIC)), name="assets"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.pool = pool
    app.state.query_timeout = query_timeout
    app.state.held_graphs = frozenset(g.value for g in kg.store.named_graphs())
    app.state.site = pages.Site(kg, pool, query_timeout)
    return app
