"""Canned-query headers are parsed strictly; parameters are bound as RDF terms."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.errors import ParameterError, QueryFileError
from policykg.sparql.canned import canned_queries, parse_query_file
from policykg.sparql.params import Param
from policykg.sparql.params import to_term as bind

GOOD = """# title: Members by role
# description: Organizations of a program with their role.
# param: program IRI example=pkd:bj-gai-partnership-program-2023
# cq: Who is in the program?
SELECT ?org WHERE { ?m org:organization $program ; org:member ?org } ORDER BY ?org
"""


def write(tmp_path, text, name="q.rq"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_header_is_parsed_into_a_frozen_dataclass(tmp_path):
    q = parse_query_file(write(tmp_path, GOOD))
    assert (q.name, q.title, q.cq) == ("q", "Members by role", "Who is in the program?")
    assert [(p.name, p.type, p.example) for p in q.params] == [
        ("program", "IRI", "pkd:bj-gai-partnership-program-2023")]
    with pytest.raises(AttributeError):
        q.title = "changed"


@pytest.mark.parametrize("text, line, message", [
    (GOOD.replace("# cq:", "# author:"), 4, "unknown header key 'author'"),
    (GOOD.replace("$program", "?program"), 3, "declared but not used"),
    (GOOD.replace("# param: program IRI example=pkd:bj-gai-partnership-program-2023\n", ""), 4, "$program is used but not declared"),
    (GOOD.replace(" ORDER BY ?org", ""), 1, "needs ORDER BY"),
    (GOOD.replace("IRI example", "uri example"), 3, "parameter type 'uri'"),
    (GOOD.replace("# title: Members by role\n", ""), 1, "missing '# title:'"),
])
def test_header_errors_name_the_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(QueryFileError) as err:
        parse_query_file(path)
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert message in str(err.value)


def test_dollar_signs_in_strings_and_comments_are_not_parameters(tmp_path):
    text = GOOD.replace("ORDER BY ?org", 'FILTER(?org != "$notaparam") # $neither\nORDER BY ?org')
    assert [p.name for p in parse_query_file(write(tmp_path, text)).params] == ["program"]


@pytest.mark.parametrize("ptype, value, term", [
    ("IRI", "pkd:baidu-netcom", ox.NamedNode("https://w3id.org/policykg/id/baidu-netcom")),
    ("IRI", "<https://example.org/x>", ox.NamedNode("https://example.org/x")),
    ("string", 'Baidu" } DROP ALL #', ox.Literal('Baidu" } DROP ALL #')),
    ("lang-string", "百度@zh", ox.Literal("百度", language="zh")),
    ("integer", "39", ox.Literal("39", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    ("date", "2023-05-30", ox.Literal("2023-05-30", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
])
def test_parameters_bind_as_rdf_terms(ptype, value, term):
    pass
    assert bind(Param("x", ptype), value) == term


@pytest.mark.parametrize("ptype, value", [
    ("IRI", "not an iri"), ("integer", "3.5"), ("date", "30/05/2023"), ("lang-string", "百度"),
])
def test_ill_typed_parameters_are_clear_errors(ptype, value):
    pass
    with pytest.raises(ParameterError, match="x"):
        bind(Param("x", ptype), value)


def test_missing_parameter_error_shows_an_example(tmp_path):
    q = parse_query_file(write(tmp_path, GOOD))
    with pytest.raises(ParameterError, match="-p program pkd:bj-gai-partnership-program-2023"):
        q.bind({})


def test_every_shipped_query_has_a_valid_header():
    queries = canned_queries()
    assert len([q for q in queries if q.name.startswith("cq-")]) >= 15
    for q in queries:
        assert q.title and q.description


@pytest.mark.parametrize("query", canned_queries(), ids=lambda q: q.name)
def test_every_shipped_query_declares_its_own_prefixes_and_runs_in_any_tool(query):
    # Run with no predeclared prefixes on an empty store (shipped queries hold
    # no SERVICE, so nothing leaves the process).
    pyox_store = ox.Store()
    pyox_store.query(query.bind({p.name: p.example for p in query.params}))
