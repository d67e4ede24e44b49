"""Syntax errors in words at their line and column, and the worker's sort of a page of results."""

from __future__ import annotations

import pickle
import random

import pyoxigraph as ox
import pytest

import policykg
from policykg.errors import QuerySyntaxError, ResultTooLarge
from policykg.sparql import evaluation
from policykg.sparql.evaluation import page_of, term_order
from policykg.sparql.messages import error_position, oxigraph_message, undeclared_prefixes
from policykg.sparql.query import check_syntax


def _error(kg, text: str) -> str:
    with pytest.raises(QuerySyntaxError) as e:
        policykg.run_query(kg, sparql=text)
    return str(e.value)


# ------------------------------------------------------------------ error wording

def test_unknown_prefix_is_named_at_the_start_of_its_name(kg):
    message = _error(kg, "SELECT ?x WHERE { ?x a wd:Q5 }")
    assert message.startswith("unknown prefix wd: at line 1, column 24")
    assert error_position(message) == (1, 24)
    assert "Prefix not found" not in message and "\\u{" not in message


def test_unknown_prefix_on_a_later_line_counts_lines_and_columns_of_that_line(kg):
    message = _error(kg, "SELECT ?x WHERE {\n  ?x a foaf:Person .\n  ?x wd:P31 ?y }")
    assert message.startswith("unknown prefix wd: at line 3, column 6")
    assert message.splitlines()[1:] == ["    ?x wd:P31 ?y }", "       ^"]


def test_the_empty_prefix_undeclared_is_named_too(kg):
    assert _error(kg, "SELECT ?x WHERE { ?x a :Thing }").startswith("unknown prefix : at line 1, column 24")


def test_positions_in_check_syntax_skip_nothing_the_user_wrote():
    with pytest.raises(QuerySyntaxError) as e:
        check_syntax("PREFIX a: <urn:a:>\nSELECT ?x WHERE { ?x a wd:Q5 }")
    assert str(e.value).startswith("unknown prefix wd: at line 2, column 24")


def test_oxigraphs_own_sentences_are_kept_with_their_position(kg):
    message = _error(kg, "SELECT (1 AS ?x) WHERE { BIND(2 AS ?x) }")
    assert message.startswith("query syntax error at line 1, column 41: "
                              "the SELECT overrides an existing variable using an expression")


def test_a_relative_iri_is_said_in_words():
    with pytest.raises(QuerySyntaxError) as e:
        check_syntax("SELECT ?x WHERE { ?x <relative> ?o }")
    assert "a relative IRI needs a BASE" in str(e.value) and error_position(str(e.value)) == (1, 32)


def test_expected_tokens_are_listed_plainly_without_character_classes():
    text = "SELECT ?x WHERE { ?x ?p ?o "
    raw = ("error at 1:28: expected one of \",\", \".\", \";\", \"{\", \"{|\", \"}\", \"~\", [_], "
           "['A' ..= 'Z' | 'a' ..= 'z' | '\\u{00C0}'..='\\u{00D6}']")
    message = oxigraph_message(raw, text)
    assert message.splitlines()[0] == ("query syntax error at line 1, column 28: the query ends too early; "
                                       "expected ',', '.', ';', '{', '{|', '}', '~' or a name")


@pytest.mark.parametrize("text, position, words", [
    ("SELECT ?x WHERE { ?x ?p ?o } LIMT 3", (1, 30), "unexpected text here"),
    ("SELEC ?x WHERE {}", (1, 1), "expected SELECT, CONSTRUCT, DESCRIBE or ASK"),
    ("SELECT ?x WHERE {\n  ?x ?p \"open }", (2, 3), "a bracket or string left open"),
])
def test_rdflib_grammar_messages_are_said_in_words_at_their_position(text, position, words):
    with pytest.raises(QuerySyntaxError) as e:
        check_syntax(text)
    message = str(e.value)
    assert words in message and error_position(message) == position
    assert "SelectQuery" not in message and "end of text" not in message


def test_a_message_of_another_shape_passes_through():
    assert oxigraph_message("something else", "ASK {}") == "query syntax error: something else"


def test_undeclared_prefixes_ignore_strings_iris_comments_and_declared_names():
    text = ('PREFIX ex: <urn:ex:>\nSELECT * WHERE { ?s ex:p "wd:x" ; <http://a/b:c> ?o ; skos:note ?n }'
            " # dc:title\n")
    assert undeclared_prefixes(text, predeclared={"skos"}) == []
    assert [p for p, _ in undeclared_prefixes(text)] == ["skos"]


# ------------------------------------------------------------------ the worker's sort

def _terms():
    xsd = "http://www.w3.org/2001/XMLSchema#"
    return [None, ox.BlankNode("b1"), ox.NamedNode("urn:a"), ox.NamedNode("urn:b"),
            ox.Literal("10", datatype=ox.NamedNode(xsd + "integer")),
            ox.Literal("9", datatype=ox.NamedNode(xsd + "integer")),
            ox.Literal("9.0", datatype=ox.NamedNode(xsd + "decimal")),
            ox.Literal("-INF", datatype=ox.NamedNode(xsd + "double")),
            ox.Literal("NaN", datatype=ox.NamedNode(xsd + "double")),
            ox.Literal("x", datatype=ox.NamedNode(xsd + "integer")),  # ill-typed: sorted as text
            ox.Literal("apple"), ox.Literal("Apple"), ox.Literal("apple", language="en"), ox.Literal("banana"),
            ox.Literal("2023-05-30", datatype=ox.NamedNode(xsd + "date"))]


def test_term_order_is_total_and_follows_sparql_kinds():
    terms = _terms()
    keys = [term_order(t) for t in terms]
    assert len(set(keys)) == len(terms)  # no two different terms tie
    orders = set()
    for seed in range(5):
        shuffled = terms[:]
        random.Random(seed).shuffle(shuffled)
        orders.add(tuple(map(str, sorted(shuffled, key=term_order))))
    assert len(orders) == 1  # the same order whatever the input's order
    ordered = sorted(terms, key=term_order)
    assert ordered[0] is None and isinstance(ordered[1], ox.BlankNode) and isinstance(ordered[2], ox.NamedNode)
    numbers = [t.value for t in ordered if isinstance(t, ox.Literal) and t.datatype.value.endswith(
        ("integer", "decimal", "double")) and t.value != "x"]
    assert numbers == ["-INF", "9", "9.0", "10", "NaN"]


def _page(query: str, offset: int, limit: int, sort=None) -> dict:
    return pickle.loads(page_of(ox.Store().query(query), offset, limit, sort=sort))


ROWS = 'SELECT ?n ?w WHERE { VALUES (?n ?w) { (2 "b1") (10 "j") (1 "a") (2 "b2") (UNDEF "u") (2 "b3") } }'


def _column(page: dict, index: int) -> list:
    return [r[index].value if r[index] is not None else None for r in page["rows"]]


def test_sorting_a_page_is_by_value_and_stable_for_ties():
    page = _page(ROWS, 0, 10, sort=("n", False))
    assert _column(page, 0) == [None, "1", "2", "2", "2", "10"]
    assert _column(page, 1) == ["u", "a", "b1", "b2", "b3", "j"]  # ties keep the query's order
    page = _page(ROWS, 0, 10, sort=("n", True))
    assert _column(page, 1) == ["j", "b1", "b2", "b3", "a", "u"]
    assert page["total"] == 6 and page["complete"]


def test_sorting_comes_before_paging():
    whole = _column(_page(ROWS, 0, 10, sort=("w", True)), 1)
    pages = [_column(_page(ROWS, offset, 2, sort=("w", True)), 1) for offset in (0, 2, 4)]
    assert sum(pages, []) == whole


def test_an_unknown_sort_column_leaves_the_querys_order():
    assert _page(ROWS, 0, 10, sort=("nope", False))["rows"] == _page(ROWS, 0, 10)["rows"]


def test_sorting_more_rows_than_the_cap_says_so(monkeypatch):
    monkeypatch.setattr(evaluation, "SORT_CAP", 5)
    with pytest.raises(ResultTooLarge, match="ORDER BY"):
        _page(ROWS, 0, 2, sort=("n", False))
