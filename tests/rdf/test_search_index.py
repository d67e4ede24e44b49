"""Full-text search in the label index: what people type finds the entity they mean, ranked, in any script."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.errors import EntityNotFoundError
from policykg.namespaces import PK, PKD, PREFIXES
from policykg.rdf.labels import LabelIndex, resolve_entity
from policykg.rdf.textindex import ALL_TERMS, EXACT_NAME, FUZZY, fold, highlight, terms

RDFS = PREFIXES["rdfs"]


def top(kg, text: str, n: int, **kw) -> list[str]:
    return [h.iri for h in kg.labels.find(text, **kw)[:n]]


def subjects(kg, sparql: str) -> set[str]:
    return {row[0].value for row in kg.store.query("PREFIX pk: <%s> PREFIX sdmx-dimension: <%s> %s"
                                                   % (PK, PREFIXES["sdmx-dimension"], sparql))}


def issued_on(kg, date: str) -> set[str]:
    return subjects(kg, f'SELECT ?s WHERE {{ ?s a pk:PolicyDocument ; <{PREFIXES["dct"]}issued> ?d '
                        f'FILTER(STR(?d) = "{date}") }}')


@pytest.mark.parametrize("text", ["30 May 2023", "May 30, 2023", "2023-05-30", "2023年5月30日"])
def test_a_date_as_people_write_it_finds_the_policies_issued_that_day(kg, text):
    wanted = issued_on(kg, "2023-05-30")
    assert len(wanted) >= 2
    assert set(top(kg, text, len(wanted))) == wanted


def test_a_year_and_a_type_find_the_targets_due_that_year(kg):
    wanted = subjects(kg, 'SELECT ?t WHERE { ?t a pk:Target ; pk:deadline ?d FILTER(STR(?d) = "2025") }')
    assert wanted
    assert set(top(kg, "2025 targets", len(wanted))) == wanted


@pytest.mark.parametrize("text, iri, n", [
    ("metaverse plan", "shanghai-metaverse-key-tech-plan-2023", 3),
    ("map report", "report-china-ai-large-model-map", 1),
    ("digital-economy index", "report-china-digital-economy-index-2022", 5),
    ("model partners", "membership-bj-gai-partnership-baidu-netcom", 5),
    ("300 billion", "bj-ai-plan-target-core-industry-scale", 2),
    ("3000亿", "bj-ai-plan-target-core-industry-scale", 1),
    ("3,000億", "bj-ai-plan-target-core-industry-scale", 1),
])
def test_words_from_labels_types_indicators_and_numbers_find_the_entity(kg, text, iri, n):
    assert PKD + iri in top(kg, text, n)


def test_a_plural_finds_what_is_about_the_singular(kg):
    index = kg.labels.text_index
    hits = kg.labels.find("patents")
    assert len(hits) >= 5
    for hit in hits[:5]:
        field, text, _ = index.matched_field(hit.iri, "patents")
        assert field in ("label", "alias", "related", "description") and "patent" in text.casefold()


def test_an_indicator_and_an_area_find_the_observations_of_that_area(kg):
    shanghai = subjects(kg, "SELECT ?o WHERE { ?o a pk:Observation ; sdmx-dimension:refArea <%sshanghai> }" % PKD)
    hits = top(kg, "Shanghai patents", 3)
    assert len(hits) == 3 and set(hits) <= shanghai


def test_an_exact_name_comes_first_and_the_others_follow(kg):
    hits = kg.labels.find("Beijing")
    assert hits[0].iri == PKD + "beijing" and hits[0].tier == EXACT_NAME
    assert len(hits) > 10
    assert [h.key for h in hits] == sorted(h.key for h in hits)


def test_policies_and_entities_with_evidence_rank_above_vocabulary_for_the_same_text(kg):
    hits = [h for h in kg.labels.find("measures") if h.tier == ALL_TERMS and h.key[2] == 0]
    iris = [h.iri for h in hits]
    policy, concept = PKD + "bj-gai-measures-2023", PREFIXES["pkv"] + "measure-category"
    assert policy in iris and concept in iris
    assert iris.index(policy) < iris.index(concept)


def test_a_misspelling_gets_the_cli_suggestion(kg):
    hits = kg.labels.find("Baidoo")
    assert hits and hits[0].iri == PKD + "baidu-netcom" and hits[0].tier == FUZZY
    names = [name for name, _ in kg.labels.suggest("Baidoo")]
    assert names[0] == "Baidu"
    with pytest.raises(EntityNotFoundError, match="did you mean 'Baidu'"):
        resolve_entity(kg, "Baidoo")


def test_traditional_characters_find_simplified_labels(kg):
    labelled = {iri for iri, entries in kg.labels.labels.items() if any(t == "人工智能" for t, _, _ in entries)}
    assert labelled
    assert kg.labels.lookup("人工智慧") == kg.labels.lookup("人工智能") >= labelled
    assert set(top(kg, "人工智慧", len(labelled))) == labelled
    assert {r["iri"] for r in kg.labels.complete("人工智慧", limit=50)} >= labelled


def test_simplified_characters_find_traditional_labels():
    store = ox.Store()
    node = ox.NamedNode(PKD + "trad-ai")
    store.add(ox.Quad(node, ox.NamedNode(RDFS + "label"), ox.Literal("人工智慧應用", language="zh")))
    labels = LabelIndex.build(store)
    assert labels.lookup("人工智能应用") == {node.value}
    assert [h.iri for h in labels.find("人工智能")] == [node.value]
    assert [r["matched"] for r in labels.complete("人工智能")] == ["人工智慧應用"]  # labels keep their script


def test_folding_is_shared_by_lookup_and_reconciliation():
    from policykg.web.reconcile import fold as reconcile_fold

    assert reconcile_fold("人工 智慧!") == reconcile_fold("人工智能") == fold("人工智能")


def test_words_are_stemmed_and_cjk_cut_into_pairs():
    assert terms(fold("Patents partners policies")) == ["patent", "partner", "policy"]
    assert terms(fold("人工智能")) == ["人工", "工智", "智能"]


@pytest.mark.parametrize("text, query", [("Shanghai digital technology patents", "shanghai patent"),
                                         ("<script>alert(1)</script> Baidu", "baidu"),
                                         ("人工智慧應用", "人工智能"), ("ＢＡＩＤＵ 百度", "baidu")])
def test_highlighting_keeps_the_text_and_marks_the_query(text, query):
    pieces = highlight(text, query)
    assert "".join(t for t, _ in pieces) == text
    assert any(on for _, on in pieces)


def test_complete_respects_types_and_limit(kg):
    org = PREFIXES["org"] + "Organization"
    results = kg.labels.complete("Bai", types=["org:Organization"], limit=3)
    assert results and results[0]["iri"] == PKD + "baidu-netcom"
    assert len(results) <= 3
    for r in results:
        assert org in kg.labels.text_index.types[r["iri"]]
        assert set(r) == {"iri", "label", "type", "typeLabel", "matched", "matchedLang"}
    assert len(kg.labels.complete("a", limit=4)) == 4
    assert kg.labels.complete("Baidu", types=[PK + "Target"]) == []


def test_complete_finds_subclass_instances_through_a_superclass(kg):
    program = PKD + "bj-gai-partnership-program-2023"
    assert PK + "PartnerProgram" in kg.labels.text_index.types[program]
    found = [r["iri"] for r in kg.labels.complete("通用人工智能", types=["pk:PolicyDocument"], limit=50)]
    assert program in found


def test_lookup_stays_an_index_read(kg):
    """``search`` (the name tier of every query) answers from its index, as a scan would (see test_label_index)."""
    index = kg.labels.text_index
    assert all(len(docs) == len(weights) for docs, weights in index.postings.values())
    assert index.docs == sorted(index.docs, key=lambda i: (index.priority[i], index.length[i], i))


def test_document_folding_keeps_every_offset():
    from policykg.rdf.textindex import fold_with_offsets

    text = "北京の人工智慧套用\nＢａｉｄｕ 經濟 ㍻"
    folded, where = fold_with_offsets(text)
    assert "人工智能" in folded and "baidu" in folded and "经济" in folded
    assert len(where) == len(folded) and where == sorted(where)
    start = folded.index("人工智能")
    assert text[where[start]:where[start + 3] + 1] == "人工智慧"
