"""Result pages are bounded: one page of rows whatever the result's size, sorted and paged on the server."""

from __future__ import annotations

import html
import re
import warnings
from urllib.parse import parse_qs, urlsplit

import pytest

with warnings.catch_warnings():  # starlette's note about httpx2 is not ours to act on
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from policykg.sparql.canned import find_query
from policykg.web import create_app
from policykg.web.pages import PAGE_ROWS

#: What one page of results may weigh: 200 rows of long labels and links stay far below it.
PAGE_BYTES = 600_000
#: 100,000 rows: 100 × 100 × 10.
HUNDRED_THOUSAND = ("SELECT ?a ?b ?c WHERE { VALUES ?a { %s } VALUES ?b { %s } VALUES ?c { %s } }"
                    % (" ".join(map(str, range(100))), " ".join(map(str, range(100))), " ".join(map(str, range(10)))))


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(query_timeout=20.0, workers=2)) as c:
        yield c


def _rows(html: str) -> list[list[str]]:
    body = html.split('id="results"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def test_select_star_over_the_graph_renders_one_bounded_page(client):
    r = client.get("/query", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 200
    assert len(_rows(r.text)) == PAGE_ROWS
    assert len(r.content) < PAGE_BYTES
    assert re.search(r"rows 1–200 of \d", r.text)


def test_a_hundred_thousand_rows_cost_one_page_and_do_not_grow_the_server(client):
    client.get("/query", params={"query": "SELECT (1 AS ?warm) {}"})
    before = _rss_kb()
    for params in ({}, {"page": "3"}, {"sort": "c", "dir": "desc"}):
        r = client.get("/query", params={"query": HUNDRED_THOUSAND, **params})
        assert r.status_code == 200
        assert len(_rows(r.text)) == PAGE_ROWS
        assert len(r.content) < PAGE_BYTES
    # The rows stay in the worker: a server holding them would grow by hundreds of MB.
    assert _rss_kb() - before < 60_000


def test_the_fragment_is_the_results_alone_with_links_to_whole_pages(client):
    r = client.get("/query", params={"query": HUNDRED_THOUSAND, "fragment": "1"})
    assert r.status_code == 200 and not r.text.lstrip().startswith("<!DOCTYPE")
    assert len(_rows(r.text)) == PAGE_ROWS
    links = re.findall(r'href="(/query\?[^"]+)"', r.text)
    assert links and not any("fragment" in link for link in links)


def test_sorting_by_a_column_happens_before_paging(client):
    query = 'SELECT ?n ?w WHERE { VALUES (?n ?w) { (3 "c") (10 "j") (1 "a") (2 "b") } }'
    r = client.get("/query", params={"query": query, "sort": "n"})
    assert [row[0] for row in _rows(r.text)] == ["1", "2", "3", "10"]
    assert 'aria-sort="ascending"' in r.text
    r = client.get("/query", params={"query": query, "sort": "n", "dir": "desc"})
    assert [row[1] for row in _rows(r.text)] == ["j", "c", "b", "a"]
    r = client.get("/query", params={"query": HUNDRED_THOUSAND, "sort": "a", "dir": "desc", "page": "2"})
    rows = _rows(r.text)
    assert {row[0] for row in rows} == {"99"} and "rows 201–400 of 100000" in r.text


def test_column_headers_link_to_the_sorted_first_page(client):
    r = client.get("/query", params={"query": "SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 2) } }", "page": "1",
                                     "sort": "a"})
    hrefs = dict(re.findall(r'<a class="sort" href="([^"]+)" title="sort by (\w+)"', r.text))
    params = {v: parse_qs(urlsplit(h.replace("&amp;", "&")).query) for h, v in hrefs.items()}
    assert params["a"]["dir"] == ["desc"] and params["b"]["dir"] == ["asc"]  # a second click reverses
    assert all(p["page"] == ["1"] for p in params.values())


def test_results_offer_csv_json_and_tsv_downloads(client):
    r = client.get("/query", params={"query": "SELECT (1 AS ?one) {}"})
    downloads = re.findall(r'<a href="(/sparql\?[^"]+)" download>(\w+)</a>', r.text)
    assert [name for _, name in downloads] == ["CSV", "JSON", "TSV"]
    tsv = client.get(downloads[2][0].replace("&amp;", "&"))
    assert tsv.status_code == 200 and tsv.text.splitlines() == ["?one", "1"]


def test_an_example_is_loaded_by_name_without_running(client):
    canned = find_query("members-by-role")
    bound = canned.bind({p.name: p.example for p in canned.params if p.example}, lang="en")
    r = client.get("/query", params={"example": "members-by-role"})
    assert r.status_code == 200 and 'id="results"' not in r.text
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", r.text, re.S).group(1)
    assert html.unescape(textarea) == bound


def test_a_canned_query_page_opens_its_bound_text_in_the_editor(client):
    canned = find_query("members-by-role")
    bound = canned.bind({p.name: p.example for p in canned.params if p.example}, lang="en")
    r = client.get("/queries/members-by-role")
    href = re.search(r'<a class="open-in-editor" href="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    assert urlsplit(href).path == "/query"
    assert parse_qs(urlsplit(href).query)["query"] == [bound]


def test_the_unknown_prefix_error_is_in_words_on_the_page(client):
    r = client.get("/query", params={"query": "SELECT ?x WHERE { ?x a wd:Q5 }", "fragment": "1"})
    assert r.status_code == 400
    assert "unknown prefix wd: at line 1, column 24" in r.text and "\\u{" not in r.text
