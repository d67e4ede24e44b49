"""What common SPARQL clients send gets the answer they expect: SPARQLWrapper over GET and POST in
every format, rdflib's SPARQLStore, HEAD, 406, the negotiated service description, and CORS."""

from __future__ import annotations

import json
import urllib.request
import warnings

import pyoxigraph as ox
import pytest
import rdflib

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from policykg.web import create_app

from support import start_server, stop_server

PKD = "https://w3id.org/policykg/id/"
SELECT = "SELECT ?s WHERE { ?s a <http://www.w3.org/ns/org#Organization> } ORDER BY ?s LIMIT 3"
CONSTRUCT = f"CONSTRUCT {{ <{PKD}baidu-netcom> ?p ?o }} WHERE {{ <{PKD}baidu-netcom> ?p ?o }}"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(workers=1, cors=["https://yasgui.example"])) as c:
        yield c


@pytest.fixture(scope="module")
def plain_client():
    with TestClient(create_app(workers=1)) as c:
        yield c


@pytest.fixture(scope="module")
def server():
    proc, base = start_server("--workers", "1", "--cors", "*")
    yield base + "/sparql"
    stop_server(proc)


SELECT_FORMATS = ["json", "xml", "csv", "tsv"]
GRAPH_FORMATS = ["xml", "rdfxml", "turtle", "n3", "json-ld"]


@pytest.mark.server
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", SELECT_FORMATS)
def test_sparqlwrapper_select_in_every_format(server, method, fmt):
    from SPARQLWrapper import SPARQLWrapper

    sw = SPARQLWrapper(server)
    sw.setMethod(method)
    sw.setQuery(SELECT)
    sw.setReturnFormat(fmt)
    result = sw.query()
    converted = result.convert()
    if fmt == "json":
        assert len(converted["results"]["bindings"]) == 3
    elif fmt == "xml":
        assert len(converted.getElementsByTagName("result")) == 3
    else:
        text = converted.decode("utf-8") if isinstance(converted, bytes) else converted
        assert len(text.strip().splitlines()) == 4


@pytest.mark.server
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_sparqlwrapper_construct_converts_to_a_graph(server, method, fmt):
    from SPARQLWrapper import SPARQLWrapper

    sw = SPARQLWrapper(server)
    sw.setMethod(method)
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat({"rdfxml": "xml"}.get(fmt, fmt))
    graph = sw.query().convert()
    if not isinstance(graph, rdflib.Graph):  # SPARQLWrapper hands Turtle, N3 and JSON-LD back as bytes
        graph = rdflib.Graph().parse(data=graph, format=fmt)
    assert len(graph) > 5
    assert (rdflib.URIRef(PKD + "baidu-netcom"), None, None) in graph


@pytest.mark.server
def test_rdflib_sparqlstore_reads_the_endpoint(server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(server))
    rows = list(graph.query(SELECT))
    assert len(rows) == 3
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    assert len(graph.query(CONSTRUCT).graph) > 5


@pytest.mark.server
def test_a_real_server_answers_cors_when_asked(server):
    request = urllib.request.Request(server + "?query=ASK%7B%7D", headers={"Origin": "https://elsewhere.example"})
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_sparqlwrapper_repeated_format_parameters_agree(client):
    r = client.get("/sparql", params=[("query", SELECT), ("format", "tsv"), ("format", "text/tab-separated-values"),
                                      ("output", "tsv"), ("results", "tsv")])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/tab-separated-values")


@pytest.mark.parametrize("value, media", [("n3", "text/turtle"), ("rdf", "application/rdf+xml"),
                                          ("xml", "application/rdf+xml"), ("json-ld", "application/ld+json"),
                                          ("application/rdf+xml", "application/rdf+xml"),
                                          ("text/turtle", "text/turtle")])
def test_format_names_of_clients_pick_the_graph_format(client, value, media):
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": value})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)


def test_construct_asking_for_rdf_xml_gets_rdf_xml(client):
    r = client.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": "application/rdf+xml"})
    assert r.headers["content-type"].startswith("application/rdf+xml")
    graph = rdflib.Graph().parse(data=r.content, format="xml")
    assert (rdflib.URIRef(PKD + "baidu-netcom"), None, None) in graph


def test_an_unknown_format_name_is_400(client):
    r = client.get("/sparql", params={"query": SELECT, "format": "png"})
    assert r.status_code == 400
    assert "unknown format" in r.text


def test_head_is_answered_like_get_without_a_body(client):
    r = client.head("/sparql", params={"query": SELECT})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert client.head("/sparql").status_code == 200


def test_an_unacceptable_media_type_is_406(client):
    assert client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/sparql", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize("accept, media, fmt", [
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
])
def test_the_service_description_is_negotiated(client, accept, media, fmt):
    r = client.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    triples = list(ox.parse(r.content, format=fmt))
    endpoints = [t.object.value for t in triples if t.predicate.value.endswith("#endpoint")]
    assert endpoints == ["http://testserver/sparql"]


def test_a_browser_gets_the_service_description_as_a_page(client):
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "http://testserver/sparql" in r.text and "application/rdf+xml" in r.text


def test_cors_is_off_by_default(plain_client):
    r = plain_client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert "access-control-allow-origin" not in r.headers
    assert plain_client.options("/sparql", headers={"Origin": "https://yasgui.example",
                                                     "Access-Control-Request-Method": "POST"}).status_code == 405


def test_cors_lets_the_named_origin_read_answers(client):
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert r.headers["access-control-allow-origin"] == "https://yasgui.example"
    other = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_cors_preflight_is_answered(client):
    r = client.options("/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "Content-Type, Accept"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "https://yasgui.example"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()


def test_json_select_still_is_the_default(client):
    r = client.get("/sparql", params={"query": SELECT})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert len(json.loads(r.content)["results"]["bindings"]) == 3
