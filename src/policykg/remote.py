"""Talking to a SPARQL 1.1 server: the Protocol for queries, the Graph Store
HTTP Protocol for replacing a graph.

Only used when the user names an endpoint; the embedded store never makes a
request. Any SPARQL 1.1 server works (Oxigraph, Fuseki, Virtuoso, GraphDB).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Iterable

import pyoxigraph as ox

from .errors import PolicyKGError
from .query import PreparedQuery, QueryResult, substitute_text
from .namespaces import sparql_prefixes

_ACCEPT = {
    "SELECT": "application/sparql-results+json",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "application/n-triples",
    "DESCRIBE": "application/n-triples",
}


class EndpointError(PolicyKGError):
    """The endpoint could not be reached or answered with an error."""


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


def _term(b: dict):
    kind = b["type"]
    if kind == "uri":
        return ox.NamedNode(b["value"])
    if kind == "bnode":
        return ox.BlankNode(b["value"])
    if "xml:lang" in b:
        return ox.Literal(b["value"], language=b["xml:lang"])
    if "datatype" in b:
        return ox.Literal(b["value"], datatype=ox.NamedNode(b["datatype"]))
    return ox.Literal(b["value"])


def query_endpoint(url: str, query: PreparedQuery, *, default_graph: str | None = None,
                   timeout: float = 30.0) -> QueryResult:
    """POST the query (SPARQL 1.1 Protocol) and parse the answer into a QueryResult."""
    text = sparql_prefixes() + substitute_text(query)
    fields = [("query", text)] + ([("default-graph-uri", default_graph)] if default_graph else [])
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                 "Accept": _ACCEPT.get(query.form, _ACCEPT["SELECT"])})
    body = _open(request, timeout)
    if query.form in ("CONSTRUCT", "DESCRIBE"):
        try:
            triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as e:
            raise EndpointError(f"{url}: answer is not N-Triples: {e}") from None
        return QueryResult(form="GRAPH", triples=triples)
    try:
        data = json.loads(body)
    except ValueError:
        raise EndpointError(f"{url}: answer is not SPARQL results JSON") from None
    if "boolean" in data:
        return QueryResult(form="ASK", boolean=bool(data["boolean"]))
    names = data["head"]["vars"]
    rows = [tuple(_term(b[n]) if n in b else None for n in names) for b in data["results"]["bindings"]]
    return QueryResult(form="SELECT", variables=names, rows=rows)


def push(store_url: str, triples: Iterable[ox.Triple], *, graph: str | None = None,
         timeout: float = 120.0) -> int:
    """Replace a graph on a Graph Store Protocol endpoint (HTTP PUT); return triples sent.

    ``graph`` names the target graph; without it the server's default graph
    is replaced.
    """
    from .serialize import ntriples

    body = ntriples(triples).encode("utf-8")
    target = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    sep = "&" if "?" in store_url else "?"
    request = urllib.request.Request(f"{store_url}{sep}{target}", data=body, method="PUT",
                                     headers={"Content-Type": "application/n-triples; charset=utf-8"})
    _open(request, timeout)
    return body.count(b"\n")
