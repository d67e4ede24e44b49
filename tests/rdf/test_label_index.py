"""The label index answers exactly as a scan of every name with the same ranking would."""

from __future__ import annotations

import random

import pytest

from policykg.rdf.labels import PREFERRED_PROPS, best_matches, normalise
from policykg.rdf.textindex import name_tier, rank_key


@pytest.fixture(scope="module")
def names(kg):
    return [(normalise(label), iri, label, lang, 0 if prop in PREFERRED_PROPS else 1)
            for iri, labels in kg.labels.labels.items() for label, lang, prop in labels]


def _texts(names) -> list[str]:
    rng = random.Random(7)
    picked = ["Baidu", "百度", "北京", "partner", "の", "a", "AI", "市", "zzz", "Ｂａｉｄｕ", "digital economy"]
    for n, *_ in rng.sample(names, 60):
        start = rng.randrange(len(n))
        picked.append(n[start:start + rng.randint(1, 6)])
    return picked


def test_the_index_finds_and_ranks_exactly_what_a_scan_does(kg, names):
    for text in _texts(names):
        for limit in (5, 50):
            assert kg.labels.search(text, limit) == best_matches(normalise(text), names, kg.labels.priority, limit), text


def test_exact_names_come_first_and_one_row_per_entity(kg):
    hits = kg.labels.search("Beijing")
    assert normalise(hits[0][1]) == "beijing"
    assert len({iri for iri, _, _ in hits}) == len(hits)


def test_matches_gives_every_name_containing_the_text_in_the_one_ranking(kg, names):
    for text in _texts(names):
        wanted = normalise(text)
        best: dict = {}
        for n, iri, label, lang, weight in names:
            if wanted and wanted in n:
                key = (rank_key(name_tier(wanted, n), 0, weight, kg.labels.priority[iri], len(label), iri), label, lang)
                best[iri, label, lang] = min(key, best.get((iri, label, lang), key))
        assert kg.labels.matches(text) == sorted(best, key=best.get), text


def test_programs_policies_and_organizations_come_before_other_entities_of_an_equal_name(kg):
    from policykg.namespaces import PKD

    priority = kg.labels.priority
    assert priority[PKD + "bj-gai-partnership-program-2023"] < priority[PKD + "beijing-municipal-government"] \
        < priority[PKD + "baidu-netcom"] < priority[PKD + "beijing"]
    assert max(p for iri, p in priority.items() if iri.startswith(PKD)) < min(
        p for iri, p in priority.items() if iri.startswith("https://w3id.org/policykg/ontology#"))
