"""The shipped graph: valid, evidenced, and covering every group of the article."""

from __future__ import annotations

import pytest

import policykg
from policykg.namespaces import PREFIXES, shorten


def select(kg, query: str) -> list[tuple[str, ...]]:
    result = policykg.run_query(kg, sparql=query)
    return [tuple(shorten(t.value) if t is not None and t.__class__.__name__ == "NamedNode"
                  else (t.value if t is not None else None) for t in row) for row in result.rows]


def test_shipped_graph_conforms_to_the_shapes_with_no_warnings():
    report = policykg.validate()
    assert report.conforms, "\n".join(map(str, report.errors))
    assert report.warnings == []


def test_every_evidence_phrase_is_short_non_blank_and_quotes_one_source(kg):
    rows = select(kg, """
        SELECT ?e ?exact (COUNT(DISTINCT ?src) AS ?sources) WHERE {
          ?e a pk:Evidence . OPTIONAL { ?e oa:exact ?exact } OPTIONAL { ?e pk:quotedFrom ?src . ?src a pk:Source }
        } GROUP BY ?e ?exact ORDER BY ?e""")
    assert len(rows) > 200
    bad = [r for r in rows if not r[1] or not r[1].strip() or len(r[1]) > 40 or r[2] != "1"]
    assert bad == []


def test_every_evidence_phrase_is_used_by_some_fact(kg):
    unused = select(kg, "SELECT ?e WHERE { ?e a pk:Evidence FILTER NOT EXISTS { ?f pk:evidence ?e } } ORDER BY ?e")
    assert unused == []


def test_evidence_phrases_are_phrases_not_sentences(kg):
    rows = select(kg, "SELECT ?x WHERE { ?e oa:exact ?x } ORDER BY ?x")
    # A sentence of the article ends with 。; a phrase that pins a fact does not need one.
    assert [x for (x,) in rows if x.rstrip().endswith("。")] == []


def test_every_article_phrase_is_found_verbatim_in_the_seed(kg, seed_text):
    from policykg.rdf.evidence import phrases
    article = "pkd:article-beijing-ai-capital-shanghai-metaverse"
    missing = [p for p in phrases(kg) if p.source == article and p.exact not in seed_text]
    assert missing == []


def test_no_blank_nodes_in_graph_files(kg):
    import pyoxigraph as ox
    assert not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                   for t in kg.triples("graph"))


def test_the_three_beijing_policies_have_dates_levels_and_issuers(kg):
    rows = select(kg, """
        SELECT ?p ?issued ?level WHERE {
          ?p a pk:PolicyDocument ; pk:jurisdiction pkd:beijing ; dct:issued ?issued ; pk:policyLevel ?level ; pk:issuedBy ?i .
        } ORDER BY ?issued ?p""")
    assert rows == [
        ("pkd:bj-gai-partnership-program-2023", "2023-05-19", "level:operational"),
        ("pkd:bj-ai-innovation-hub-plan-2023", "2023-05-30", "level:strategic"),
        ("pkd:bj-gai-measures-2023", "2023-05-30", "level:tactical"),
    ]


def test_implementation_plan_states_16_key_tasks_in_5_named_directions(kg):
    rows = select(kg, """SELECT (COUNT(?d) AS ?n) ?tasks ?stated WHERE {
        pkd:bj-ai-innovation-hub-plan-2023 pk:hasDirection ?d ; pk:statedKeyTaskCount ?tasks ; pk:statedDirectionCount ?stated
        } GROUP BY ?tasks ?stated""")
    assert rows == [("5", "16", "5")]


def test_measures_state_21_measures_in_5_aspects(kg):
    rows = select(kg, """SELECT (COUNT(?c) AS ?n) ?total WHERE {
        pkd:bj-gai-measures-2023 pk:hasMeasureCategory ?c ; pk:statedMeasureCount ?total } GROUP BY ?total""")
    assert rows == [("5", "21")]


def test_partnership_first_batch_counts_add_up_to_39(kg):
    rows = select(kg, """SELECT (SUM(?n) AS ?sum) ?total WHERE {
        ?c pk:countIn pkd:bj-gai-partnership-batch-1 ; pk:statedCount ?n .
        pkd:bj-gai-partnership-batch-1 pk:statedMemberCount ?total } GROUP BY ?total""")
    assert rows == [("39", "39")]


def test_every_named_partner_has_labels_in_three_languages_or_says_why_not(kg):
    rows = select(kg, """SELECT ?org (GROUP_CONCAT(DISTINCT LANG(?l); separator=",") AS ?langs) WHERE {
        ?m a pk:PartnerMembership ; org:member ?org . ?org rdfs:label ?l } GROUP BY ?org ORDER BY ?org""")
    assert len(rows) == 10
    for org, langs in rows:
        assert {"en", "ja"} <= set(langs.split(",")), org
    without_zh = [org for org, langs in rows if "zh" not in langs.split(",")]
    # The one investment partner whose Chinese name could not be confirmed.
    assert without_zh == ["pkd:beijing-smartyuan-venture-capital-fund-management"]


@pytest.mark.parametrize("indicator, cities", [
    ("computer-software-hardware-enterprises", ["shanghai", "beijing", "shenzhen", "guangzhou", "chengdu"]),
    ("emerging-digital-tech-enterprises", ["shanghai", "chongqing", "beijing", "tianjin", "dongguan"]),
    ("little-giant-enterprises", ["beijing", "shanghai", "shenzhen", "ningbo", "chongqing"]),
    ("digital-tech-total", ["beijing", "shenzhen", "hangzhou", "shanghai", "guangzhou", "nanjing", "chengdu",
                            "wuhan", "suzhou", "jinan"]),
    ("digital-tech-density", ["shenzhen", "beijing", "shanghai", "hangzhou", "nanjing", "guangzhou", "jinan",
                              "wuhan", "hefei", "suzhou"]),
    ("digital-tech-share", ["shanghai", "nanjing", "beijing", "shenzhen", "hangzhou", "kunming", "nanning",
                            "guangzhou", "changsha", "jinan", "wuhan", "chengdu", "zhengzhou"]),
])
def test_section_03_rankings_list_every_city_in_the_article_order(kg, indicator, cities):
    rows = select(kg, f"""SELECT ?rank ?city WHERE {{
        ?o pk:indicator ind:{indicator} ; pk:rank ?rank ; sdmx-dimension:refArea ?city ;
           pk:comparisonGroup pkd:group-top50-gdp-cities-2021 }} ORDER BY ?rank""")
    assert rows == [(str(i), f"pkd:{c}") for i, c in enumerate(cities, 1)]


@pytest.mark.parametrize("indicator, year, value", [
    ("digital-economy-index", "2013", "1000"),
    ("digital-economy-index", "2021", "5610.60"),
    ("digital-tech-patent-applications", "2013", "5067"),
    ("digital-tech-patent-applications", "2021", "74656"),
])
def test_national_index_and_patent_series(kg, indicator, year, value):
    rows = select(kg, f"""SELECT ?v WHERE {{ ?o pk:indicator ind:{indicator} ; sdmx-dimension:refArea pkd:china ;
        sdmx-dimension:refPeriod "{year}"^^xsd:gYear ; sdmx-measure:obsValue ?v }} ORDER BY ?v""")
    assert [float(v) for (v,) in rows] == [float(value)]


def test_every_source_has_publisher_language_and_date_and_the_article_is_a_translation(kg):
    rows = select(kg, """SELECT ?s WHERE { ?s a pk:Source .
        FILTER NOT EXISTS { ?s dct:language ?l } } ORDER BY ?s""")
    assert rows == []
    assert select(kg, "SELECT ?o WHERE { pkd:article-beijing-ai-capital-shanghai-metaverse pk:translatedFrom ?o } ORDER BY ?o") \
        == [("pkd:article-beijing-ai-capital-shanghai-metaverse-zh",)]


def test_every_fact_derives_from_the_article_it_was_read_in(kg):
    # "The article" is the source the fact's evidence quotes: the seed article, or a later source
    # added through a sheet (issue 12).
    rows = select(kg, """SELECT ?f ?src WHERE { ?f pk:evidence/pk:quotedFrom ?src .
        FILTER (NOT EXISTS { ?f a pk:Source } || EXISTS { ?f a pk:PolicyDocument })
        FILTER NOT EXISTS { ?f prov:wasDerivedFrom ?src } } ORDER BY ?f ?src""")
    assert rows == []
    seed_facts = select(kg, """SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {
        ?f pk:evidence/pk:quotedFrom pkd:article-beijing-ai-capital-shanghai-metaverse }""")
    assert int(seed_facts[0][0]) > 100


def test_instance_iris_are_readable_slugs_under_one_base(kg):
    base = PREFIXES["pkd"]
    import re
    bad = {t.subject.value for t in kg.triples("graph")
           if not re.fullmatch(re.escape(base) + r"[a-z0-9]+(-[a-z0-9]+)*", t.subject.value)}
    assert sorted(bad) == []


def test_labels_and_comments_of_facts_do_not_copy_the_article(kg, seed_text):
    """Facts, figures and short phrases only: no sentence of the article is copied.

    Titles and names are exempt (they are what the source calls a thing); goal
    labels, statements and comments are our own words.
    """
    import difflib
    rows = select(kg, """SELECT ?s ?text WHERE {
        { ?s a pk:Goal ; rdfs:label ?text } UNION { ?s a pk:Statement ; rdfs:label ?text }
        UNION { ?s rdfs:comment ?text FILTER(STRSTARTS(STR(?s), STR(pkd:))) } } ORDER BY ?s""")
    copied = []
    for s, text in rows:
        sm = difflib.SequenceMatcher(None, text, seed_text, autojunk=False)
        match = sm.find_longest_match(0, len(text), 0, len(seed_text))
        if match.size > 30:
            copied.append((s, text[match.a:match.a + match.size]))
    assert copied == []
