"""/search and /complete in-process: ranked, typed, paged, escaped; no redirect hides other hits."""

from __future__ import annotations

import re
import warnings
from urllib.parse import quote

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from policykg.namespaces import PK, PREFIXES
from policykg.web import create_app
from policykg.web.search import COMPLETE_MAX, PAGE_SIZE

from support import write_hostile

PKD = "https://w3id.org/policykg/id/"
HIT_LINK = re.compile(r'<li class="hit [^"]*">\s*<a href="([^"]+)">')


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(query_timeout=5.0, workers=1)) as c:
        yield c


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = write_hostile(tmp_path_factory.mktemp("hostile-search"))
    with TestClient(create_app(root, query_timeout=5.0, workers=1)) as c:
        yield c


def hits(client, text: str, **params) -> list[str]:
    r = client.get("/search", params={"q": text, **params}, follow_redirects=False)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), r.text[:300]
    return HIT_LINK.findall(r.text)


@pytest.mark.parametrize("text, slug, n", [
    ("30 May 2023", "bj-ai-innovation-hub-plan-2023", 2),
    ("2023-05-30", "bj-gai-measures-2023", 2),
    ("2023年5月30日", "bj-gai-measures-2023", 2),
    ("metaverse plan", "shanghai-metaverse-key-tech-plan-2023", 3),
    ("map report", "report-china-ai-large-model-map", 1),
    ("digital-economy index", "report-china-digital-economy-index-2022", 5),
    ("model partners", "membership-bj-gai-partnership-baidu-netcom", 5),
    ("3000亿", "bj-ai-plan-target-core-industry-scale", 1),
])
def test_what_people_type_finds_the_entity(client, text, slug, n):
    assert "/id/" + slug in hits(client, text)[:n]


def test_a_year_and_a_type_list_the_targets_due_that_year(client):
    import policykg

    kg = policykg.load()
    due = {"/id/" + row[0].value.removeprefix(PKD) for row in kg.store.query(
        'SELECT ?t WHERE { ?t a <%sTarget> ; <%sdeadline> ?d FILTER(STR(?d) = "2025") }' % (PK, PK))}
    assert due and set(hits(client, "2025 targets")[:len(due)]) == due


@pytest.mark.parametrize("text, first", [("Beijing", "/id/beijing"), ("metaverse", None), ("measures", None),
                                         ("target", None)])
def test_an_exact_name_is_listed_first_with_the_others_not_redirected(client, text, first):
    found = hits(client, text)
    assert len(found) > 1
    if first:
        assert found[0] == first


@pytest.mark.parametrize("text", ["百度", "Baidu", "ＢＡＩＤＵ", "バイドゥ"])
def test_a_name_in_any_script_lists_its_entity_first(client, text):
    assert hits(client, text)[0] == "/id/baidu-netcom"


def test_results_carry_their_type_and_the_matched_text_marked(client):
    html = client.get("/search", params={"q": "Beijing"}).text
    first = html.split('<li class="hit', 2)[1]
    assert '<span class="tag">city</span>' in first
    assert "<mark>Beijing</mark>" in first


def test_feeling_lucky_goes_to_the_first_hit(client):
    r = client.get("/search", params={"q": "Beijing", "lucky": "1"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/id/beijing"


def test_a_misspelling_gets_did_you_mean(client):
    html = client.get("/search", params={"q": "Baidoo"}).text
    assert re.search(r'Did you mean <a href="/search\?q=Baidu[^"]*">Baidu</a>\?', html)
    assert "/id/baidu-netcom" in HIT_LINK.findall(html)


def test_traditional_characters_find_the_simplified_label(client):
    html = client.get("/search", params={"q": "人工智慧"}).text
    first = html.split('<li class="hit', 2)[1]
    assert "人工智能" in first


def test_results_are_paged_on_the_server(client):
    one, two = hits(client, "Beijing"), hits(client, "Beijing", page="2")
    assert len(one) == PAGE_SIZE and two and not set(one) & set(two)
    assert 'rel="next"' in client.get("/search", params={"q": "Beijing"}).text


def test_an_evidence_match_shows_the_phrase_and_its_source(client):
    import policykg

    kg = policykg.load()
    phrase = next(row[0].value for row in kg.store.query(
        "SELECT ?p WHERE { <%smembership-bj-gai-partnership-baidu-netcom> <%sevidence>/<%sexact> ?p } ORDER BY ?p"
        % (PKD, PK, PREFIXES["oa"])))
    html = client.get("/search", params={"q": phrase}).text
    item = next(li for li in html.split('<li class="hit')[1:] if 'class="evidence"' in li)
    assert phrase in item or "<mark>" in item
    assert re.search(r'— <a href="/id/[^"]+">', item)


def test_complete_answers_typed_json(client):
    r = client.get("/complete", params={"q": "百", "type": "org:Organization", "limit": "5"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert "max-age" in r.headers["cache-control"]
    body = r.json()
    assert body["q"] == "百"
    first = body["results"][0]
    assert set(first) == {"iri", "label", "type", "typeLabel", "matched", "matchedLang", "href"}
    assert first["iri"] == PKD + "baidu-netcom" and first["href"] == "/id/baidu-netcom"
    assert first["matched"] == "百度" and first["matchedLang"] == "zh"
    assert first["type"] == PREFIXES["org"] + "Organization" and first["typeLabel"]


def test_complete_respects_the_type_filter_and_the_limit(client):
    body = client.get("/complete", params=[("q", "Beijing"), ("type", PK + "City"), ("limit", "50")]).json()
    assert [r["iri"] for r in body["results"]] == [PKD + "beijing"]
    assert len(client.get("/complete", params={"q": "a", "limit": "2"}).json()["results"]) == 2
    assert len(client.get("/complete", params={"q": "a", "limit": "100000"}).json()["results"]) == COMPLETE_MAX
    assert client.get("/complete", params={"q": "a", "limit": "x"}).status_code == 200
    assert client.get("/complete", params={"q": ""}).json() == {"q": "", "results": []}


def test_hostile_labels_come_back_escaped(hostile):
    for q in ("window", "<script>", "Hostile", "javascript"):
        r = hostile.get("/search?q=" + quote(q))
        assert r.status_code == 200
        for live in ("<script>window", "<img src=x", "<svg onload", 'href="javascript:'):
            assert live not in r.text, (q, live)
    assert "&lt;script&gt;" in hostile.get("/search?q=window").text
    body = hostile.get("/complete", params={"q": "window"}).json()
    assert body["results"] and all(not r["href"].startswith("javascript:") for r in body["results"])
