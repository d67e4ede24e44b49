"""Competency questions: each queries/cq-*.rq against the shipped graph.

Expected answers live in tests/sparql/cq_expected/<name>.tsv, written from the
article (IRIs as prefixed names, literals by their lexical form, empty for
unbound) and compared as sets of rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from support import plain_cell

import policykg
from policykg.sparql.canned import canned_queries

EXPECTED = Path(__file__).parent / "cq_expected"
CQS = [q for q in canned_queries() if q.name.startswith("cq-")]




def _expected(name: str) -> tuple[list[str], set[tuple[str, ...]]]:
    with open(EXPECTED / f"{name}.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return rows[0], {tuple(r) for r in rows[1:]}


def test_there_are_at_least_fifteen_competency_questions_each_with_answers():
    assert len(CQS) >= 15
    assert {q.name for q in CQS} == {p.stem for p in EXPECTED.glob("*.tsv")}


@pytest.mark.parametrize("query", CQS, ids=lambda q: q.name)
def test_competency_question_gives_the_expected_answers(kg, query):
    result = policykg.run_query(kg, name=query.name)
    variables, rows = _expected(query.name)
    assert result.variables == variables
    got = [tuple(plain_cell(t) for t in row) for row in result.rows]
    assert len(got) == len(set(got)), "duplicate rows"
    assert set(got) == rows
