"""The label index answers exactly as a scan of every name with the same ranking would."""

from __future__ import annotations

import random

import pytest

from policykg.rdf.labels import best_matches, normalise


@pytest.fixture(scope="module")
def names(kg):
    return [(normalise(label), iri, label, lang) for iri, labels in kg.labels.labels.items()
            for label, lang, _ in labels]


def _texts(names) -> list[str]:
    rng = random.Random(7)
    picked = ["Baidu", "百度", "北京", "partner", "の", "a", "AI", "市", "zzz", "Ｂａｉｄｕ", "digital economy"]
    for n, _, _, _ in rng.sample(names, 60):
        start = rng.randrange(len(n))
        picked.append(n[start:start + rng.randint(1, 6)])
    return picked


def test_the_index_finds_and_ranks_exactly_what_a_scan_does(kg, names):
    for text in _texts(names):
        for limit in (5, 50):
            assert kg.labels.search(text, limit) == best_matches(normalise(text), names, limit), text


def test_exact_names_come_first_and_one_row_per_entity(kg):
    hits = kg.labels.search("Beijing")
    assert normalise(hits[0][1]) == "beijing"
    assert len({iri for iri, _, _ in hits}) == len(hits)
