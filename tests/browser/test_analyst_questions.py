"""Acceptance: 20 questions analysts ask of this graph, each answered within 3 clicks of the home page.

Each question starts on the home page of a real server and follows links
(every ``click`` is one click on a link; at most 3). On the page it ends on,
the answer must be visible together with a phrase that supports it and the
title of the source that phrase was read in. What "the answer" is comes from
the graph (a query over the store, worded by policykg.wording and
policykg.rdf.facts), never from text typed into this test, so the test
checks that the pages show what the graph holds.
"""

from __future__ import annotations

import re

import pytest

import policykg
from policykg import paths
from policykg.namespaces import sparql_prefixes
from policykg.rdf.facts import evidence_of, fact_sentence
from policykg.web.entities import entity_path
from policykg.wording import format_date

from support import start_app_server, stop_server

MAX_CLICKS = 3
PLAN = "pkd:bj-ai-innovation-hub-plan-2023"
PROGRAM = "pkd:bj-gai-partnership-program-2023"
IND = policykg.namespaces.PREFIXES["ind"]


@pytest.fixture(scope="module")
def kg():
    return policykg.load()


@pytest.fixture(scope="module")
def server():
    proc, base = start_app_server(paths.data_root(), timeout=30.0, workers=2)
    yield base
    stop_server(proc)


def iris(kg, query: str) -> list[str]:
    """The values of the first column, as strings."""
    result = kg.store.query(sparql_prefixes() + query)
    first = result.variables[0].value
    return sorted({row[first].value for row in result})


def label(kg, iri: str) -> str:
    return kg.labels.best(iri, "en")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Visit:
    """One question's walk: home page, then at most MAX_CLICKS clicks on links."""

    def __init__(self, page, server):
        self.page, self.clicks = page, 0
        page.goto(server + "/")

    def click(self, selector: str) -> "Visit":
        self.clicks += 1
        assert self.clicks <= MAX_CLICKS, "more than 3 clicks"
        link = self.page.locator(selector).first
        assert link.count() == 1, f"no link {selector} on {self.page.url}"
        link.click()
        self.page.wait_for_load_state("load")
        return self

    @property
    def text(self) -> str:
        return squash(self.page.locator("body").inner_text())

    def shows(self, *texts: str) -> None:
        shown = self.text
        for t in texts:
            assert squash(t) in shown, f"{t!r} is not shown on {self.page.url}"

    def shows_evidence_of(self, kg, iri: str) -> None:
        """At least one phrase backing ``iri`` is shown, with the title of its source."""
        items = evidence_of(kg.store, kg.labels, iri, "en")
        assert items, f"{iri} has no evidence in the graph"
        shown = self.text
        for item in items:
            if squash(item["phrase"]) in shown and item["source"] and squash(item["source"]["title"]) in shown:
                return
        raise AssertionError(f"no phrase of {iri} is shown with its source on {self.page.url}")

    def shows_fact(self, kg, iri: str) -> None:
        """The fact ``iri`` states, in words (or its label), with a phrase and source behind it."""
        self.shows(fact_sentence(kg.store, kg.labels, iri, "en") or label(kg, iri))
        self.shows_evidence_of(kg, iri)


def ask(page, server) -> Visit:
    return Visit(page.page, server)


def question(link: str) -> str:
    """A question's entry point on the home page."""
    return f'#questions a[href="{link}"]'


# 1
def test_members_of_the_partnership_program_by_role_and_since_when(kg, server, page):
    v = ask(page, server).click(question("/id/bj-gai-partnership-program-2023"))
    for m in iris(kg, f"SELECT ?m WHERE {{ ?m org:organization {PROGRAM} }}"):
        member, role, since = (iris(kg, f"SELECT ?x WHERE {{ <{m}> {p} ?x }}")[0]
                               for p in ("org:member", "org:role", "org:memberDuring/time:hasBeginning/time:inXSDDate"))
        v.shows(label(kg, member), label(kg, role), "since " + format_date(since))
        v.shows_evidence_of(kg, m)


# 2
def test_is_baidu_a_member_in_what_role_since_when_says_who(kg, server, page):
    v = ask(page, server).click(question("/id/baidu-netcom"))
    (m,) = iris(kg, "SELECT ?m WHERE { ?m org:member pkd:baidu-netcom }")
    role = iris(kg, f"SELECT ?r WHERE {{ <{m}> org:role ?r }}")[0]
    since = iris(kg, f"SELECT ?d WHERE {{ <{m}> org:memberDuring/time:hasBeginning/time:inXSDDate ?d }}")[0]
    program = iris(kg, f"SELECT ?p WHERE {{ <{m}> org:organization ?p }}")[0]
    v.shows(label(kg, role).capitalize(), label(kg, program), "since " + format_date(since))
    v.shows_evidence_of(kg, m)


# 3
def test_stated_and_named_members_side_by_side(kg, server, page):
    v = ask(page, server).click(question("/id/bj-gai-partnership-batch-1"))
    batch = policykg.namespaces.PKD + "bj-gai-partnership-batch-1"
    stated = iris(kg, f"SELECT ?n WHERE {{ <{batch}> pk:statedMemberCount ?n }}")[0]
    named = len(iris(kg, f"SELECT ?m WHERE {{ ?m pk:batch <{batch}> }}"))
    v.shows(f"{stated} members stated; {named} named")
    v.shows_evidence_of(kg, batch)


# 4
def test_policies_issued_on_30_may_2023(kg, server, page):
    v = ask(page, server).click(question("/queries/cq-policies-issued-on-2023-05-30"))
    v.page.wait_for_selector("#results tbody tr")
    found = iris(kg, 'SELECT ?p WHERE { ?p a pk:PolicyDocument ; dct:issued "2023-05-30"^^xsd:date }')
    assert found
    for p in found:
        v.shows(label(kg, p))
        v.shows_evidence_of(kg, p)


# 5
def test_2025_targets_of_the_implementation_plan(kg, server, page):
    v = ask(page, server).click(question("/id/bj-ai-innovation-hub-plan-2023"))
    targets = iris(kg, f"SELECT ?t WHERE {{ {PLAN} pk:hasGoal/pk:hasTarget ?t }}")
    assert targets
    for t in targets:
        v.shows_fact(kg, t)


# 6
def test_who_issued_the_implementation_plan_and_when(kg, server, page):
    v = ask(page, server).click(question("/id/bj-ai-innovation-hub-plan-2023"))
    issuer = iris(kg, f"SELECT ?o WHERE {{ {PLAN} pk:issuedBy ?o }}")[0]
    issued = iris(kg, f"SELECT ?d WHERE {{ {PLAN} dct:issued ?d }}")[0]
    v.shows(f"issued by {label(kg, issuer)} on {format_date(issued)}")
    v.shows_evidence_of(kg, policykg.namespaces.PKD + PLAN[4:])


# 7
def test_beijing_and_shanghai_digital_technology_figures_with_values(kg, server, page):
    v = ask(page, server).click(question("/queries/cq-beijing-vs-shanghai-ranks"))
    v.page.wait_for_selector("#results tbody tr")
    figures = iris(kg, """SELECT ?o WHERE {
        VALUES ?city { pkd:beijing pkd:shanghai }
        ?o a pk:Observation ; sdmx-dimension:refArea ?city ; pk:indicator ?i ; sdmx-measure:obsValue ?v ;
           pk:rank ?r ; pk:comparisonGroup ?g .
        FILTER(STRSTARTS(STR(?i), "https://w3id.org/policykg/vocab/indicator/digital-tech")) }""")
    assert figures
    for o in figures:
        v.shows_fact(kg, o)


# 8
def test_top_cities_in_digital_technology_totals(kg, server, page):
    v = ask(page, server).click(question(entity_path(IND + "digital-tech-total")))
    ranked = iris(kg, "SELECT ?o WHERE { ?o pk:indicator ind:digital-tech-total ; pk:rank ?r }")
    assert len(ranked) >= 3
    for o in ranked:
        v.shows_fact(kg, o)


# 9
def test_the_national_digital_economy_index_series(kg, server, page):
    v = ask(page, server).click(question(entity_path(IND + "digital-economy-index")))
    series = iris(kg, "SELECT ?o WHERE { ?o pk:indicator ind:digital-economy-index ;"
                      " sdmx-dimension:refArea pkd:china }")
    assert len(series) >= 2
    for o in series:
        v.shows_fact(kg, o)


# 10
def test_large_models_by_area(kg, server, page):
    v = ask(page, server).click(question("/id/dataset-china-ai-large-model-map"))
    for o in iris(kg, "SELECT ?o WHERE { ?o qb:dataSet pkd:dataset-china-ai-large-model-map }"):
        v.shows_fact(kg, o)


# 11
def test_technologies_of_shanghais_metaverse_plan(kg, server, page):
    v = ask(page, server).click(question("/id/shanghai-metaverse-key-tech-plan-2023"))
    techs = iris(kg, """SELECT ?t WHERE { pkd:shanghai-metaverse-key-tech-plan-2023
        pk:hasTechnologyDirection|pk:hasTechnologyArea|pk:hasKeyTechnology ?t }""")
    assert techs
    v.shows(*(label(kg, t) for t in techs))
    v.shows_evidence_of(kg, policykg.namespaces.PKD + "shanghai-metaverse-key-tech-plan-2023")


# 12
def test_period_of_shanghais_metaverse_plan(kg, server, page):
    v = ask(page, server).click(question("/id/shanghai-metaverse-key-tech-plan-2023"))
    start, end = (iris(kg, f"""SELECT ?y WHERE {{ pkd:shanghai-metaverse-key-tech-plan-2023
        pk:period/time:{p}/time:inXSDgYear ?y }}""")[0] for p in ("hasBeginning", "hasEnd"))
    v.shows(f"for {start}–{end}")
    v.shows_evidence_of(kg, policykg.namespaces.PKD + "shanghai-metaverse-key-tech-plan-2023")


# 13
def test_metaverse_policy_counts(kg, server, page):
    v = ask(page, server).click(question("/id/dataset-china-metaverse-policy-summary-2023-03"))
    counts = iris(kg, "SELECT ?o WHERE { ?o qb:dataSet pkd:dataset-china-metaverse-policy-summary-2023-03 }")
    assert counts
    for o in counts:
        v.shows_fact(kg, o)


# 14
def test_people_quoted_and_their_organizations(kg, server, page):
    v = ask(page, server).click(question("/queries/cq-people-quoted"))
    v.page.wait_for_selector("#results tbody tr")
    people = iris(kg, "SELECT ?s WHERE { ?s a pk:Statement ; pk:speaker ?p }")
    assert people
    for s in people:
        speaker = iris(kg, f"SELECT ?p WHERE {{ <{s}> pk:speaker ?p }}")[0]
        org = iris(kg, f"SELECT ?o WHERE {{ <{s}> pk:speakerPost/org:postIn ?o }}")
        v.shows(label(kg, speaker), *(label(kg, o) for o in org))
        v.shows_evidence_of(kg, s)


# 15
def test_measure_categories_of_the_beijing_measures(kg, server, page):
    v = ask(page, server).click(question("/id/bj-gai-measures-2023"))
    categories = iris(kg, "SELECT ?c WHERE { pkd:bj-gai-measures-2023 pk:hasMeasureCategory ?c }")
    assert categories
    v.shows(*(label(kg, c) for c in categories))
    v.shows_evidence_of(kg, policykg.namespaces.PKD + "bj-gai-measures-2023")


# 16
def test_sources_the_article_cites(kg, server, page):
    v = ask(page, server).click(question("/id/article-beijing-ai-capital-shanghai-metaverse"))
    cited = iris(kg, "SELECT ?s WHERE { pkd:article-beijing-ai-capital-shanghai-metaverse pk:cites ?s }")
    assert cited
    for s in cited:
        v.shows(iris(kg, f'SELECT ?t WHERE {{ <{s}> dct:title ?t FILTER(LANG(?t) = "en") }}')[0])
        v.shows_evidence_of(kg, s)


# 17
def test_partner_counts_per_category(kg, server, page):
    v = ask(page, server).click(question("/id/bj-gai-partnership-program-2023"))
    counts = iris(kg, f"SELECT ?c WHERE {{ ?c pk:countIn/pk:batchOf {PROGRAM} }}")
    assert counts
    for c in counts:
        v.shows_fact(kg, c)


# 18
def test_beijing_ai_white_paper_figures(kg, server, page):
    v = ask(page, server).click(question("/id/report-beijing-ai-white-paper-2022"))
    figures = iris(kg, "SELECT ?o WHERE { ?o a pk:Observation ;"
                       " prov:wasDerivedFrom pkd:report-beijing-ai-white-paper-2022 }")
    assert figures
    for o in figures:
        v.shows_fact(kg, o)


# 19
def test_organizations_linked_to_the_implementation_plan(kg, server, page):
    v = ask(page, server).click(question("/id/bj-ai-innovation-hub-plan-2023#lineage"))
    orgs = iris(kg, f"""SELECT DISTINCT ?o WHERE {{
        {{ {PLAN} pk:issuedBy ?o }} UNION {{ ?o a org:Organization ; ?p {PLAN} }}
        UNION {{ ?l pk:linkTo {PLAN} ; pk:linkFrom/pk:issuedBy ?o }} }}""")
    assert orgs
    v.shows(*(label(kg, o) for o in orgs))
    v.shows_evidence_of(kg, policykg.namespaces.PKD + PLAN[4:])


# 20
def test_what_implements_the_2023_implementation_plan(kg, server, page):
    links = iris(kg, f"SELECT ?l WHERE {{ ?l a pk:PolicyLink ; pk:linkTo {PLAN} }}")
    if not links:
        pytest.skip("the graph holds no policy that implements the plan (no lineage data)")
    v = ask(page, server).click(question("/id/bj-ai-innovation-hub-plan-2023#lineage"))
    for link in links:
        later = iris(kg, f"SELECT ?p WHERE {{ <{link}> pk:linkFrom ?p }}")[0]
        v.shows(f"{label(kg, later)} implements {label(kg, policykg.namespaces.PKD + PLAN[4:])}")
        v.shows_evidence_of(kg, link)
