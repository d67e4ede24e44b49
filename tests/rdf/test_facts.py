"""Facts in words and their evidence, read from the shipped graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.namespaces import PKD
from policykg.rdf.facts import evidence_of, fact_sentence, has_evidence, source_of

ARTICLE = PKD + "article-beijing-ai-capital-shanghai-metaverse"


def sentence(kg, slug: str) -> str | None:
    return fact_sentence(kg.store, kg.labels, PKD + slug)


def indicator(kg, local: str) -> str:
    return kg.labels.best("https://w3id.org/policykg/vocab/indicator/" + local)


def test_an_observation_reads_as_area_indicator_period_value_and_rank(kg):
    assert sentence(kg, "obs-digital-tech-share-2021-shanghai") == \
        f"Shanghai's {indicator(kg, 'digital-tech-share')}, 2021: 11.3 % (rank 1)"


def test_a_target_reads_with_its_comparator_unit_and_deadline(kg):
    what = indicator(kg, "ai-core-industry-scale")
    assert sentence(kg, "bj-ai-plan-target-core-industry-scale") == \
        f"{what[:1].upper() + what[1:]}: at least 300 billion yuan by 2025"


def test_a_range_target_reads_as_a_range(kg):
    assert sentence(kg, "bj-ai-plan-target-new-unicorns").endswith(": 5–10 enterprises by 2025")


def test_a_membership_names_member_role_program_batch_and_start(kg):
    text = sentence(kg, "membership-bj-gai-partnership-baidu-netcom")
    member = kg.labels.best(PKD + "baidu-netcom")
    program = kg.labels.best(PKD + "bj-gai-partnership-program-2023")
    assert text == f"{member}: model partner of the {program}, first batch, since 19 May 2023"


def test_a_stated_count_says_how_many_of_them_the_graph_names(kg):
    named = len(list(kg.store.query(
        "PREFIX pk: <https://w3id.org/policykg/ontology#> PREFIX org: <http://www.w3.org/ns/org#> "
        "PREFIX pkd: <https://w3id.org/policykg/id/> PREFIX role: <https://w3id.org/policykg/vocab/partner-role/> "
        "SELECT DISTINCT ?m WHERE { ?m pk:batch pkd:bj-gai-partnership-batch-1 ; org:role role:model }")))
    assert sentence(kg, "bj-gai-partnership-batch-1-count-model") == f"7 model partners stated; {named} named"


def test_a_batch_gives_its_stated_and_named_member_counts(kg):
    assert sentence(kg, "bj-gai-partnership-batch-1") == "39 members stated; 10 named"


def test_a_policy_reads_as_issuer_date_and_period(kg):
    text = sentence(kg, "bj-ai-innovation-hub-plan-2023")
    assert text.startswith("issued by Beijing Municipal Government on 30 May 2023, period 2023–2025")


def test_a_node_that_states_no_fact_of_these_kinds_has_no_sentence(kg):
    assert sentence(kg, "baidu-netcom") is None
    assert sentence(kg, "no-such-node") is None
    assert fact_sentence(kg.store, kg.labels, "not an iri") is None


def test_evidence_gives_phrase_language_and_source(kg):
    found = evidence_of(kg.store, kg.labels, PKD + "membership-bj-gai-partnership-baidu-netcom")
    assert {e["evidence"] for e in found} == {PKD + "ev-bj-gai-partnership-count-model",
                                              PKD + "ev-bj-gai-partnership-member-baidu"}
    # The phrase backing this membership alone comes before the one it shares with the other model partners.
    assert found[0]["evidence"] == PKD + "ev-bj-gai-partnership-member-baidu"
    for e in found:
        exact = next(kg.store.quads_for_pattern(ox.NamedNode(e["evidence"]),
                                                ox.NamedNode("http://www.w3.org/ns/oa#exact"), None))
        assert e["phrase"] == exact.object.value
        assert e["phrase_lang"] == "ja"
        assert e["source"]["iri"] == ARTICLE
        assert e["source"]["href"] == "/id/article-beijing-ai-capital-shanghai-metaverse"
        assert e["source"]["publisher"] == "Zero One Finance"
        assert e["source"]["date"] == "2023"
        assert e["source"]["title"].startswith("Beijing builds an")


def test_a_source_title_follows_the_reader_language(kg):
    assert source_of(kg.store, kg.labels, ARTICLE, "ja")["title"] == "北京が「AI首都」を構築、上海メタバースが「疾走」"


def test_a_dated_source_gives_its_date_in_words(kg):
    source = source_of(kg.store, kg.labels, PKD + "announcement-bj-gai-partnership-program-2023")
    assert source["date"] == "19 May 2023"
    assert source["publisher"] == kg.labels.best(PKD + "beijing-economy-it-bureau")


@pytest.mark.parametrize("iri", [PKD + "baidu-netcom-no-such", "javascript:alert(1)", "not an iri"])
def test_a_node_outside_the_graph_has_no_evidence(kg, iri):
    assert evidence_of(kg.store, kg.labels, iri) == []
    assert not has_evidence(kg.store, iri)


def test_a_gloss_and_an_address_are_read_when_the_graph_has_them(kg):
    store = ox.Store()
    for q in kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        if not q.predicate.value.endswith("#gloss"):  # only the gloss added here
            store.add(q)
    ev = ox.NamedNode(PKD + "ev-bj-gai-partnership-member-baidu")
    store.add(ox.Quad(ev, ox.NamedNode("https://w3id.org/policykg/ontology#gloss"),
                      ox.Literal("Baidu named as a partner", language="en")))
    store.add(ox.Quad(ox.NamedNode(ARTICLE), ox.NamedNode("http://schema.org/url"),
                      ox.Literal("https://example.org/article")))
    found = evidence_of(store, kg.labels, PKD + "membership-bj-gai-partnership-baidu-netcom")
    assert found[0]["gloss"] == "Baidu named as a partner"
    assert found[0]["source"]["url"] == "https://example.org/article"
