"""Result pages carry their evidence, word their numbers, and take names in their forms."""

from __future__ import annotations

import warnings
from urllib.parse import parse_qs, urlparse

import lxml.html
import pyoxigraph as ox
import pytest

with warnings.catch_warnings():  # starlette's note about httpx2 is not ours to act on
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from policykg.namespaces import PKD
from policykg.web import create_app

OA_EXACT = "http://www.w3.org/ns/oa#exact"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(query_timeout=5.0, workers=1)) as c:
        yield c


def page(client, url: str, status: int = 200):
    r = client.get(url)
    assert r.status_code == status, r.text[:500]
    return lxml.html.fromstring(r.text)


def rows(doc):
    return doc.xpath('//table[@id="results"]/tbody/tr')


def column(doc, name: str) -> int:
    headers = [" ".join(th.text_content().split()).rstrip(" ▲▼")
               for th in doc.xpath('//table[@id="results"]/thead//th')]
    return headers.index(name)


def test_members_by_role_rows_each_show_an_evidence_phrase_and_its_source(client, kg):
    doc = page(client, "/queries/members-by-role")
    body = rows(doc)
    assert len(body) == 10
    exact = {q.object.value for q in kg.store.quads_for_pattern(None, ox.NamedNode(OA_EXACT), None)}
    for tr in body:
        cell = tr.xpath('td[@class="row-evidence"]')[0]
        node = cell.xpath('.//a[@class="fact-node"]')[0]
        assert node.get("href").startswith("/id/membership-")
        phrases = cell.xpath(".//q")
        assert phrases and all(q.text_content() in exact for q in phrases)
        assert all(q.get("lang") == "ja" for q in phrases)  # the article's language, not the page's
        source = cell.xpath('.//p[@class="source"]')[0]
        assert source.xpath(".//cite")[0].text_content().startswith("Beijing builds an")
        assert source.xpath(".//a")[0].get("href") == "/id/article-beijing-ai-capital-shanghai-metaverse"


def test_members_by_role_says_how_many_of_the_stated_members_are_named(client):
    doc = page(client, "/queries/members-by-role")
    counts = doc.xpath('//p[@class="member-counts"]')[0].text_content()
    assert "10 named of 39 stated" in counts


def test_the_baidu_row_states_its_membership_in_words(client):
    doc = page(client, "/queries/members-by-role")
    facts = [a.text_content() for a in doc.xpath('//a[@class="fact-node"]')]
    baidu = [f for f in facts if "Baidu" in f]
    assert len(baidu) == 1 and "model partner of the" in baidu[0] and "since 19 May 2023" in baidu[0]


def test_targets_read_as_people_write_them_and_link_to_the_target(client):
    doc = page(client, "/queries/goals-and-targets")
    value = column(doc, "value")
    cells = {tr.xpath("td")[value].text_content(): tr for tr in rows(doc)}
    row = cells["at least 300 billion yuan"]
    # the exact literal is kept for whoever needs it
    assert row.xpath("td")[value].xpath("span")[0].get("title") == "300000000000"
    target = row.xpath("td")[column(doc, "target")].xpath("a")[0]
    assert target.get("href") == "/id/bj-ai-plan-target-core-industry-scale"
    fact = row.xpath('.//a[@class="fact-node"]')[0]
    assert fact.get("href") == "/id/bj-ai-plan-target-core-industry-scale"
    assert "5–10 enterprises" in cells


def test_exports_keep_the_exact_values(client):
    doc = page(client, "/queries/goals-and-targets")
    csv_link = doc.xpath('//a[@download][text()="CSV"]')[0].get("href")
    csv = client.get(csv_link).text
    assert ",300000000000," in csv and "at least 300 billion yuan" not in csv


def test_beijing_and_shanghai_side_by_side_show_values_not_only_ranks(client):
    doc = page(client, "/queries/cq-beijing-vs-shanghai-ranks")
    beijing, shanghai = column(doc, "beijingValue"), column(doc, "shanghaiValue")
    by_indicator = {tr.xpath("td")[0].text_content(): tr.xpath("td") for tr in rows(doc)}
    software = next(v for k, v in by_indicator.items() if "software and hardware" in k)
    assert software[beijing].text_content() == "683,000 enterprises"
    assert software[shanghai].text_content() == "813,000 enterprises"
    assert len(software[-1].xpath('.//a[@class="fact-node"]')) == 2  # Beijing's and Shanghai's observation


def test_an_iri_not_in_the_graph_is_named_in_the_message(client):
    doc = page(client, "/queries/city-indicators?city=pkd:xyz", 400)
    assert "pkd:xyz is not in the graph" in doc.xpath('//div[@class="error"]')[0].text_content()
    assert not rows(doc)


@pytest.mark.parametrize("name", ["Beijing", "北京", "pkd:beijing"])
def test_a_city_form_takes_a_name_in_any_language(client, name):
    doc = page(client, "/queries/city-indicators?" + "city=" + name)
    assert len(rows(doc)) > 5
    help_text = doc.xpath('//*[@id="param-city-help"]')[0]
    assert help_text.xpath(".//a")[0].get("href") == "/id/beijing"
    assert doc.xpath('//input[@id="param-city"]')[0].get("value") == name  # the field keeps what was typed


def test_a_program_form_takes_a_partial_chinese_name(client):
    doc = page(client, "/queries/members-by-role?program=通用人工智能")
    assert len(rows(doc)) == 10


def test_an_ambiguous_name_lists_the_candidates_as_links(client):
    doc = page(client, "/queries/organization-links?org=Beijing", 400)
    links = doc.xpath('//nav[@class="candidates"]//a')
    assert len(links) > 1
    chosen = {parse_qs(urlparse(a.get("href")).query)["org"][0] for a in links}
    assert PKD + "beijing-municipal-government" in chosen and PKD + "beijing" not in chosen
    follow = page(client, next(a.get("href") for a in links if a.get("href").endswith("beijing-municipal-government")))
    assert rows(follow)


def test_iri_fields_are_comboboxes_of_the_parameter_type(client):
    doc = page(client, "/queries/members-by-role")
    field = doc.xpath('//input[@id="param-program"]')[0]
    assert field.get("data-complete") == "/complete"
    assert field.get("data-type") == "http://www.w3.org/ns/org#OrganizationalCollaboration"
    assert doc.xpath('//script[@src="/assets/forms.js"]')


def test_the_forms_script_is_served(client):
    r = client.get("/assets/forms.js")
    assert r.status_code == 200 and "role" in r.text and "aria-activedescendant" in r.text


def test_a_label_column_beside_its_iri_column_is_shown_once_and_kept_in_the_downloads(client):
    doc = page(client, "/queries/members-by-role")
    headers = [" ".join(th.text_content().split()).rstrip(" ▲▼")
               for th in doc.xpath('//table[@id="results"]/thead//th')]
    assert "member" in headers and "role" in headers
    assert "memberLabel" not in headers and "roleLabel" not in headers
    csv_href = doc.xpath('//p[@id="result-count"]/a')[0].get("href")
    assert "memberLabel" in client.get(csv_href).text.splitlines()[0]
