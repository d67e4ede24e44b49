"""label-search answered from the label index gives the rows and the order of its SPARQL.

The index folds more than SPARQL's LCASE (NFKC, case folding, Chinese
scripts through OpenCC), so it finds every row the query finds, in the
query's order, and beyond them only names that contain the text once folded.
"""

from __future__ import annotations

import random

import pytest

import policykg
from policykg.rdf.labels import normalise
from policykg.sparql.canned import find_query, parse_query_file
from policykg.sparql.indexed import answers, run_indexed
from policykg.sparql.evaluation import evaluate
from policykg.sparql.query import QueryResult, make_job, run_query
from policykg.sparql.workers import reply_value

QUERY = find_query("label-search")
TEXTS = ["百度", "Baidu", "BAIDU", "ＢＡＩＤＵ", "北京", "北京市", "partner", "Partner program", "の", "a", "市",
         "人工智慧", "經濟", "Shanghai", "zzz-nothing", " ", "(", "moDEL", "メタバース", "2023"]

HOSTILE = """
@prefix pkd: <https://w3id.org/policykg/id/> .
@prefix pk: <https://w3id.org/policykg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
pkd:t-org a org:Organization ; rdfs:label "Straße AI Lab"@de, "ＳＴＲＡＳＳＥ lab"@ja ; skos:altLabel "Straße AI Lab"@de .
pkd:t-prog a pk:PartnerProgram ; rdfs:label "AI Lab program"@en ; dct:title "ai lab"@en .
pkd:t-thing rdfs:label "ai lab"@en .
_:b rdfs:label "ai lab (blank)"@en .
pkd:t-trad a org:Organization ; rdfs:label "人工智慧實驗室"@zh ; skos:altLabel "AI lab"@en, "ai LAB"@en .
"""


def both(kg, text: str, lang: str = "en"):
    """The rows of the index and of the SPARQL (evaluated here, not in a worker: hundreds of queries)."""
    values = {"text": text, "lang": lang}
    indexed = QueryResult(*run_indexed(kg, QUERY, values))
    sparql = QueryResult(*reply_value(evaluate(kg.store, make_job(name="label-search", params=values))))
    return indexed.rows, sparql.rows


def assert_same_as_sparql(kg, text: str, lang: str = "en") -> None:
    indexed, sparql = both(kg, text, lang)
    lowered = text.lower()
    # The rows SPARQL's CONTAINS(LCASE(...)) also finds, in the same order, are exactly its rows.
    assert [r for r in indexed if lowered and lowered in r[2].value.lower()] == sparql, text
    for row in indexed:  # and every other row is a name that contains the text once folded
        assert normalise(text) in normalise(row[2].value), (text, row)


def _sampled_texts(kg, n: int = 60) -> list[str]:
    rng = random.Random(11)
    names = sorted({text for entries in kg.labels.labels.values() for text, _, _ in entries})
    out = []
    for name in rng.sample(names, n):
        start = rng.randrange(len(name))
        out.append(name[start:start + rng.randint(1, 8)])
    return out


def test_indexed_label_search_gives_the_rows_and_order_of_the_sparql_on_the_shipped_graph(kg):
    for text in TEXTS + _sampled_texts(kg):
        assert_same_as_sparql(kg, text)


@pytest.mark.parametrize("lang", ["ja", "zh"])
def test_indexed_label_search_labels_entities_in_the_readers_language_as_the_sparql_does(kg, lang):
    for text in TEXTS[:6]:
        assert_same_as_sparql(kg, text, lang)


@pytest.fixture(scope="module")
def hostile_kg(tmp_path_factory):
    from policykg import paths

    extra = tmp_path_factory.mktemp("indexed") / "names.ttl"
    extra.write_text(HOSTILE, encoding="utf-8")
    return policykg.load(graph_files=sorted((paths.data_root() / "graph").glob("*.ttl")) + [extra])


def test_indexed_label_search_matches_the_sparql_on_cased_folded_blank_and_repeated_names(hostile_kg):
    for text in ["ai lab", "AI LAB", "strasse", "Straße", "lab", "ＡＩ", "人工智能", "實驗", "program"]:
        assert_same_as_sparql(hostile_kg, text)


def test_the_index_finds_names_only_folding_finds(hostile_kg):
    indexed, sparql = both(hostile_kg, "人工智能实验室")
    assert sparql == [] and [r[0].value for r in indexed] == ["https://w3id.org/policykg/id/t-trad"]
    indexed, sparql = both(hostile_kg, "strasse")
    assert {r[2].value for r in indexed} == {"Straße AI Lab", "ＳＴＲＡＳＳＥ lab"} and sparql == []


def test_a_preferred_label_ranks_before_the_same_name_as_an_alias_and_programs_before_other_things(hostile_kg):
    indexed, _ = both(hostile_kg, "ai lab")
    exact = [(r[0].value.rsplit("/", 1)[1], r[2].value) for r in indexed if r[2].value.lower() == "ai lab"]
    # t-thing's rdfs:label, then the aliases and titles: the program first, then the organization.
    assert exact == [("t-thing", "ai lab"), ("t-prog", "ai lab"), ("t-trad", "AI lab"), ("t-trad", "ai LAB")]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_every_result_format_has_the_bytes_the_sparql_gives(kg, fmt):
    for text in ("Baidu", "北京"):
        indexed = run_query(kg, name="label-search", params={"text": text}, format=fmt)
        sparql = run_query(kg, sparql=QUERY.bind({"text": text}, lang="en"), format=fmt)
        assert indexed.data == sparql.data, (fmt, text)


def test_parameters_are_checked_as_for_the_sparql(kg):
    with pytest.raises(policykg.PolicyKGError, match="is not one of"):
        run_query(kg, name="label-search", params={"text": "Baidu", "lang": "xx"})
    with pytest.raises(policykg.PolicyKGError, match="needs parameter"):
        run_indexed(kg, QUERY, {})


def test_a_users_copy_of_the_query_runs_as_sparql(tmp_path):
    copy = tmp_path / "label-search.rq"
    copy.write_text(QUERY.text, encoding="utf-8")
    assert answers(QUERY) and not answers(parse_query_file(copy))


# -- on the site ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    from starlette.testclient import TestClient

    from policykg.web.app import create_app

    with TestClient(create_app(query_timeout=20.0, workers=1)) as c:
        yield c


def test_the_page_lists_the_indexed_rows_in_rank_order_with_downloads_of_the_same_rows(client, kg):
    import csv
    import io

    r = client.get("/queries/label-search", params={"text": "百度", "lang": "en"})
    assert r.status_code == 200
    html = r.text
    order = [html.index(f">{name}<") for name in ("百度", "百度网讯", "北京百度网讯科技有限公司")]
    assert order == sorted(order)
    assert 'href="/queries/label-search?text=%E7%99%BE%E5%BA%A6&amp;lang=en&amp;format=csv"' in html
    download = client.get("/queries/label-search", params={"text": "百度", "lang": "en", "format": "csv"})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert 'filename="label-search.csv"' in download.headers["content-disposition"]
    expected = run_query(kg, sparql=QUERY.bind({"text": "百度", "lang": "en"}), format="csv").data
    assert download.content == expected
    assert [row["label"] for row in csv.DictReader(io.StringIO(download.text))] == ["百度", "百度网讯",
                                                                                   "北京百度网讯科技有限公司"]


def test_other_canned_queries_download_from_their_page_through_a_worker(client, kg):
    params = {"program": "pkd:bj-gai-partnership-program-2023", "lang": "en"}
    download = client.get("/queries/members-by-role", params={**params, "format": "json"})
    assert download.status_code == 200
    assert download.content == run_query(kg, name="members-by-role", params=params, format="json").data
    assert client.get("/queries/members-by-role", params={**params, "format": "pdf"}).status_code == 400


def test_the_indexed_page_sorts_and_pages_like_any_result(client, kg):
    import html
    import re

    from policykg.sparql.evaluation import term_order

    total = len(run_indexed_rows(kg, "a"))
    r = client.get("/queries/label-search", params={"text": "a", "lang": "en", "sort": "label", "page": "2"})
    assert r.status_code == 200 and f"rows 201–400 of {total}" in r.text
    labels = [html.unescape(x) for x in re.findall(r'<td><span lang="[^"]*">(.*?)</span><span class="tag">', r.text)]
    ranked = run_indexed_rows(kg, "a")
    assert labels == [row[2].value for row in sorted(ranked, key=lambda row: term_order(row[2]))[200:400]]


def run_indexed_rows(kg, text: str) -> list:
    return QueryResult(*run_indexed(kg, QUERY, {"text": text, "lang": "en"})).rows
