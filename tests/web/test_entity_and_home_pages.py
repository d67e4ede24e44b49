"""Entity pages open with a summary in words and page their links; the home page says what the graph is.

Expected values are read from the graph itself (store queries, the label
index, policykg.wording), so these tests pin how pages word and order what
the graph holds, not the figures of one release of the data.
"""

from __future__ import annotations

import re
import warnings

import pytest
from starlette.routing import Route

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import policykg
from policykg.namespaces import sparql_prefixes
from policykg.rdf.facts import fact_sentence
from policykg.web import create_app
from policykg.web.entities import LINKS_PER_PAGE, mark_cjk, text_lang
from policykg.wording import format_date

PKD = "https://w3id.org/policykg/id/"
ARTICLE = PKD + "article-beijing-ai-capital-shanghai-metaverse"


@pytest.fixture(scope="module")
def kg():
    return policykg.load()


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(query_timeout=5.0, workers=1)) as c:
        yield c


def rows(kg, query: str) -> list[dict]:
    result = kg.store.query(sparql_prefixes() + query)
    names = [v.value for v in result.variables]
    return [{n: r[n] for n in names} for r in result]


def section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    return html[start:html.index("</section>", start)]


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).replace("&#39;", "'").replace("&#34;", '"')


def test_an_organization_page_opens_with_its_roles_and_periods(client, kg):
    (m,) = rows(kg, """SELECT ?role ?program ?since WHERE {
        ?m org:member pkd:baidu-netcom ; org:role ?role ; org:organization ?program ;
           org:memberDuring/time:hasBeginning/time:inXSDDate ?since }""")
    html = client.get("/id/baidu-netcom").text
    summary = text_of(section(html, "summary"))
    assert kg.labels.best(m["role"].value).capitalize() in summary
    assert kg.labels.best(m["program"].value) in summary
    assert "since " + format_date(m["since"].value) in summary
    # The answer comes before the facts' evidence, the names and the network.
    assert html.index('id="summary"') < html.index('id="facts"') < html.index('id="names"') < html.index('id="network"')


def test_a_policy_page_states_issuer_date_period_and_counts(client, kg):
    (p,) = rows(kg, """SELECT ?issuer ?issued (COUNT(DISTINCT ?g) AS ?goals) WHERE {
        pkd:bj-ai-innovation-hub-plan-2023 pk:issuedBy ?issuer ; dct:issued ?issued ; pk:hasGoal ?g }
        GROUP BY ?issuer ?issued""")
    summary = text_of(section(client.get("/id/bj-ai-innovation-hub-plan-2023").text, "summary"))
    assert f"issued by {kg.labels.best(p['issuer'].value)} on {format_date(p['issued'].value)}" in summary
    assert f"{p['goals'].value} goals" in summary


def test_a_policy_page_shows_each_target_worded_with_its_evidence(client, kg):
    targets = rows(kg, "SELECT ?t WHERE { pkd:bj-ai-innovation-hub-plan-2023 pk:hasGoal/pk:hasTarget ?t }")
    facts = text_of(section(client.get("/id/bj-ai-innovation-hub-plan-2023").text, "facts"))
    assert targets
    for t in targets:
        assert fact_sentence(kg.store, kg.labels, t["t"].value) in facts


def test_an_observation_page_opens_with_its_fact_sentence(client, kg):
    iri = PKD + "obs-computer-software-hardware-enterprises-2021-beijing"
    summary = text_of(section(client.get("/id/obs-computer-software-hardware-enterprises-2021-beijing").text,
                              "summary"))
    assert fact_sentence(kg.store, kg.labels, iri) in summary


def test_a_program_page_counts_named_and_stated_members(client, kg):
    (c,) = rows(kg, """SELECT (COUNT(DISTINCT ?m) AS ?named) WHERE {
        ?m org:organization pkd:bj-gai-partnership-program-2023 }""")
    (s,) = rows(kg, """SELECT (SUM(?n) AS ?stated) WHERE {
        ?b pk:batchOf pkd:bj-gai-partnership-program-2023 ; pk:statedMemberCount ?n }""")
    html = client.get("/id/bj-gai-partnership-program-2023").text
    assert f"{c['named'].value} named members of {s['stated'].value} stated" in text_of(section(html, "summary"))
    assert html.count('class="fact"') >= int(c["named"].value)


def test_evidence_is_grouped_by_fact_with_phrase_language_gloss_and_source(client, kg):
    (ev,) = rows(kg, """SELECT ?exact ?gloss ?title WHERE {
        pkd:membership-bj-gai-partnership-baidu-netcom pk:evidence ?e .
        ?e oa:exact ?exact ; pk:gloss ?gloss ; pk:quotedFrom/dct:title ?title
        FILTER(CONTAINS(?exact, "Baidu") && LANG(?title) = "en") }""")
    facts = section(client.get("/id/baidu-netcom").text, "facts")
    membership = facts[facts.index('href="/id/membership-bj-gai-partnership-baidu-netcom"') - 2000:]
    assert '<blockquote lang="ja">' + ev["exact"].value in facts
    assert ev["gloss"].value in text_of(facts)
    assert ev["title"].value in text_of(membership)


def test_internal_nodes_are_shown_as_phrases_never_as_ids(client):
    for url in ("/id/baidu-netcom", "/id/article-beijing-ai-capital-shanghai-metaverse",
                "/id/membership-bj-gai-partnership-baidu-netcom", "/id/bj-gai-partnership-batch-1"):
        html = client.get(url).text
        shown = text_of(html.split("<main>")[1].split('id="names"')[0] + html.split('class="links"', 1)[-1])
        assert "pkd:ev-" not in shown and "pkd:interval-" not in shown and "pkd:date-" not in shown, url


def test_long_link_lists_are_paged_on_the_server(client, kg):
    (n,) = rows(kg, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p <{ARTICLE}> }}")
    total = int(n["n"].value)
    assert total > 2 * LINKS_PER_PAGE
    first = client.get("/id/article-beijing-ai-capital-shanghai-metaverse").text
    second = client.get("/id/article-beijing-ai-capital-shanghai-metaverse", params={"in_page": "2"}).text
    one, two = section(first, "incoming"), section(second, "incoming")
    assert one.count("<tr>") - 1 == LINKS_PER_PAGE == two.count("<tr>") - 1
    assert one != two
    assert f"of {total}" in text_of(first)
    assert 'href="/id/article-beijing-ai-capital-shanghai-metaverse?in_page=2"' in first
    assert len(first) < 120_000
    last = -(-total // LINKS_PER_PAGE)
    tail = client.get("/id/article-beijing-ai-capital-shanghai-metaverse", params={"in_page": "999"}).text
    assert section(tail, "incoming").count("<tr>") - 1 == total - (last - 1) * LINKS_PER_PAGE
    assert client.get("/id/article-beijing-ai-capital-shanghai-metaverse", params={"in_page": "x"}).status_code == 200


def test_labels_carry_their_language(client):
    html = client.get("/id/baidu-netcom").text
    assert '<td lang="zh">北京百度网讯科技有限公司</td>' in html
    assert '<td lang="ja">バイドゥ</td>' in html


def test_cjk_inside_english_notes_gets_a_lang_and_stays_escaped():
    assert str(mark_cjk("slip: 放射線産業 for 辐射产业")) == \
        'slip: <span lang="zh">放射線産業</span> for <span lang="zh">辐射产业</span>'
    assert str(mark_cjk("メタ <b>x</b>")) == '<span lang="ja">メタ</span> &lt;b&gt;x&lt;/b&gt;'
    assert str(mark_cjk("<script>", "")) == "&lt;script&gt;"
    assert text_lang("バイドゥ") == "ja" and text_lang("百度") == "zh" and text_lang("Baidu") == ""


def test_home_states_coverage_computed_from_the_graph(client, kg):
    (c,) = rows(kg, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pk:PolicyDocument }")
    (m,) = rows(kg, "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {"
                    " ?m org:organization pkd:bj-gai-partnership-program-2023 }")
    (e,) = rows(kg, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a pk:Evidence }")
    html = client.get("/").text
    coverage = text_of(section(html.replace("</ul>", "</section>", 1), "coverage"))
    assert f"{c['n'].value} policies" in coverage
    assert f"{m['n'].value} of " in coverage and "partner members named" in coverage
    assert f"{int(e['n'].value):,} evidence phrases" in coverage
    assert "classes" not in coverage


def test_home_lists_its_sources_and_links_questions_to_pages_that_exist(client):
    html = client.get("/").text
    assert 'href="/id/article-beijing-ai-capital-shanghai-metaverse"' in section(html, "sources")
    links = re.findall(r'<a href="([^"]+)"', section(html, "questions"))
    assert len(links) >= 10
    for href in links:
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href


def test_unknown_path_is_a_styled_404_page(client):
    r = client.get("/nope")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "/assets/site.css" in r.text and "Page not found" in r.text and "/nope" in r.text
    assert 'action="/search"' in r.text


def test_a_server_fault_is_a_styled_500_page_that_names_no_internals():
    app = create_app(query_timeout=5.0, workers=1)

    async def broken(request):
        raise RuntimeError("secret internal detail")

    app.router.routes.insert(0, Route("/broken", broken))
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/broken")
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert "/assets/site.css" in r.text and "secret internal detail" not in r.text


def test_the_favicon_is_linked_and_served(client):
    assert 'rel="icon" href="/assets/favicon.svg"' in client.get("/").text
    for url in ("/favicon.ico", "/assets/favicon.svg"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.text.startswith("<svg")
