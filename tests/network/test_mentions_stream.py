"""Linking a document as a stream gives the same mentions and candidates as linking it whole."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from policykg.errors import DataNotFoundError, PolicyKGError
from policykg.mentions import (Linker, build_dictionary, candidate_statements, find_mentions, link_chunks,
                               link_document, read_chunks)

DATA = Path(__file__).resolve().parent.parent / "data" / "linking"


@pytest.fixture(scope="module")
def dictionary(kg):
    return build_dictionary(kg)


def _whole(text, dictionary):
    mentions = find_mentions(text, dictionary)
    return mentions, candidate_statements(text, mentions)


def _streamed(pieces, dictionary):
    mentions, candidates = [], []
    for found, pairs in link_chunks(pieces, dictionary):
        mentions += found
        candidates += pairs
    return mentions, candidates


def _cut(text, sizes, seed):
    rnd, pieces, i = random.Random(seed), [], 0
    while i < len(text):
        n = rnd.choice(sizes)
        pieces.append(text[i:i + n])
        i += n
    return pieces


def _documents():
    texts = [p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.txt"))]
    return texts + ["\n\n".join(texts), "".join(t.replace("。", "、").replace("\n", " ") for t in texts)]


@pytest.mark.parametrize("sizes", [[1], [1, 2, 3], [5, 17], [64, 1000]])
def test_a_document_cut_anywhere_gives_what_the_whole_text_gives(dictionary, sizes):
    for seed, text in enumerate(_documents()):
        whole = _whole(text, dictionary)
        assert whole[0], "the documents mention known entities"
        assert _streamed(_cut(text, sizes, seed), dictionary) == whole


def test_a_name_across_a_chunk_boundary_is_found_once(dictionary):
    text = "今年，北京百度网讯科技有限公司参与了北京市的计划。"
    name = "北京百度网讯科技有限公司"
    cut = text.index(name) + 3
    whole = _whole(text, dictionary)
    streamed = _streamed([text[:cut], text[cut:]], dictionary)
    assert streamed == whole
    assert [m.text for m in streamed[0]].count(name) == 1


def test_the_longest_name_wins_across_a_chunk_boundary(dictionary):
    text = "北京ビッグデータセンターと北京"
    for cut in range(1, len(text)):
        mentions, _ = _streamed([text[:cut], text[cut:]], dictionary)
        assert [m.text for m in mentions] == ["北京ビッグデータセンター", "北京"], cut


def test_a_word_boundary_is_checked_against_the_next_chunk(dictionary):
    text = "BRIDGE and IDG, and IDGX."
    for cut in range(1, len(text)):
        mentions, _ = _streamed([text[:cut], text[cut:]], dictionary)
        assert [m.text for m in mentions] == ["IDG"], cut


def test_a_sentence_longer_than_any_chunk_keeps_its_candidates(dictionary):
    text = (DATA / "zh.txt").read_text(encoding="utf-8").replace("。", "，").replace("\n", "，")
    whole = _whole(text, dictionary)
    assert whole[1] and len({c.sentence for c in whole[1]}) == 1
    assert _streamed(_cut(text, [7], 0), dictionary) == whole


def test_reading_a_file_in_small_pieces_keeps_every_character_whole(tmp_path):
    text = "北京\r\nＢＡＩＤＵ 😀 メタバース\n" * 50
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode("utf-8"))
    pieces = list(read_chunks(path, chunk_bytes=1))
    assert "".join(pieces) == text
    assert "".join(read_chunks(path, chunk_bytes=7)) == text


def test_link_document_reads_the_file_as_a_stream_with_the_same_result(kg, dictionary, tmp_path):
    text = "\n".join(_documents())
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    result = link_document(kg, path, dictionary=dictionary)
    assert (result.mentions, result.candidates) == _whole(text, dictionary)


def test_a_file_that_is_not_utf8_or_over_the_limit_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("北京".encode("utf-8") * 10 + b"\xff")
    with pytest.raises(DataNotFoundError, match="not UTF-8"):
        list(read_chunks(bad, chunk_bytes=4))
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 5000)
    with pytest.raises(PolicyKGError, match="over"):
        list(read_chunks(big, chunk_bytes=1024, max_bytes=4096))


def test_a_linker_settles_sentences_as_it_goes(dictionary):
    linker = Linker(dictionary)
    text = "\n".join(_documents())
    given = []
    for piece in _cut(text, [40], 1):
        given += linker.feed(piece)[1]
    assert given, "candidates of finished sentences come before the end of the document"
    given += linker.finish()[1]
    assert given == _whole(text, dictionary)[1]
