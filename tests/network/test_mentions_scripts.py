"""Linking folds Chinese scripts as search does: a traditional-script document finds simplified names."""

from __future__ import annotations

import random

import pytest

from policykg.mentions import MAX_RUN, build_dictionary, find_mentions, link_chunks, link_document
from policykg.namespaces import PREFIXES

from support import SHARED

PKD = PREFIXES["pkd"]
SOURCE = SHARED / "sources" / "bj-ai-plus-action-plan-2024-2025.txt"
SEED = SHARED / "seeds" / "000_9afd66eba2fc5c58.txt"


@pytest.fixture(scope="module")
def dictionary(kg):
    return build_dictionary(kg)


def _spans(mentions) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, m.iri) for m in mentions]


def test_a_traditional_script_source_finds_the_2023_plans_and_their_organizations(kg, dictionary):
    result = link_document(kg, SOURCE, dictionary=dictionary)
    text = SOURCE.read_text(encoding="utf-8")
    found = {m.iri for m in result.mentions}
    for name in ("beijing-economy-it-bureau", "bj-ai-innovation-hub-plan-2023", "bj-gai-measures-2023",
                 "beijing-development-reform-commission", "beijing-science-technology-commission"):
        assert PKD + name in found, name
    hub = next(m for m in result.mentions if m.iri == PKD + "bj-ai-innovation-hub-plan-2023")
    assert hub.text == text[hub.start:hub.end] and "人工智慧" in hub.text  # spans in the text as written
    assert any(c.subject == PKD + "beijing-development-reform-commission"
               and c.object == PKD + "bj-ai-innovation-hub-plan-2023" for c in result.candidates)


def test_a_name_in_traditional_characters_links_like_its_simplified_form(dictionary):
    traditional = "由北京市經濟和信息化局牽頭，落實北京市促進通用人工智慧創新發展的若干措施。"
    simplified = "由北京市经济和信息化局牵头，落实北京市促进通用人工智能创新发展的若干措施。"
    assert len(traditional) == len(simplified)
    mentions = find_mentions(traditional, dictionary)
    assert _spans(mentions) == _spans(find_mentions(simplified, dictionary))
    assert {PKD + "beijing-economy-it-bureau", PKD + "bj-gai-measures-2023"} <= {m.iri for m in mentions}
    assert all(m.text == traditional[m.start:m.end] for m in mentions)


def test_the_matched_alias_is_the_name_written_in_the_documents_script(dictionary):
    from policykg.mentions import _normalise, normalise_with_offsets

    def written(name: str) -> str:  # folded, but in its own script
        return _normalise(name.strip(), 0)[0]

    mentions = find_mentions(SEED.read_text(encoding="utf-8"), dictionary)
    in_two_scripts = 0
    for m in mentions:
        key = normalise_with_offsets(m.text)[0]
        names = [e.alias for e in dictionary.entries[key] if e.iri == m.iri] + dictionary.scripts.get((key, m.iri), [])
        in_two_scripts += len(names) > 1
        if any(written(n) == written(m.text) for n in names):
            assert written(m.alias) == written(m.text), m
    assert in_two_scripts  # 蘇州市 and 苏州市 are both names of Suzhou


@pytest.mark.parametrize("sizes", [[1], [1, 2, 3], [7, 300]])
def test_a_traditional_document_cut_anywhere_gives_what_the_whole_text_gives(dictionary, sizes):
    text = SOURCE.read_text(encoding="utf-8")
    # A run of Chinese characters longer than MAX_RUN, with names on either side of its cuts.
    run = ("北京市經濟和信息化局" + "人工智慧創新發展") * (MAX_RUN // 9)
    for doc in (text, run + "。" + text):
        rnd, pieces, i = random.Random(len(doc)), [], 0
        while i < len(doc):
            n = rnd.choice(sizes)
            pieces.append(doc[i:i + n])
            i += n
        streamed = [m for found, _ in link_chunks(pieces, dictionary) for m in found]
        assert streamed == find_mentions(doc, dictionary)
