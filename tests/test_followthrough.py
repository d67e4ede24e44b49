"""Follow-through: competency questions on the four later sources, lineage and targets against figures.

The expected answers are the facts of issue 12 as the sources state them;
evidence phrases are checked against the source files in ../shared/sources.
"""

from __future__ import annotations

import pytest

import policykg
from policykg.authoring import source_text
from policykg.namespaces import PREFIXES, shorten
from policykg.rdf.evidence import phrases

from support import SHARED

PKD = PREFIXES["pkd"]

#: The new sources and the files whose text their evidence phrases quote.
SOURCES = {
    "pkd:article-qianlong-bj-gai-partnership-launch-2023": "qianlong-2023-05-19-partnership-program-launch.txt",
    "pkd:source-bj-ai-plus-action-plan-2024-newton": "bj-ai-plus-action-plan-2024-2025.txt",
    "pkd:notice-bj-etown-ai-native-policies-2024": "bj-etown-ai-native-policies-2024.txt",
    "pkd:news-bj-eit-digital-economy-press-conference-2025": "bj-eit-2025-03-20-digital-economy-press-conference.txt",
}


def select(kg, query: str) -> list[tuple]:
    result = policykg.run_query(kg, sparql=query)
    return [tuple(None if t is None else shorten(t.value) if t.__class__.__name__ == "NamedNode" else t.value
                  for t in row) for row in result.rows]


@pytest.mark.parametrize("source, filename", sorted(SOURCES.items()))
def test_every_evidence_phrase_of_a_new_source_is_in_its_file_verbatim(kg, source, filename):
    from support import require_shared

    path = SHARED / "sources" / filename
    require_shared(path, filename)
    text = source_text(path)
    quoted = [p for p in phrases(kg) if p.source == source]
    assert len(quoted) >= 5
    assert [p.exact for p in quoted if p.exact not in text or len(p.exact) > 40] == []


def test_each_new_source_has_title_publisher_date_language_and_address(kg):
    rows = select(kg, f"""SELECT ?s ?issued ?lang ?url (COUNT(DISTINCT ?pub) AS ?publishers) WHERE {{
        VALUES ?s {{ {' '.join(SOURCES)} }}
        ?s dct:title ?t ; dct:publisher ?pub ; dct:issued ?issued ; dct:language ?lang ; <http://schema.org/url> ?url .
      }} GROUP BY ?s ?issued ?lang ?url ORDER BY ?issued""")
    assert [(s, issued, lang, int(n)) for s, issued, lang, _, n in rows] == [
        ("pkd:article-qianlong-bj-gai-partnership-launch-2023", "2023-05-19", "lang:zh", 1),
        ("pkd:source-bj-ai-plus-action-plan-2024-newton", "2024-07-26", "lang:zh", 3),
        ("pkd:notice-bj-etown-ai-native-policies-2024", "2024-11-24", "lang:zh", 1),
        ("pkd:news-bj-eit-digital-economy-press-conference-2025", "2025-03-21", "lang:zh", 1),
    ]
    assert all(url.strip("<>").startswith("https://") for *_, url, _ in rows)


def test_the_ai_plus_plan_was_issued_on_2024_07_26_by_three_bodies_two_of_them_new(kg):
    rows = select(kg, """SELECT ?issued ?issuer ?zh WHERE {
        pkd:bj-ai-plus-action-plan-2024 dct:issued ?issued ; pk:issuedBy ?issuer .
        ?issuer rdfs:label ?zh FILTER(LANG(?zh) = "zh") } ORDER BY ?issuer""")
    assert rows == [
        ("2024-07-26", "pkd:beijing-development-reform-commission", "北京市发展和改革委员会"),
        ("2024-07-26", "pkd:beijing-economy-it-bureau", "北京市经济和信息化局"),
        ("2024-07-26", "pkd:beijing-science-technology-commission", "北京市科学技术委员会、中关村科技园区管理委员会"),
    ]
    labels = dict(select(kg, """SELECT ?o ?en WHERE { ?o rdfs:label ?en FILTER(LANG(?en) = "en")
        VALUES ?o { pkd:beijing-development-reform-commission pkd:beijing-science-technology-commission } } ORDER BY ?o"""))
    assert labels["pkd:beijing-development-reform-commission"] == "Beijing Municipal Commission of Development and Reform"
    assert labels["pkd:beijing-science-technology-commission"].startswith("Beijing Municipal Science and Technology Commission")


def test_the_ai_plus_plan_implements_the_2023_plan_and_measures_with_evidence(kg):
    rows = select(kg, """SELECT ?earlier ?exact WHERE {
        pkd:bj-ai-plus-action-plan-2024 eli:implements ?earlier .
        ?link pk:linkFrom pkd:bj-ai-plus-action-plan-2024 ; pk:linkTo ?earlier ; pk:linkProperty eli:implements ;
              pk:evidence/oa:exact ?exact } ORDER BY ?earlier""")
    assert [r[0] for r in rows] == ["pkd:bj-ai-innovation-hub-plan-2023", "pkd:bj-gai-measures-2023"]
    assert all("人工智慧" in exact for _, exact in rows)  # as the traditional-character source writes it


def test_the_ai_plus_plan_targets_for_the_end_of_2025(kg):
    rows = select(kg, """SELECT ?indicator ?cmp ?value ?min ?max ?unit ?deadline WHERE {
        pkd:bj-ai-plus-action-plan-2024 pk:hasGoal/pk:hasTarget ?t .
        ?t pk:indicator ?indicator ; pk:comparator ?cmp ; pk:unit ?unit ; pk:deadline ?deadline .
        OPTIONAL { ?t pk:targetValue ?value } OPTIONAL { ?t pk:targetMin ?min } OPTIONAL { ?t pk:targetMax ?max }
      } ORDER BY ?indicator""")
    assert rows == [
        ("ind:demonstration-application-projects", "cmp:exactly", "10", None, None, "unit:project", "2025"),
        ("ind:flagship-application-projects", "cmp:exactly", "5", None, None, "unit:project", "2025"),
        ("ind:foundation-model-products", "cmp:range", None, "3", "5", "unit:product", "2025"),
        ("ind:industry-model-products", "cmp:exactly", "100", None, None, "unit:product", "2025"),
        ("ind:industry-success-cases", "cmp:exactly", "1000", None, None, "unit:case", "2025"),
    ]


def test_the_etown_notice_number_date_issuer_level_and_what_it_implements(kg):
    rows = select(kg, """SELECT ?number ?issued ?issuer ?level ?earlier ?zh WHERE {
        pkd:bj-etown-ai-native-policies-2024 dct:identifier ?number ; dct:issued ?issued ; pk:issuedBy ?issuer ;
            pk:administrativeLevel ?level ; eli:implements ?earlier .
        ?issuer rdfs:label ?zh FILTER(LANG(?zh) = "zh") } ORDER BY ?earlier""")
    assert rows == [("京技管發〔2024〕29號", "2024-11-24", "pkd:beijing-etown-administrative-committee",
                     "level:development-zone", "pkd:bj-ai-innovation-hub-plan-2023", "北京经济技术开发区管理委员会")]


def test_the_etown_targets_for_2026(kg):
    found = policykg.targets(kg, "pkd:bj-etown-ai-native-policies-2024")
    assert sorted((shorten(t.indicator), t.wording(), t.deadline) for t in found) == [
        ("ind:ai-flagship-scenarios", "10 scenarios", "2026"),
        ("ind:ai-industry-chain-core-enterprises", "100 enterprises", "2026"),
        ("ind:ai-industry-scale", "more than 100 billion yuan", "2026"),
    ]


def test_lineage_of_the_2023_implementation_plan(kg):
    found = policykg.lineage(kg, "Beijing AI Innovation Hub Implementation Plan")
    assert found.policy == PKD + "bj-ai-innovation-hub-plan-2023"
    assert [(shorten(link.policy), link.relation, link.issued, link.level_label, len(link.issuers))
            for link in found.later] == [
        ("pkd:bj-ai-plus-action-plan-2024", "implements", "2024-07-26", "city", 3),
        ("pkd:bj-etown-ai-native-policies-2024", "implements", "2024-11-24", "development zone", 1),
    ]
    assert all(link.evidence for link in found.later)
    assert found.earlier == []
    back = policykg.lineage(kg, "pkd:bj-ai-plus-action-plan-2024")
    assert [shorten(link.policy) for link in back.earlier] == ["pkd:bj-ai-innovation-hub-plan-2023",
                                                                "pkd:bj-gai-measures-2023"]


def test_the_300_billion_yuan_target_is_met_by_the_2024_figure_with_evidence_on_both_sides(kg):
    [target] = [t for t in policykg.targets(kg, "pkd:bj-ai-innovation-hub-plan-2023")
                if t.target == PKD + "bj-ai-plan-target-core-industry-scale"]
    assert (t := target).status == "met"
    assert (t.wording(), t.deadline) == ("at least 300 billion yuan", "2025")
    assert (t.latest.period, t.figure_wording(), shorten(t.latest.observation)) == (
        "2024", "more than 300 billion yuan", "pkd:obs-ai-core-industry-scale-2024-beijing")
    assert "人工知能の中核産業の規模は3,000億元に達し" in t.evidence
    assert "核心产业营收超3000亿" in t.latest.evidence


def test_status_is_computed_from_comparator_deadline_and_figure_dates(kg):
    statuses = {shorten(t.target): t.status for t in policykg.targets(kg)}
    assert set(statuses.values()) <= set(policykg.targets.__globals__["STATUSES"])
    # No figure of these indicators exists yet for the policy's area.
    assert statuses["pkd:bj-ai-plus-target-flagship-projects"] == "no figure yet"
    assert statuses["pkd:bj-etown-target-ai-industry-scale"] == "no figure yet"
    # Status is never stored: no triple in the graph carries it.
    assert select(kg, """SELECT ?s WHERE { ?s ?p ?o FILTER(ISLITERAL(?o) && STR(?o) IN ("met", "on track", "behind")) }
        ORDER BY ?s""") == []


def test_the_program_grew_from_39_first_batch_members_to_more_than_300_partners(kg):
    rows = select(kg, """SELECT ?first ?partners ?cmp ?period WHERE {
        pkd:bj-gai-partnership-batch-1 pk:statedMemberCount ?first .
        ?o pk:indicator ind:gai-partner-companies ; sdmx-measure:obsValue ?partners ; pk:comparator ?cmp ;
           sdmx-dimension:refPeriod ?period } ORDER BY ?period""")
    assert rows == [("39", "300", "cmp:more-than", "2025-03")]
    assert int(rows[0][1]) > int(rows[0][0])
    categories = select(kg, "SELECT (COUNT(?r) AS ?n) WHERE { pkd:bj-gai-partnership-program-2023 pk:hasPartnerRole ?r }")
    assert categories == [("5",)]


def test_the_launch_report_adds_a_second_batch_call_and_1000_plus_core_enterprises(kg):
    assert select(kg, "SELECT ?n WHERE { pkd:bj-gai-partnership-batch-2 pk:batchOf pkd:bj-gai-partnership-program-2023 ; "
                      "pk:batchNumber ?n }") == [("2",)]
    assert select(kg, """SELECT ?v ?cmp WHERE { ?o pk:indicator ind:ai-core-enterprises ; sdmx-dimension:refArea pkd:beijing ;
        sdmx-dimension:refPeriod "2023-05"^^xsd:gYearMonth ; sdmx-measure:obsValue ?v ; pk:comparator ?cmp }""") == [
        ("1000", "cmp:more-than")]


def test_the_2024_figures(kg):
    rows = select(kg, """SELECT ?indicator ?period ?v ?rank WHERE {
        ?o prov:wasDerivedFrom pkd:news-bj-eit-digital-economy-press-conference-2025 ; pk:indicator ?indicator ;
           sdmx-dimension:refPeriod ?period ; sdmx-measure:obsValue ?v . OPTIONAL { ?o pk:rank ?rank } }
        ORDER BY ?indicator""")
    assert rows == [
        ("ind:ai-core-industry-scale", "2024", "300000000000", None),
        ("ind:ai-enterprises", "2024", "2400", None),
        ("ind:digital-economy-value-added", "2024", "2200000000000", None),
        ("ind:digital-economy-value-added-growth", "2024", "7.7", None),
        ("ind:gai-partner-companies", "2025-03", "300", None),
        ("ind:registered-large-models", "2025-03", "105", "1"),
    ]


def test_traditional_labels_keep_their_script_and_simplified_names_are_official(kg):
    rows = select(kg, """SELECT ?alt WHERE { pkd:bj-etown-ai-native-policies-2024 skos:altLabel ?alt
        FILTER(LANGMATCHES(LANG(?alt), "zh-Hant")) } ORDER BY ?alt""")
    assert rows == [("北京經濟技術開發區關於加快打造AI原生産業創新高地的若干政策",)]
    assert select(kg, """SELECT ?zh WHERE { pkd:bj-ai-plus-action-plan-2024 rdfs:label ?zh FILTER(LANG(?zh) = "zh") }""") \
        == [("北京市推动“人工智能+”行动计划（2024-2025年）",)]


def test_a_traditional_name_finds_the_entity_labelled_in_simplified_characters(kg):
    # The 2023 plan is labelled only in simplified characters (人工智能, 实施方案); the later sources write
    # its title in traditional characters, with 人工智慧 for 人工智能.
    assert policykg.resolve_entity(kg, "北京市加快建設具有全球影響力的人工智慧創新策源地實施方案（2023-2025年）") \
        == PKD + "bj-ai-innovation-hub-plan-2023"
    assert policykg.resolve_entity(kg, "北京經濟技術開發區管理委員會") == PKD + "beijing-etown-administrative-committee"


def test_the_cli_shows_targets_and_lineage_of_the_2023_plan(runner):
    from policykg.cli import cli

    result = runner.invoke(cli, ["targets", "pkd:bj-ai-innovation-hub-plan-2023"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("AI core industry scale"))
    assert all(s in line for s in ("at least 300 billion yuan", "2025", "more than 300 billion yuan", "met",
                                   "核心产业营收超3000亿"))
    result = runner.invoke(cli, ["lineage", "实施方案"])
    assert result.exit_code == 0, result.output
    assert "development zone" in result.output and "26 July 2024" in result.output
    result = runner.invoke(cli, ["lineage", "Baidu"])
    assert result.exit_code == 1 and "is not a policy" in result.output


# ---- pages

@pytest.fixture(scope="module")
def client():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from policykg.web import create_app

    with TestClient(create_app(query_timeout=10.0, workers=1)) as c:
        yield c


def test_the_targets_page_shows_each_target_with_its_latest_figure_status_and_evidence(client, kg):
    page = client.get("/targets?lang=en")
    assert page.status_code == 200
    html = page.text
    found = policykg.targets(kg)
    assert html.count('<tr class="status-') == len(found)
    met = next(t for t in found if t.status == "met")
    [row] = [r[:r.index("</tr>")] for r in html.split('<tr class="status-')[1:] if f">{met.label}<" in r]
    for text in (met.wording(), met.figure_wording(), met.latest_period_text(), "<strong>met</strong>",
                 *met.evidence, *met.latest.evidence):
        assert text in row, text


def test_the_targets_page_glosses_every_evidence_phrase_in_english(client, kg):
    import html as html_module

    from policykg.rdf.facts import evidence_of

    html = html_module.unescape(client.get("/targets?lang=en").text)
    found = policykg.targets(kg)
    nodes = [n for t in found for n in (t.target, *(f.observation for f in t.figures))]
    evidence = [e for n in nodes for e in evidence_of(kg.store, kg.labels, n, "en")]
    assert evidence and all(e["gloss"] for e in evidence)
    for e in evidence:
        assert f'{e["phrase"]}</q> <span class="phrase-gloss" lang="en">({e["gloss"]})</span>' in html, e["phrase"]


def test_the_targets_page_filters_by_policy_and_refuses_an_unknown_one(client):
    page = client.get("/targets", params={"policy": "pkd:bj-etown-ai-native-policies-2024"})
    assert page.status_code == 200 and page.text.count('<tr class="status-') == 3
    assert client.get("/targets", params={"policy": "no such policy at all"}).status_code == 404


def test_the_targets_page_escapes_what_it_shows(client):
    page = client.get("/targets", params={"policy": "<script>alert(1)</script>"})
    assert page.status_code == 404 and "<script>alert(1)" not in page.text


def test_the_partials_render_lineage_and_targets_for_an_entity_page(kg):
    from policykg.web.pages import make_environment

    env = make_environment()
    found = policykg.lineage(kg, "pkd:bj-ai-innovation-hub-plan-2023")
    html = env.get_template("_lineage.html").render(lineage=found, lang="en")
    assert "Carried out by later policies" in html and "development zone" in html and "26 July 2024" in html
    assert html.count("<tr>") == 1 + len(found.later)  # header row and one per linked policy
    html = env.get_template("_targets.html").render(
        targets=policykg.targets(kg, "pkd:bj-ai-innovation-hub-plan-2023"), lang="en")
    assert "<strong>met</strong>" in html and "核心产业营收超3000亿" in html


@pytest.mark.parametrize("name", ["policykg.followthrough.lineage", "policykg.followthrough.targets"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("comparator, target, figures, status", [
    ("at-least", "5000", [("2029", "4000", None)], "on track"),           # not yet, and the deadline is ahead
    ("at-least", "5000", [("2029", "6000", None), ("2030", "4000", None)], "behind"),  # the latest figure decides
    ("at-least", "5000", [("2030-06", "5000", None)], "met"),
    ("more-than", "5000", [("2030", "5000", None)], "behind"),            # reaching it is not exceeding it
    ("more-than", "5000", [("2030", "5000", "more-than")], "met"),        # "over 5,000" exceeds it
    ("at-most", "5000", [("2031", "4000", None)], "met"),
    ("at-least", "5000", [], "no figure yet"),
])
def test_status_follows_comparator_deadline_and_the_latest_figure(data_copy, tmp_path, comparator, target, figures,
                                                                   status):
    import copy

    from test_authoring import BASE, write

    sheet = copy.deepcopy(BASE)
    sheet["targets"][0].update(comparator=comparator, value=target)
    # A place of its own: the shipped graph's figures for Beijing must not take part.
    sheet["places"] = [{"id": "test-city", "type": "city", "label": {"ja": "テスト市", "en": "Test City"}}]
    sheet["policies"][0]["jurisdiction"] = "test-city"
    sheet["observations"] = [
        {"id": f"test-obs-{i}", "indicator": "ai-enterprises", "area": "test-city", "period": period, "value": value,
         "unit": "enterprise", **({"comparator": cmp} if cmp else {}), "label": {"en": f"figure {i}"},
         "source": "test-source", "evidence": ["5000社"]}
        for i, (period, value, cmp) in enumerate(figures)]
    sheet_path, text = write(tmp_path, sheet)
    add_sheet = policykg.add_sheet
    add_sheet(sheet_path, text, data_dir=data_copy)
    [found] = policykg.targets(policykg.load(data_copy), "pkd:test-policy-2030")
    assert found.status == status
    assert [f.period for f in found.figures] == sorted(p for p, _, _ in figures)
