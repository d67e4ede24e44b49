"""The web app in-process (Starlette's TestClient): pages, entity URLs, /sparql statuses, escaping."""

from __future__ import annotations

import json
import os
import signal
import time
import warnings
from urllib.parse import quote

import pyoxigraph as ox
import pytest

with warnings.catch_warnings():  # starlette's note about httpx2 is not ours to act on
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from policykg.sparql.canned import canned_queries
from policykg.web import create_app
from policykg.web.endpoint import MAX_BODY_BYTES, parse_accept

from support import write_hostile

PKD = "https://w3id.org/policykg/id/"
BAIDU = PKD + "baidu-netcom"

HOSTILE_IRIS = [PKD + "hostile-org", PKD + "hostile-source", PKD + "hostile-program", PKD + "hostile-evidence",
                "javascript:window.__pwned=1", PKD + "x'onmouseover='window.__pwned=1"]
# What must never appear in a page: each would be live markup or a live URL.
LIVE = ["<script>window", "<img src=x", "<svg onload", "href=\"javascript:", "href='javascript:",
        "onmouseover='window", "\"><img src=x"]


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(query_timeout=1.0, workers=2)) as c:
        yield c


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = write_hostile(tmp_path_factory.mktemp("hostile"))
    with TestClient(create_app(root, query_timeout=5.0, workers=1)) as c:
        yield c


def html_ok(r, status=200):
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert r.text.startswith("<!DOCTYPE html>")
    return r.text


# ------------------------------------------------------------------ pages

def test_home_has_counts_search_and_network(client):
    # The network is a link now, not a frame drawn too small to read (tests/web/test_pages.py pins the rest).
    html = html_ok(client.get("/"))
    assert 'href="/network?lang=en"' in html and "<iframe" not in html
    assert 'action="/search"' in html
    assert "triples" in html and "evidence phrases" in html and "policies" in html
    assert "http://" not in html.replace("http://www.w3.org", "").split("<footer")[0].split("<body")[1]


def test_pages_load_no_external_assets(client):
    for url in ("/", "/queries", "/query", "/ontology", "/id/baidu-netcom"):
        html = html_ok(client.get(url))
        assert "cdn" not in html.lower()
        assert 'src="http' not in html and 'href="http' not in html.replace('href="http://127', "")


def test_network_route_renders_the_viz(client):
    r = client.get("/network?lang=ja")
    html_ok(r)
    r = client.get("/network?" + "focus=" + quote(BAIDU, safe="") + "&depth=1")
    assert r.status_code == 200
    assert "baidu-netcom" in r.text


@pytest.mark.parametrize("text", ["百度", "Baidu", "バイドゥ", "ＢＡＩＤＵ"])
def test_search_lists_baidu_first_in_any_language(client, text):
    html = html_ok(client.get("/search", params={"q": text}, follow_redirects=False))
    first = html.index('href="/id/')
    assert html.startswith('href="/id/baidu-netcom"', first)


def test_search_lists_partial_matches(client):
    html = html_ok(client.get("/search", params={"q": "baidu", "list": "1"}))
    assert 'href="/id/baidu-netcom"' in html


def test_query_list_and_every_canned_query_page(client):
    html = html_ok(client.get("/queries"))
    for q in canned_queries():
        assert f'href="/queries/{q.name}"' in html
        page = html_ok(client.get(f"/queries/{q.name}"))
        for p in q.params:
            assert f'name="{p.name}"' in page
            if p.example:
                assert f'value="{p.example}"' in page
        assert 'class="error"' not in page, q.name


def test_canned_query_results_link_entities(client):
    html = html_ok(client.get("/queries/members-by-role"))
    assert 'id="results"' in html
    assert 'href="/id/baidu-netcom"' in html
    ja = html_ok(client.get("/queries/members-by-role", params={"lang": "ja"}))
    assert "バイドゥ" in ja or "Baidu.com Technology" in ja
    assert '<option value="ja" selected>' in ja


def test_canned_query_bad_parameter_is_400(client):
    r = client.get("/queries/members-by-role", params={"program": "not an iri"})
    html_ok(r, 400)
    assert client.get("/queries/no-such-query").status_code == 404


def test_adhoc_query_page(client):
    html = html_ok(client.get("/query"))
    assert "<textarea" in html
    q = "SELECT ?o WHERE { pkd:baidu-netcom pk:basedIn ?o } ORDER BY ?o"
    html = html_ok(client.get("/query", params={"query": q}))
    assert 'id="results"' in html and 'href="/id/beijing"' in html
    assert "/sparql?query=" in html and "format=csv" in html and "format=json" in html
    bad = client.get("/query", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert bad.status_code == 400 and "SERVICE" in bad.text


def test_adhoc_download_links_work(client):
    q = "SELECT ?o WHERE { pkd:baidu-netcom pk:basedIn ?o } ORDER BY ?o"
    r = client.get("/sparql", params={"query": q, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines() == ["o", PKD + "beijing"]


def test_entity_page_shows_labels_types_links_evidence(client):
    html = html_ok(client.get("/id/baidu-netcom"))
    for text in ("北京百度网讯科技有限公司", "Beijing Baidu Netcom Science and Technology Co., Ltd.", "百度", "バイドゥ"):
        assert text in html
    assert 'id="incoming"' in html and "/id/membership-bj-gai-partnership-baidu-netcom" in html
    assert 'id="evidence"' in html and "Baidu.com Technology Co., Ltd." in html
    assert 'href="/id/beijing"' in html
    assert 'src="/network?focus=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fid%2Fbaidu-netcom&amp;depth=1' in html


def test_entity_pages_for_vocabulary_and_ontology_terms(client):
    for iri in ("https://w3id.org/policykg/ontology#PartnerProgram",
                "https://w3id.org/policykg/vocab/partner-role/model",
                "http://www.w3.org/ns/org#Organization"):
        html = html_ok(client.get("/entity", params={"iri": iri}))
        assert iri in html
    html = html_ok(client.get("/entity", params={"iri": "https://w3id.org/policykg/ontology#PartnerProgram"}))
    assert "パートナープログラム" in html and "partner program" in html


def test_unknown_entities_are_404(client):
    html_ok(client.get("/id/no-such-thing"), 404)
    html_ok(client.get("/entity", params={"iri": "https://example.org/nothing"}), 404)
    assert client.get("/entity", params={"iri": "not an iri"}).status_code == 400


@pytest.mark.parametrize("accept,media", [
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
    ("text/turtle;q=0.5, text/html", "text/html"),
    (None, "text/html"),
])
def test_entity_content_negotiation(client, accept, media):
    headers = {"accept": accept} if accept else {}
    r = client.get("/id/baidu-netcom", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert "Accept" in r.headers.get("vary", "")
    if media == "text/html":
        return
    fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
           "application/ld+json": ox.RdfFormat.JSON_LD}[media]
    triples = {q.triple for q in ox.parse(r.content, format=fmt)}
    baidu = ox.NamedNode(BAIDU)
    assert any(t.subject == baidu for t in triples)  # outgoing
    assert any(t.object == baidu and t.subject != baidu for t in triples)  # incoming
    assert all(baidu in (t.subject, t.object) for t in triples)


def test_entity_by_iri_conneg(client):
    r = client.get("/entity", params={"iri": "https://w3id.org/policykg/vocab/partner-role/model"},
                   headers={"accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    assert ox.parse(r.content, format=ox.RdfFormat.TURTLE)


def test_ontology_page(client):
    html = html_ok(client.get("/ontology"))
    assert "pk:PartnerProgram" in html and "パートナープログラム" in html
    assert "pk:evidence" in html and "根拠" in html
    assert "An evidence phrase that pins this fact in a source." in html


# ------------------------------------------------------------------ /sparql

SELECT = "SELECT ?o WHERE { pkd:baidu-netcom pk:basedIn ?o }"


@pytest.mark.parametrize("accept,media", [
    (None, "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html, */*;q=0.1", "application/sparql-results+json"),
])
def test_sparql_select_formats(client, accept, media):
    headers = {"accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": SELECT}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert PKD + "beijing" in r.text


@pytest.mark.parametrize("accept,media,fmt", [
    (None, "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_sparql_construct_formats(client, accept, media, fmt):
    headers = {"accept": accept} if accept else {}
    q = "CONSTRUCT { pkd:baidu-netcom pk:basedIn ?o } WHERE { pkd:baidu-netcom pk:basedIn ?o }"
    r = client.get("/sparql", params={"query": q}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    triples = [q.triple for q in ox.parse(r.content, format=fmt)]
    assert triples == [ox.Triple(ox.NamedNode(BAIDU), ox.NamedNode("https://w3id.org/policykg/ontology#basedIn"),
                                 ox.NamedNode(PKD + "beijing"))]


def test_sparql_ask_and_describe(client):
    r = client.get("/sparql", params={"query": "ASK { pkd:baidu-netcom a org:Organization }"})
    assert r.json() == {"head": {}, "boolean": True}
    r = client.get("/sparql", params={"query": "DESCRIBE pkd:baidu-netcom"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")


def test_sparql_post_form_and_direct(client):
    r = client.post("/sparql", content="query=" + quote(SELECT),
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and r.json()["results"]["bindings"][0]["o"]["value"] == PKD + "beijing"
    r = client.post("/sparql", content=SELECT.encode(), headers={"content-type": "application/sparql-query"})
    assert r.status_code == 200 and r.json()["results"]["bindings"][0]["o"]["value"] == PKD + "beijing"


def test_sparql_malformed_query_is_400_with_position(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
    assert r.status_code == 400
    assert "line 1, column" in r.text


@pytest.mark.parametrize("kwargs", [
    {"content": "update=" + quote("INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
     "headers": {"content-type": "application/x-www-form-urlencoded"}},
    {"content": b"DELETE WHERE { ?s ?p ?o }", "headers": {"content-type": "application/sparql-update"}},
    {"content": "query=" + quote("CLEAR ALL"), "headers": {"content-type": "application/x-www-form-urlencoded"}},
    {"content": b"LOAD <http://127.0.0.1:9/x.ttl>", "headers": {"content-type": "application/sparql-query"}},
])
def test_sparql_updates_are_403(client, kwargs):
    r = client.post("/sparql", **kwargs)
    assert r.status_code == 403, r.text
    assert "read-only" in r.text
    assert client.get("/sparql", params={"query": "ASK { pkd:baidu-netcom ?p ?o }"}).json()["boolean"] is True


def test_sparql_update_via_get_is_refused(client):
    assert client.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 403


@pytest.mark.parametrize("params", [
    {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
    {"query": "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
    {"query": "SELECT * FROM <http://127.0.0.1:9/g.ttl> WHERE { ?s ?p ?o }"},
    {"query": "SELECT * FROM NAMED <http://127.0.0.1:9/g.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }"},
    {"query": "ASK {}", "default-graph-uri": "http://127.0.0.1:9/g.ttl"},
    {"query": "ASK {}", "named-graph-uri": "http://127.0.0.1:9/g.ttl"},
])
def test_sparql_remote_graphs_and_service_are_400(client, params):
    r = client.get("/sparql", params=params)
    assert r.status_code == 400, r.text


def test_sparql_timeout_is_503_and_worker_replaced(client):
    pool = client.app.state.pool
    before, replaced = set(pool.pids()), pool.replaced
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    start = time.monotonic()
    r = client.get("/sparql", params={"query": slow})
    assert r.status_code == 503 and "timed out" in r.text
    assert time.monotonic() - start < 5
    r = client.get("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    # The worker that ran the slow query was killed, and a new one took its place.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(pool.pids()) < len(before):
        time.sleep(0.1)
    after = set(pool.pids())
    assert pool.replaced == replaced + 1
    assert len(after) == len(before) and len(before - after) == 1 and len(after - before) == 1


def test_a_dead_worker_is_replaced(client):
    pool = client.app.state.pool
    before = pool.pids()
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    # Distinct queries: an answer the server has cached would not need a worker.
    statuses = [client.get("/sparql", params={"query": f"ASK {{ BIND({i} AS ?x) }}"}).status_code
                for i in range(len(before))]
    assert set(statuses) <= {500, 503}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(pool.pids()) < len(before):
        time.sleep(0.1)
    assert set(pool.pids()).isdisjoint(before)
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_sparql_body_over_limit_is_413(client):
    body = b"query=" + b"%20" * (MAX_BODY_BYTES // 3 + 10)
    r = client.post("/sparql", content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


def test_sparql_size_and_nesting_limits_are_400(client):
    r = client.post("/sparql", content=("ASK {" + " " * 200_000 + "}").encode(),
                    headers={"content-type": "application/sparql-query"})
    assert r.status_code == 400 and "too large" in r.text
    r = client.post("/sparql", content=("SELECT * WHERE " + "{" * 5000 + "}" * 5000).encode(),
                    headers={"content-type": "application/sparql-query"})
    assert r.status_code == 400 and "nested too deeply" in r.text
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_sparql_protocol_errors(client):
    assert client.put("/sparql", content=b"ASK {}").status_code == 405
    assert client.post("/sparql", content=b"ASK {}", headers={"content-type": "text/plain"}).status_code == 415
    assert client.post("/sparql", content=b"ASK {}").status_code in (400, 415)
    r = client.post("/sparql", content="ASK {}".encode("utf-16"),
                    headers={"content-type": "application/sparql-query; charset=UTF-16"})
    assert r.status_code == 415
    assert client.get("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D").status_code == 400
    assert client.get("/sparql", params={"query": "ASK {}", "format": "pdf"}).status_code == 400


def test_sparql_service_description(client):
    r = client.get("/sparql", headers={"accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    triples = {q.triple for q in ox.parse(r.content, format=ox.RdfFormat.TURTLE)}
    service = next(t.subject for t in triples if t.object == ox.NamedNode(sd + "Service"))
    props = {(t.predicate.value, t.object) for t in triples if t.subject == service}
    assert (sd + "endpoint", ox.NamedNode("http://testserver/sparql")) in props
    assert (sd + "supportedLanguage", ox.NamedNode(sd + "SPARQL11Query")) in props
    formats = {o.value for p, o in props if p == sd + "resultFormat"}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats and len(formats) >= 4


def test_sparql_standard_prefixes_are_predeclared(client):
    r = client.get("/sparql", params={"query": "SELECT ?l WHERE { pkd:baidu-netcom skos:altLabel ?l } ORDER BY ?l"})
    assert r.status_code == 200
    assert "百度" in {b["l"]["value"] for b in r.json()["results"]["bindings"]}


def test_parse_accept_orders_by_q_and_specificity():
    assert [m for m, _ in parse_accept("*/*;q=0.1, text/csv;q=0.5, application/sparql-results+xml")] == \
        ["application/sparql-results+xml", "text/csv", "*/*"]
    assert parse_accept("text/csv;q=0") == []


# ------------------------------------------------------------------ hostile data

def _assert_inert(html: str, where: str):
    for bad in LIVE:
        assert bad not in html, f"{where}: {bad!r} reached the page unescaped"


def test_hostile_data_is_escaped_on_every_page(hostile):
    urls = ["/", "/queries", "/ontology", "/search?q=window&list=1", "/search?q=%3Cscript%3E&list=1",
            "/query?query=" + quote("SELECT ?s ?l WHERE { ?s rdfs:label|skos:altLabel|dct:title ?l } ORDER BY ?s"),
            "/queries/label-search?text=" + quote("<script>") + "&lang=en",
            "/queries/organization-links?org=pkd:hostile-org",
            "/queries/sources-and-evidence?entity=pkd:hostile-org"]
    urls += ["/entity?iri=" + quote(iri, safe="") for iri in HOSTILE_IRIS]
    urls += ["/id/hostile-org", "/id/hostile-source", "/id/hostile-program"]
    for url in urls:
        r = hostile.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        _assert_inert(r.text, url)
    page = hostile.get("/id/hostile-org").text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "javascript:window.__pwned=1 &lt;script&gt;" in page  # the evidence phrase, as text
    assert 'href="/entity?iri=javascript%3Awindow.__pwned%3D1"' in page


def test_hostile_data_in_the_network_view(hostile):
    for url in ("/network", "/network?focus=" + quote(PKD + "hostile-org", safe="")):
        r = hostile.get(url)
        assert r.status_code == 200
        assert "<script>window.__pwned" not in r.text and "</script><script>window.__pwned" not in r.text
        assert "<img src=x" not in r.text


def test_hostile_rdf_views_round_trip(hostile):
    r = hostile.get("/id/hostile-org", headers={"accept": "application/ld+json"})
    data = json.loads(r.content)
    assert "<script>window.__pwned=1</script>" in json.dumps(data, ensure_ascii=False)


def test_the_service_description_round_trips_iris_with_ampersands():
    import pyoxigraph as ox

    from policykg.web.endpoint import service_description

    endpoint = "http://127.0.0.1:8000/sparql?a=1&b=2"
    graph = "https://example.org/g?x=1&y=2"
    triples = list(ox.parse(service_description(endpoint, frozenset({graph})), format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert {t.object.value for t in triples if t.predicate.value == sd + "endpoint"} == {endpoint}
    assert {t.object.value for t in triples if t.predicate.value == sd + "name"} == {graph}


def test_serve_can_add_named_graphs_that_from_and_the_protocol_may_name(tmp_path):
    from policykg.web import create_app

    graph = tmp_path / "extra.ttl"
    graph.write_text("<urn:x> <urn:p> 'in the extra graph' .\n", encoding="utf-8")
    iri = "https://example.org/extra?a=1&b=2"
    with TestClient(create_app(named_graphs={iri: graph}, workers=1)) as client:
        r = client.get("/sparql", params={"query": f"SELECT ?o FROM <{iri}> WHERE {{ ?s ?p ?o }}", "format": "json"})
        assert r.status_code == 200, r.text
        assert [b["o"]["value"] for b in r.json()["results"]["bindings"]] == ["in the extra graph"]
        r = client.get("/sparql", params={"query": "ASK { ?s ?p 'in the extra graph' }", "default-graph-uri": iri})
        assert r.status_code == 200 and r.json()["boolean"] is True
        description = client.get("/sparql").text
        assert f"<{iri}>" in description



def test_the_same_query_is_answered_from_the_cache_without_a_worker(client, monkeypatch):
    cache = client.app.state.scheduler.cache
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a pk:PolicyDocument }"}
    first = client.get("/sparql", params=query)
    hits = cache.hits

    def no_worker(*args, **kwargs):
        raise AssertionError("a worker was asked for a result the cache holds")

    pool = client.app.state.pool
    monkeypatch.setattr(pool, "run_sliced", no_worker)
    monkeypatch.setattr(pool, "run", no_worker)
    second = client.get("/sparql", params=query)
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert cache.hits == hits + 1
