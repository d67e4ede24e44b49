"""Talking to a SPARQL 1.1 server: the Protocol for queries, the Graph Store
HTTP Protocol for replacing a graph.

Only used when the user names an endpoint; the embedded store never makes a
request. Any SPARQL 1.1 server works (Oxigraph, Fuseki, Virtuoso, GraphDB).
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import Iterable

import pyoxigraph as ox

from ..errors import EndpointError
from ..namespaces import sparql_prefixes
from .evaluation import Job
from .params import query_form
from .query import QueryResult

_ACCEPT = {
    "SELECT": "application/sparql-results+json",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "application/n-triples",
    "DESCRIBE": "application/n-triples",
}


def _open(request: urllib.request.Request, timeout: float) -> bytes:
    if urllib.parse.urlsplit(request.full_url).scheme not in ("http", "https"):
        raise EndpointError(f"{request.full_url}: only http and https endpoints are supported")
    # No proxies from the environment: the user named this endpoint, nothing else.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as e:
        body = e.read().decode("utf-8", "replace").strip()
        raise EndpointError(f"{request.full_url}: HTTP {e.code}: {body[:500]}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise EndpointError(f"{request.full_url}: {reason}") from None


def query_endpoint(url: str, job: Job, *, default_graph: str | None = None, timeout: float = 30.0) -> QueryResult:
    """POST the job's query (SPARQL 1.1 Protocol); the answer in the job's format.

    The server's answer (SPARQL results JSON, or N-Triples for a graph) is
    read by pyoxigraph's parsers and written again by the same writers the
    embedded store's results use, so both give the same bytes.
    """
    from .formats import write

    form = query_form(job.text) or "SELECT"
    text = (sparql_prefixes() if job.predeclare else "") + job.text
    fields = [("query", text)] + ([("default-graph-uri", default_graph)] if default_graph else [])
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": _ACCEPT[form]})
    body = _open(request, timeout)
    try:
        if form in ("CONSTRUCT", "DESCRIBE"):
            parsed = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            fmt = job.graph_format
        else:
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            fmt = job.select_format
    except (SyntaxError, ValueError) as e:
        raise EndpointError(f"{url}: the answer is not {_ACCEPT[form]}: {e}") from None
    form, data = write(parsed, fmt)
    return QueryResult(form, fmt, data)


def push(store_url: str, triples: Iterable[ox.Triple], *, graph: str | None = None,
         timeout: float = 120.0) -> int:
    """Replace a graph on a Graph Store Protocol endpoint (HTTP PUT); return triples sent.

    ``graph`` names the target graph; without it the server's default graph
    is replaced.
    """
    body = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES)
    target = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    sep = "&" if "?" in store_url else "?"
    request = urllib.request.Request(f"{store_url}{sep}{target}", data=body, method="PUT",
                                     headers={"Content-Type": "application/n-triples; charset=utf-8"})
    _open(request, timeout)
    return body.count(b"\n")
