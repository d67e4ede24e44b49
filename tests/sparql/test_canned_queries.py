"""Canned queries (queries/*.rq other than cq-*) answer correctly on the shipped graph.

Expected answers are written from the graph files and the article: the
partnership program's 10 named members, Beijing's three 2023 policies, the
implementation plan's 20 goals and 4 targets, Shanghai's statistics, and so on.
Cells are compared as prefixed names (IRIs) and lexical forms (literals).
"""

from __future__ import annotations

import pytest

from support import plain_cell

from policykg.cli import cli
from policykg.sparql.canned import find_query
from policykg.sparql.query import run_query

ARTICLE = "pkd:article-beijing-ai-capital-shanghai-metaverse"
PROGRAM = "pkd:bj-gai-partnership-program-2023"
CANNED = ["members-by-role", "organization-links", "policies-by-issuer-and-date", "goals-and-targets",
          "measure-categories", "plan-technologies", "city-indicators", "sources-and-evidence", "label-search"]




def run(kg, name: str, lang: str = "en", **params) -> list[dict[str, str]]:
    result = run_query(kg, name=name, params=params, lang=lang)
    return [dict(zip(result.variables, map(plain_cell, row))) for row in result.rows]


def project(rows, *columns) -> list[tuple[str, ...]]:
    return [tuple(r[c] for c in columns) for r in rows]


def example_params(name: str) -> dict[str, str]:
    return {p.name: p.example for p in find_query(name).params if p.name != "lang"}


# -- every query --------------------------------------------------------------

@pytest.mark.parametrize("name", CANNED)
def test_canned_query_declares_a_lang_parameter_and_an_example_for_each_parameter(name):
    query = find_query(name)
    assert "lang" in {p.name for p in query.params}
    assert all(p.example for p in query.params)


@pytest.mark.parametrize("lang", ["en", "ja", "zh"])
@pytest.mark.parametrize("name", CANNED)
def test_canned_query_with_its_examples_gives_distinct_rows_in_a_stable_order(kg, name, lang):
    first = run(kg, name, lang, **example_params(name))
    again = run(kg, name, lang, **example_params(name))
    assert first, "the example parameters should find something"
    assert first == again
    rows = [tuple(r.values()) for r in first]
    assert len(rows) == len(set(rows)), "duplicate rows"
    for row in first:  # a label column is never empty: it falls back to any language
        assert all(v for k, v in row.items() if k.endswith("Label")), row


# -- members-by-role ----------------------------------------------------------

MEMBERS = {
    ("role:application", "pkd:beijing-sme-service-center"),
    ("role:application", "pkd:haidian-city-brain"),
    ("role:computing-power", "pkd:alibaba-cloud-computing"),
    ("role:computing-power", "pkd:beijing-super-cloud-computing-center"),
    ("role:data", "pkd:beijing-academy-of-science-and-technology"),
    ("role:data", "pkd:beijing-big-data-center"),
    ("role:investment", "pkd:beijing-smartyuan-venture-capital-fund-management"),
    ("role:investment", "pkd:idg-capital-investment-consulting-beijing"),
    ("role:model", "pkd:alibaba-damo-academy-beijing"),
    ("role:model", "pkd:baidu-netcom"),
}


def test_members_by_role_gives_the_ten_named_partners_with_their_roles(kg):
    rows = run(kg, "members-by-role", program=PROGRAM)
    assert len(rows) == 10
    assert set(project(rows, "role", "member")) == MEMBERS
    assert {(r["batchNumber"], r["since"]) for r in rows} == {("1", "2023-05-19")}
    baidu = next(r for r in rows if r["member"] == "pkd:baidu-netcom")
    assert (baidu["roleLabel"], baidu["memberLabel"], baidu["membership"]) == (
        "model partner", "Beijing Baidu Netcom Science and Technology Co., Ltd.",
        "pkd:membership-bj-gai-partnership-baidu-netcom")


def test_members_by_role_is_ordered_by_role_label_then_member_label(kg):
    rows = run(kg, "members-by-role", program=PROGRAM)
    keys = project(rows, "roleLabel", "memberLabel")
    assert keys == sorted(keys)
    assert rows[0]["roleLabel"] == "application partner"


def test_members_by_role_labels_follow_the_language_and_fall_back_without_duplicates(kg):
    ja = {r["member"]: r for r in run(kg, "members-by-role", lang="ja", program=PROGRAM)}
    assert ja["pkd:beijing-big-data-center"]["memberLabel"] == "北京ビッグデータセンター"
    assert ja["pkd:beijing-big-data-center"]["roleLabel"] == "データパートナー"
    zh = run(kg, "members-by-role", lang="zh", program=PROGRAM)
    assert len(zh) == 10
    by_member = {r["member"]: r["memberLabel"] for r in zh}
    assert by_member["pkd:baidu-netcom"] == "北京百度网讯科技有限公司"
    # no Chinese label is given for the investment firm whose name is uncertain: any language
    assert by_member["pkd:beijing-smartyuan-venture-capital-fund-management"] == (
        "Beijing Smartyuan Venture Capital Fund Management Co., Ltd.")


def test_members_by_role_of_something_that_is_not_a_program_is_empty(kg):
    assert run(kg, "members-by-role", program="pkd:baidu-netcom") == []


# -- organization-links -------------------------------------------------------

def test_organization_links_of_baidu_are_its_membership_and_its_city(kg):
    rows = run(kg, "organization-links", org="pkd:baidu-netcom")
    assert project(rows, "entity", "entityLabel", "via", "source") == [
        ("pkd:beijing", "Beijing", "basedIn", ARTICLE),
        (PROGRAM, "Beijing General Artificial Intelligence Industry Innovation Partnership Program",
         "member (model partner, batch 1)", ARTICLE),
    ]


def test_organization_links_of_a_government_cover_issued_published_and_sub_organizations(kg):
    rows = run(kg, "organization-links", org="pkd:beijing-municipal-government")
    links = set(project(rows, "entity", "via", "source"))
    assert links == {
        ("pkd:beijing", "basedIn", ARTICLE),
        ("pkd:beijing-economy-it-bureau", "hasSubOrganization", ARTICLE),
        ("pkd:beijing-economy-it-bureau", "hasSubOrganization", "pkd:announcement-bj-gai-partnership-program-2023"),
        ("pkd:beijing-municipal-government-general-office", "hasSubOrganization", ARTICLE),
        ("pkd:beijing-municipal-government-general-office", "hasSubOrganization", "pkd:notice-bj-gai-measures-2023"),
        ("pkd:beijing-14th-five-year-plan", "issued", ARTICLE),
        ("pkd:bj-ai-innovation-hub-plan-2023", "issued", ARTICLE),
        ("pkd:bj-ai-innovation-hub-plan-2023", "issued", "pkd:notice-bj-ai-innovation-hub-plan-2023"),
        # a source is not derived from anything, so its publisher link has no source
        ("pkd:notice-bj-ai-innovation-hub-plan-2023", "published", ""),
        # from the later sources added through sheets (issue 12)
        ("pkd:beijing-development-reform-commission", "hasSubOrganization", "pkd:source-bj-ai-plus-action-plan-2024-newton"),
        ("pkd:beijing-science-technology-commission", "hasSubOrganization", "pkd:source-bj-ai-plus-action-plan-2024-newton"),
        ("pkd:notice-bj-etown-ai-native-policies-2024", "published", ""),
    }


def test_organization_links_of_a_bureau_include_its_parent_and_what_it_published(kg):
    links = set(project(run(kg, "organization-links", org="pkd:beijing-economy-it-bureau"), "entity", "via"))
    assert ("pkd:beijing-municipal-government", "subOrganizationOf") in links
    assert (PROGRAM, "issued") in links
    assert ("pkd:report-beijing-ai-white-paper-2022", "published") in links
    assert ("pkd:announcement-bj-gai-partnership-program-2023", "published") in links


def test_organization_links_of_a_company_show_posts_holders_and_statements_about_it(kg):
    rows = run(kg, "organization-links", org="pkd:htc")
    assert set(project(rows, "entity", "via")) == {
        ("pkd:post-htc-global-vice-president", "post (global vice president)"),
        ("pkd:huang-zhaoying", "post holder (global vice president)"),
        ("pkd:stmt-huang-optimistic", "statement about it"),
    }


def test_organization_links_of_a_medium_are_the_statements_it_reported(kg):
    rows = run(kg, "organization-links", org="pkd:the-paper")
    assert {r["via"] for r in rows} == {"reported"}
    assert {r["entity"] for r in rows} == {
        "pkd:stmt-huang-ai-underlying-technology", "pkd:stmt-huang-application-scenarios",
        "pkd:stmt-huang-criticism-from-meta", "pkd:stmt-huang-metaverse-not-cooling",
        "pkd:stmt-huang-optimistic"}


def test_organization_links_of_a_program_list_its_members(kg):
    rows = run(kg, "organization-links", org=PROGRAM)
    assert {(r["via"].split(" (")[0], r["entity"]) for r in rows} == {("has member", m) for _, m in MEMBERS}
    assert ("pkd:baidu-netcom", "has member (model partner, batch 1)") in project(rows, "entity", "via")


# -- policies-by-issuer-and-date ----------------------------------------------

def test_policies_of_the_beijing_government_in_2023_include_those_of_its_departments(kg):
    rows = run(kg, "policies-by-issuer-and-date", issuer="pkd:beijing-municipal-government",
               **{"from": "2023-01-01", "to": "2023-12-31"})
    assert project(rows, "policy", "issued", "kind", "level", "issuedBy") == [
        (PROGRAM, "2023-05-19", "kind:partnership-program", "level:operational", "pkd:beijing-economy-it-bureau"),
        ("pkd:bj-ai-innovation-hub-plan-2023", "2023-05-30", "kind:implementation-plan", "level:strategic",
         "pkd:beijing-municipal-government"),
        ("pkd:bj-gai-measures-2023", "2023-05-30", "kind:measures", "level:tactical",
         "pkd:beijing-municipal-government-general-office"),
    ]
    assert not any("shanghai" in r["policy"] for r in rows)
    assert rows[2]["label"] == ("Several Measures of Beijing for Promoting the Innovation and Development "
                                "of General Artificial Intelligence")


def test_policies_by_issuer_and_date_bounds_are_inclusive(kg):
    rows = run(kg, "policies-by-issuer-and-date", issuer="pkd:beijing-municipal-government",
               **{"from": "2023-05-20", "to": "2023-05-30"})
    assert [r["policy"] for r in rows] == ["pkd:bj-ai-innovation-hub-plan-2023", "pkd:bj-gai-measures-2023"]


def test_policies_of_a_department_do_not_include_its_parent_s(kg):
    rows = run(kg, "policies-by-issuer-and-date", issuer="pkd:beijing-economy-it-bureau",
               **{"from": "2023-01-01", "to": "2023-12-31"})
    assert [r["policy"] for r in rows] == [PROGRAM]


def test_policies_of_the_shanghai_government_are_the_2022_plan_only(kg):
    rows = run(kg, "policies-by-issuer-and-date", issuer="pkd:shanghai-municipal-government",
               **{"from": "2022-01-01", "to": "2023-12-31"})
    # the 2023 key-technology plan has a period but no issue date in the graph
    assert project(rows, "policy", "issued", "issuedBy") == [
        ("pkd:shanghai-metaverse-new-track-plan-2022", "2022-07-08", "pkd:shanghai-municipal-government-general-office")]


# -- goals-and-targets --------------------------------------------------------

def test_goals_and_targets_of_the_implementation_plan_are_twenty_goals_with_four_targets(kg):
    rows = run(kg, "goals-and-targets", policy="pkd:bj-ai-innovation-hub-plan-2023")
    assert len(rows) == 20
    assert {r["deadline"] for r in rows} == {"2025"}
    targets = {r["goal"]: (r["indicator"], r["comparator"], r["value"], r["min"], r["max"], r["unit"])
               for r in rows if r["indicator"]}
    assert targets == {
        "pkd:bj-ai-plan-goal-core-industry":
            ("ind:ai-core-industry-scale", "cmp:at-least", "300000000000", "", "", "unit:yuan"),
        "pkd:bj-ai-plan-goal-core-industry-growth":
            ("ind:ai-core-industry-growth", "cmp:at-least", "10", "", "", "unit:percent"),
        "pkd:bj-ai-plan-goal-driven-industry":
            ("ind:ai-driven-industry-scale", "cmp:more-than", "1000000000000", "", "", "unit:yuan"),
        "pkd:bj-ai-plan-goal-new-unicorns":
            ("ind:new-unicorns", "cmp:range", "", "5", "10", "unit:enterprise"),
    }
    core = next(r for r in rows if r["goal"] == "pkd:bj-ai-plan-goal-core-industry")
    assert core["goalLabel"] == "AI core industry reaches 300 billion yuan"


def test_goals_without_a_deadline_or_target_still_appear(kg):
    rows = run(kg, "goals-and-targets", lang="ja", policy="pkd:shanghai-metaverse-key-tech-plan-2023")
    assert len(rows) == 6
    assert sum(1 for r in rows if r["deadline"] == "2025") == 3
    assert not any(r["indicator"] for r in rows)
    sensitive = next(r for r in rows if r["goal"] == "pkd:sh-metaverse-plan-goal-sensitive-information")
    assert sensitive["goalLabel"] == "コンテンツのインテリジェントな生成プロセスにおける機密情報の回避"


# -- measure-categories -------------------------------------------------------

def test_measure_categories_are_the_five_aspects_with_the_stated_total_of_21(kg):
    rows = run(kg, "measure-categories", policy="pkd:bj-gai-measures-2023")
    assert project(rows, "category", "categoryLabel", "count", "total") == [
        ("measure:computing-power", "computing power", "", "21"),
        ("measure:data", "data", "", "21"),
        ("measure:model", "models", "", "21"),
        ("measure:scenario", "application scenarios", "", "21"),
        ("measure:supervision", "regulation", "", "21"),
    ]


def test_measure_category_labels_in_japanese(kg):
    rows = run(kg, "measure-categories", lang="ja", policy="pkd:bj-gai-measures-2023")
    assert [r["categoryLabel"] for r in rows] == ["コンピューティング能力", "データ", "モデル", "シナリオ", "監視"]


# -- plan-technologies --------------------------------------------------------

def test_plan_technologies_of_shanghai_plan_are_two_directions_two_areas_and_twelve_key_technologies(kg):
    rows = run(kg, "plan-technologies", policy="pkd:shanghai-metaverse-key-tech-plan-2023")
    kinds = {}
    for r in rows:
        kinds.setdefault(r["kind"], set()).add(r["technology"])
    assert kinds["direction"] == {"tech:immersive-technology", "tech:web3-technology"}
    assert kinds["area"] == {"tech:immersive-audiovisual-computing", "tech:new-display-sensory-interaction"}
    assert len(kinds["key technology"]) == 12
    broader = {r["technology"]: r["broader"] for r in rows}
    assert broader["tech:immersive-technology"] == "tech:metaverse"
    assert broader["tech:aigc"] == "tech:immersive-audiovisual-computing"
    assert broader["tech:near-eye-display"] == "tech:new-display-sensory-interaction"
    labels = {r["technology"]: r["technologyLabel"] for r in rows}
    assert labels["tech:web3-technology"] == "Web3 technology"


def test_plan_technologies_of_the_implementation_plan(kg):
    rows = run(kg, "plan-technologies", policy="pkd:bj-ai-innovation-hub-plan-2023")
    assert project(rows, "technology", "kind") == [
        ("tech:general-ai", "direction"),
        ("tech:ai-chip", "key technology"),
        ("tech:deep-learning-framework", "key technology"),
        ("tech:general-vision-model", "key technology"),
        ("tech:multimodal-interaction-model", "key technology"),
        ("tech:natural-language-model", "key technology"),
    ]


# -- city-indicators ----------------------------------------------------------

def test_city_indicators_for_shanghai_include_first_place_in_software_and_hardware_enterprises(kg):
    rows = run(kg, "city-indicators", city="pkd:shanghai")
    assert len(rows) == 11
    cols = ("indicator", "period", "value", "unit", "comparator", "rank", "group")
    got = set(project(rows, *cols))
    assert ("ind:computer-software-hardware-enterprises", "2021", "813000", "unit:enterprise", "", "1",
            "pkd:group-top50-gdp-cities-2021") in got
    assert ("ind:ai-core-enterprises", "2023", "1000", "unit:enterprise", "cmp:at-least", "", "") in got
    assert ("ind:digital-tech-density", "2021", "", "", "", "3", "pkd:group-top50-gdp-cities-2021") in got
    assert ("ind:metaverse-policies", "2023-03", "16", "unit:policy", "", "1",
            "pkd:group-china-regions-metaverse-policies") in got
    sw = next(r for r in rows if r["indicator"] == "ind:computer-software-hardware-enterprises")
    assert sw["indicatorLabel"] == "number of computer software and hardware enterprises"


def test_city_indicators_for_beijing_rank_it_second_in_software_and_hardware_enterprises(kg):
    rows = run(kg, "city-indicators", city="pkd:beijing")
    sw = [r for r in rows if r["indicator"] == "ind:computer-software-hardware-enterprises"]
    assert project(sw, "value", "rank") == [("683000", "2")]


# -- sources-and-evidence -----------------------------------------------------

def test_sources_and_evidence_of_baidu_s_membership(kg):
    rows = run(kg, "sources-and-evidence", entity="pkd:membership-bj-gai-partnership-baidu-netcom")
    title = "Beijing builds an \"AI capital\", Shanghai's metaverse \"sprints\""
    assert project(rows, "kind", "source", "title", "publisher", "phrase", "evidence") == [
        ("source", ARTICLE, title, "pkd:zero-one-finance", "", ""),
        ("evidence", ARTICLE, title, "pkd:zero-one-finance", "7 社のモデル パートナー",
         "pkd:ev-bj-gai-partnership-count-model"),
        ("evidence", ARTICLE, title, "pkd:zero-one-finance", "Baidu.com Technology Co., Ltd.",
         "pkd:ev-bj-gai-partnership-member-baidu"),
    ]


def test_sources_and_evidence_list_every_source_of_a_policy(kg):
    rows = run(kg, "sources-and-evidence", lang="ja", entity="pkd:bj-gai-measures-2023")
    sources = project([r for r in rows if r["kind"] == "source"], "source", "title", "publisher")
    assert sources == [
        (ARTICLE, "北京が「AI首都」を構築、上海メタバースが「疾走」", "pkd:zero-one-finance"),
        # the notice has no Japanese title: any language
        ("pkd:notice-bj-gai-measures-2023",
         "Notice of the General Office of the Beijing Municipal People's Government issuing the general-AI measures",
         "pkd:beijing-municipal-government-general-office"),
    ]
    phrases = {r["phrase"] for r in rows if r["kind"] == "evidence"}
    assert "21の具体的な措置を提案しました" in phrases
    assert len(phrases) == 12


# -- label-search -------------------------------------------------------------

@pytest.mark.parametrize("text, entity", [
    ("百度", "pkd:baidu-netcom"),
    ("Baidu", "pkd:baidu-netcom"),
    ("baidu", "pkd:baidu-netcom"),
    ("BAIDU", "pkd:baidu-netcom"),
    ("アリババクラウド", "pkd:alibaba-cloud-computing"),
    ("阿里云", "pkd:alibaba-cloud-computing"),
    ("stcsm", "pkd:shanghai-science-technology-commission"),
])
def test_label_search_finds_an_entity_by_any_of_its_names_ignoring_case(kg, text, entity):
    rows = run(kg, "label-search", text=text)
    assert entity in {r["entity"] for r in rows}
    for r in rows:
        assert text.lower() in r["label"].lower()


def test_label_search_for_baidu_in_chinese_gives_its_three_chinese_names_exact_then_prefix_then_inside(kg):
    rows = run(kg, "label-search", text="百度")
    assert project(rows, "entity", "entityLabel", "label", "language", "type") == [
        ("pkd:baidu-netcom", "Beijing Baidu Netcom Science and Technology Co., Ltd.", "百度", "zh", "org:Organization"),
        ("pkd:baidu-netcom", "Beijing Baidu Netcom Science and Technology Co., Ltd.", "百度网讯", "zh",
         "org:Organization"),
        ("pkd:baidu-netcom", "Beijing Baidu Netcom Science and Technology Co., Ltd.", "北京百度网讯科技有限公司", "zh",
         "org:Organization"),
    ]


def test_label_search_gives_one_row_per_name_and_language_with_the_most_specific_type(kg):
    rows = run(kg, "label-search", text="baidu")
    assert set(project(rows, "entity", "label", "language", "type")) == {
        ("pkd:baidu-netcom", "Baidu", "en", "org:Organization"),
        ("pkd:baidu-netcom", "Baidu.com Technology Co., Ltd.", "en", "org:Organization"),
        ("pkd:baidu-netcom", "Baidu.com Technology Co., Ltd.", "ja", "org:Organization"),
        ("pkd:baidu-netcom", "Beijing Baidu Netcom Science and Technology Co., Ltd.", "en", "org:Organization"),
        ("pkd:membership-bj-gai-partnership-baidu-netcom", "Baidu: model partner (first batch)", "en",
         "pk:PartnerMembership"),
        ("pkd:membership-bj-gai-partnership-baidu-netcom", "Baidu.com Technology：モデルパートナー(第1陣)", "ja",
         "pk:PartnerMembership"),
    }


def test_label_search_finds_concepts_and_titles(kg):
    assert {r["type"] for r in run(kg, "label-search", text="モデルパートナー") if r["entity"] == "role:model"} == {
        "pk:PartnerRole"}
    titles = run(kg, "label-search", text="北京市促进通用人工智能创新发展的若干措施")
    assert "pkd:bj-gai-measures-2023" in {r["entity"] for r in titles}


def test_label_search_with_empty_text_finds_nothing(kg):
    assert run(kg, "label-search", text="") == []


# -- command line -------------------------------------------------------------

MEMBERS_EN = """\
role                  roleLabel                member                                                 memberLabel                                                  batchNumber  since       membership
--------------------  -----------------------  -----------------------------------------------------  -----------------------------------------------------------  -----------  ----------  -----------------------------------------------------------------------------------
role:application      application partner      pkd:beijing-sme-service-center                         Beijing Small and Medium-sized Enterprises Service Center    1            2023-05-19  pkd:membership-bj-gai-partnership-beijing-sme-service-center
role:application      application partner      pkd:haidian-city-brain                                 Haidian City Brain                                           1            2023-05-19  pkd:membership-bj-gai-partnership-haidian-city-brain
role:computing-power  computing power partner  pkd:alibaba-cloud-computing                            Alibaba Cloud Computing Co., Ltd.                            1            2023-05-19  pkd:membership-bj-gai-partnership-alibaba-cloud-computing
role:computing-power  computing power partner  pkd:beijing-super-cloud-computing-center               Beijing Super Cloud Computing Center                         1            2023-05-19  pkd:membership-bj-gai-partnership-beijing-super-cloud-computing-center
role:data             data partner             pkd:beijing-academy-of-science-and-technology          Beijing Academy of Science and Technology                    1            2023-05-19  pkd:membership-bj-gai-partnership-beijing-academy-of-science-and-technology
role:data             data partner             pkd:beijing-big-data-center                            Beijing Big Data Center                                      1            2023-05-19  pkd:membership-bj-gai-partnership-beijing-big-data-center
role:investment       investment partner       pkd:beijing-smartyuan-venture-capital-fund-management  Beijing Smartyuan Venture Capital Fund Management Co., Ltd.  1            2023-05-19  pkd:membership-bj-gai-partnership-beijing-smartyuan-venture-capital-fund-management
role:investment       investment partner       pkd:idg-capital-investment-consulting-beijing          IDG Capital Investment Consulting (Beijing) Co., Ltd.        1            2023-05-19  pkd:membership-bj-gai-partnership-idg-capital-investment-consulting-beijing
role:model            model partner            pkd:alibaba-damo-academy-beijing                       Alibaba DAMO Academy (Beijing) Technology Co., Ltd.          1            2023-05-19  pkd:membership-bj-gai-partnership-alibaba-damo-academy-beijing
role:model            model partner            pkd:baidu-netcom                                       Beijing Baidu Netcom Science and Technology Co., Ltd.        1            2023-05-19  pkd:membership-bj-gai-partnership-baidu-netcom
(10 rows)
"""

ORG_LINKS_BAIDU_JA = """\
entity                               entityLabel                                                   via                                 source
-----------------------------------  ------------------------------------------------------------  ----------------------------------  -------------------------------------------------
pkd:beijing                          北京                                                          basedIn                             pkd:article-beijing-ai-capital-shanghai-metaverse
pkd:bj-gai-partnership-program-2023  北京汎用人工知能産業イノベーションパートナーシッププログラム  member (モデルパートナー, batch 1)  pkd:article-beijing-ai-capital-shanghai-metaverse
(2 rows)
"""


def test_cli_members_by_role_prints_the_exact_table_in_english(runner):
    result = runner.invoke(cli, ["query", "members-by-role", "-p", "program", PROGRAM, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output == MEMBERS_EN


def test_cli_organization_links_with_lang_ja_shows_japanese_labels(runner):
    result = runner.invoke(cli, ["query", "organization-links", "-p", "org", "pkd:baidu-netcom", "--lang", "ja"])
    assert result.exit_code == 0, result.output
    assert result.output == ORG_LINKS_BAIDU_JA


def test_cli_policies_by_issuer_and_date_prints_the_exact_table(runner):
    result = runner.invoke(cli, ["query", "policies-by-issuer-and-date", "-p", "issuer", "pkd:beijing-municipal-government",
                                 "-p", "from", "2023-05-20", "-p", "to", "2023-05-30", "--lang", "ja"])
    assert result.exit_code == 0, result.output
    assert result.output == """\
policy                              label                                                                                                        issued      kind                      level            issuedBy
----------------------------------  -----------------------------------------------------------------------------------------------------------  ----------  ------------------------  ---------------  -----------------------------------------------
pkd:bj-ai-innovation-hub-plan-2023  世界的に影響力のある人工知能イノベーションセンターとしての北京の建設を加速するための実施計画(2023年~2025年)  2023-05-30  kind:implementation-plan  level:strategic  pkd:beijing-municipal-government
pkd:bj-gai-measures-2023            北京における汎用人工知能の革新と発展を促進するためのいくつかの措置                                           2023-05-30  kind:measures             level:tactical   pkd:beijing-municipal-government-general-office
(2 rows)
"""


def test_cli_sources_and_evidence_as_csv_gives_full_iris_and_crlf_lines(runner):
    result = runner.invoke(cli, ["query", "sources-and-evidence", "-p", "entity",
                                 "pkd:membership-bj-gai-partnership-baidu-netcom", "--format", "csv"])
    assert result.exit_code == 0, result.output
    article = "https://w3id.org/policykg/id/article-beijing-ai-capital-shanghai-metaverse"
    title = '"Beijing builds an ""AI capital"", Shanghai\'s metaverse ""sprints"""'
    publisher = "https://w3id.org/policykg/id/zero-one-finance"
    assert result.stdout_bytes.decode("utf-8") == (
        "kind,source,title,publisher,phrase,evidence\r\n"
        f"source,{article},{title},{publisher},,\r\n"
        f"evidence,{article},{title},{publisher},7 社のモデル パートナー,"
        "https://w3id.org/policykg/id/ev-bj-gai-partnership-count-model\r\n"
        f"evidence,{article},{title},{publisher},\"Baidu.com Technology Co., Ltd.\","
        "https://w3id.org/policykg/id/ev-bj-gai-partnership-member-baidu\r\n"
    )


def test_cli_label_search_defaults_lang_to_english(runner):
    result = runner.invoke(cli, ["query", "label-search", "-p", "text", "阿里云", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode("utf-8") == (
        "entity,entityLabel,label,language,type\r\n"
        "https://w3id.org/policykg/id/alibaba-cloud-computing,\"Alibaba Cloud Computing Co., Ltd.\",阿里云,zh,"
        "http://www.w3.org/ns/org#Organization\r\n"
        "https://w3id.org/policykg/id/alibaba-cloud-computing,\"Alibaba Cloud Computing Co., Ltd.\",阿里云计算有限公司,zh,"
        "http://www.w3.org/ns/org#Organization\r\n"
    )


def test_cli_missing_parameter_names_the_example(runner):
    result = runner.invoke(cli, ["query", "goals-and-targets"])
    assert result.exit_code != 0
    assert "-p policy pkd:bj-ai-innovation-hub-plan-2023" in result.output
