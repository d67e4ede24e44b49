"""policykg query: sources of a query, output formats other tools read, -o."""

from __future__ import annotations

import io
import json
import os

import pytest

import policykg
from rdflib import Graph
from rdflib.query import Result

from policykg.cli import cli

MEMBERS = ("SELECT ?m ?role WHERE { ?m a pk:PartnerMembership ; org:role ?role } ORDER BY ?m")


def test_queries_lists_name_title_and_params(runner):
    result = runner.invoke(cli, ["queries"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "title", "params"]
    assert any(line.startswith("cq-people-quoted ") for line in lines)
    data = json.loads(runner.invoke(cli, ["queries", "--json"]).stdout)
    assert all(q["title"] and q["description"] for q in data)


@pytest.mark.parametrize("fmt, rdflib_format", [("json", "json"), ("xml", "xml"), ("csv", "csv"), ("tsv", "tsv")])
def test_select_results_are_w3c_formats_other_tools_read(runner, fmt, rdflib_format):
    result = runner.invoke(cli, ["query", "--format", fmt, "-e", MEMBERS])
    assert result.exit_code == 0, result.output
    parsed = Result.parse(io.BytesIO(result.stdout_bytes), format=rdflib_format)
    rows = list(parsed)
    assert len(rows) == 10
    assert {str(r[1]) for r in rows} == {
        f"https://w3id.org/policykg/vocab/partner-role/{x}"
        for x in ("computing-power", "data", "model", "application", "investment")}


def test_table_aligns_columns_and_counts_rows(runner):
    result = runner.invoke(cli, ["query", "-e", MEMBERS])
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["m", "role"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[-1] == "(10 rows)"
    assert len({line.index("role:") for line in lines[2:-1]}) == 1


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "table"])
def test_ask_results(runner, fmt):
    result = runner.invoke(cli, ["query", "--format", fmt, "-e", "ASK { pkd:baidu-netcom a org:Organization }"])
    assert result.exit_code == 0, result.output
    assert "true" in result.stdout


@pytest.mark.parametrize("fmt, parse_as", [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_construct_results_in_rdf_formats(runner, fmt, parse_as):
    query = "CONSTRUCT { ?m org:member ?o } WHERE { ?m a pk:PartnerMembership ; org:member ?o }"
    result = runner.invoke(cli, ["query", "--format", fmt, "-e", query])
    assert result.exit_code == 0, result.output
    assert len(Graph().parse(data=result.stdout, format=parse_as)) == 10


def test_select_refuses_a_graph_format_with_a_clear_error(runner):
    result = runner.invoke(cli, ["query", "--format", "turtle", "-e", MEMBERS])
    assert result.exit_code == 1 and "SELECT/ASK take" in result.output


def test_query_from_stdin(runner):
    result = runner.invoke(cli, ["query", "-", "--format", "csv"], input=MEMBERS)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.count(b"\r\n") == 11


def test_query_from_a_file_with_its_own_parameters(runner, tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("# title: Members in one role\n# description: Mine.\n# param: role IRI example=role:model\n"
                    "SELECT ?m WHERE { ?m org:role $role } ORDER BY ?m\n", encoding="utf-8")
    result = runner.invoke(cli, ["query", "-f", str(path), "-p", "role", "role:model", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["m", "https://w3id.org/policykg/id/membership-bj-gai-partnership-alibaba-damo-academy-beijing",
                                     "https://w3id.org/policykg/id/membership-bj-gai-partnership-baidu-netcom"]


def test_a_users_query_file_is_safety_checked_too(runner, tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("# title: t\n# description: d\nSELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } ORDER BY ?s\n",
                    encoding="utf-8")
    result = runner.invoke(cli, ["query", "-f", str(path)])
    assert result.exit_code == 1 and "SERVICE" in result.output


def test_a_users_query_file_with_a_header_is_not_trusted_by_the_library(kg, tmp_path):
    """Trust comes from where a file is, never from what it says: a '# title:' header changes nothing."""
    from policykg.errors import UnsafeQueryError
    from policykg.sparql.canned import parse_query_file

    path = tmp_path / "members-by-role.rq"
    path.write_text("# title: t\n# description: d\nSELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } "
                    "ORDER BY ?s\n", encoding="utf-8")
    assert not parse_query_file(path).shipped
    with pytest.raises(UnsafeQueryError, match="SERVICE"):
        policykg.run_query(kg, path=path)


def test_a_file_in_the_working_directory_never_shadows_a_canned_query(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cq-people-quoted.rq").write_text("ASK { }", encoding="utf-8")
    (tmp_path / "cq-people-quoted").write_text("ASK { }", encoding="utf-8")
    result = runner.invoke(cli, ["query", "cq-people-quoted", "--format", "csv"])
    assert result.exit_code == 0 and result.stdout.startswith("person,")


def test_a_path_given_as_name_gets_a_hint_not_a_guess(runner, tmp_path):
    result = runner.invoke(cli, ["query", str(tmp_path / "mine.rq")])
    assert result.exit_code == 2 and "-f" in result.output


def test_sparql_text_is_never_taken_for_a_query_name(kg):
    from policykg.errors import QuerySyntaxError

    with pytest.raises(QuerySyntaxError):
        policykg.run_query(kg, sparql="ask")
    with pytest.raises(policykg.PolicyKGError, match="exactly one"):
        policykg.run_query(kg, sparql="ASK {}", name="cq-people-quoted")


def test_unknown_canned_query_lists_the_known_ones(runner):
    result = runner.invoke(cli, ["query", "no-such-query"])
    assert result.exit_code == 1
    assert "no canned query 'no-such-query'" in result.output and "cq-people-quoted" in result.output


def test_missing_and_ill_typed_parameters_are_clear_errors(runner):
    missing = runner.invoke(cli, ["query", "members-by-role"])
    assert missing.exit_code == 1 and "needs parameter(s) program" in missing.output
    bad = runner.invoke(cli, ["query", "policies-by-issuer-and-date", "-p", "issuer", "pkd:beijing-municipal-government",
                              "-p", "from", "yesterday", "-p", "to", "2023-12-31"])
    assert bad.exit_code == 1 and "'yesterday' is not a valid date" in bad.output


def test_output_file_is_written_atomically(runner, tmp_path):
    out = tmp_path / "members.json"
    out.write_text("old", encoding="utf-8")
    ok = runner.invoke(cli, ["query", "--format", "json", "-o", str(out), "-e", MEMBERS])
    assert ok.exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["results"]["bindings"]) == 10
    failed = runner.invoke(cli, ["query", "--format", "json", "-o", str(out), "-e", "SELECT WHERE"])
    assert failed.exit_code == 1
    assert len(json.loads(out.read_text(encoding="utf-8"))["results"]["bindings"]) == 10
    assert os.listdir(tmp_path) == ["members.json"]


def test_exactly_one_query_source(runner):
    result = runner.invoke(cli, ["query"])
    assert result.exit_code == 2 and "give exactly one of" in result.output
