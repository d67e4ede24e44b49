"""``# fact:`` and ``type=`` headers, and names given for IRI parameters (library and CLI)."""

from __future__ import annotations

import pytest

from policykg.cli import cli
from policykg.errors import AmbiguousNameError, EntityNotFoundError, QueryFileError
from policykg.namespaces import PKD, PREFIXES
from policykg.sparql.canned import canned_queries, find_query, parse_query_file, resolve_name, resolve_params
from policykg.sparql.query import run_query

TYPED = """# title: Members by role
# description: Organizations of a program with their role.
# param: program IRI type=org:OrganizationalCollaboration example=pkd:bj-gai-partnership-program-2023
# cq: Who is in the program?
# fact: membership|org
SELECT ?org ?membership WHERE { ?membership org:organization $program ; org:member ?org } ORDER BY ?org
"""


def write(tmp_path, text):
    path = tmp_path / "q.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_type_and_fact_headers_are_parsed(tmp_path):
    q = parse_query_file(write(tmp_path, TYPED))
    assert q.params[0].expects == PREFIXES["org"] + "OrganizationalCollaboration"
    assert q.facts == (("membership", "org"),)


def test_fact_columns_are_separate_facts_and_bars_are_alternatives(tmp_path):
    q = parse_query_file(write(tmp_path, TYPED.replace("# fact: membership|org", "# fact: membership org")))
    assert q.facts == (("membership",), ("org",))


@pytest.mark.parametrize("old, new, message", [
    ("type=org:OrganizationalCollaboration", "type=nope:Thing", "not a CURIE with a known prefix"),
    ("program IRI type=", "program string type=", "applies to IRI parameters only"),
    ("# fact: membership|org", "# fact: nowhere", "?nowhere does not occur"),
    ("# fact: membership|org", "# fact: a-b", "fact is 'COLUMN"),
])
def test_bad_type_and_fact_headers_name_the_line(tmp_path, old, new, message):
    path = write(tmp_path, TYPED.replace(old, new))
    with pytest.raises(QueryFileError) as err:
        parse_query_file(path)
    assert message in str(err.value)


def test_every_shipped_iri_parameter_but_a_generic_one_declares_its_type():
    untyped = {(q.name, p.name) for q in canned_queries() for p in q.params if p.type == "IRI" and not p.expects}
    assert untyped <= {("sources-and-evidence", "entity")}, untyped


@pytest.mark.parametrize("name", ["Beijing", "北京", "pkd:beijing", PKD + "beijing", "ＢＥＩＪＩＮＧ"])
def test_a_city_is_found_by_any_of_its_names_or_its_iri(kg, name):
    assert resolve_name(kg, name, expects=PREFIXES["pk"] + "Place") == PKD + "beijing"


def test_a_partial_name_resolves_when_one_entity_of_the_type_has_it(kg):
    query = find_query("members-by-role")
    got = resolve_params(kg, query, {"program": "通用人工智能", "lang": "en"})
    assert got == {"program": PKD + "bj-gai-partnership-program-2023", "lang": "en"}


def test_an_iri_not_in_the_graph_says_so(kg):
    with pytest.raises(EntityNotFoundError, match=r"^pkd:xyz is not in the graph$"):
        resolve_name(kg, "pkd:xyz")


def test_an_ambiguous_name_lists_its_candidates_with_their_types(kg):
    with pytest.raises(AmbiguousNameError) as err:
        resolve_name(kg, "Beijing", expects=PREFIXES["org"] + "Organization", param="org")
    iris = [c["iri"] for c in err.value.candidates]
    assert PKD + "beijing-municipal-government" in iris and PKD + "beijing" not in iris
    assert err.value.param == "org"
    assert all(c["type"] and c["label"] for c in err.value.candidates)


def test_run_query_takes_a_name_for_an_iri_parameter(kg):
    by_name = run_query(kg, name="city-indicators", params={"city": "北京"})
    by_iri = run_query(kg, name="city-indicators", params={"city": "pkd:beijing"})
    assert by_name.rows and by_name.rows == by_iri.rows


def test_the_cli_takes_a_name_and_says_when_an_iri_is_not_in_the_graph(runner):
    ok = runner.invoke(cli, ["query", "city-indicators", "-p", "city", "Beijing", "--format", "csv"])
    assert ok.exit_code == 0, ok.output
    assert "obs-" in ok.output and "/beijing" in ok.output.replace("-beijing", "/beijing")
    missing = runner.invoke(cli, ["query", "city-indicators", "-p", "city", "pkd:xyz"])
    assert missing.exit_code != 0
    assert "pkd:xyz is not in the graph" in missing.output
    assert "Traceback" not in missing.output
