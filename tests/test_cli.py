"""The command line, over the shipped graph and broken copies of it."""

from __future__ import annotations

import json
import os
import re

import pyoxigraph as ox
import pytest
from rdflib import Graph

from policykg.cli import cli


def test_every_command_has_help(runner):
    for name, command in cli.commands.items():
        assert command.help, name
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name


def test_validate_is_green_on_the_shipped_graph(runner, kg):
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"valid: \d+ files, \d+ triples, 0 warning\(s\)\n", result.stdout)
    assert f"{len(kg)} triples" in result.stdout


def test_validate_names_file_and_line_of_a_syntax_error(runner, data_copy):
    broken = data_copy / "graph" / "places.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines()
    target = next(i for i, line in enumerate(lines) if line.startswith("pkd:shanghai"))
    lines[target] = lines[target].replace(" a ", " a a ", 1)  # "a" is not a valid object
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", "--data-dir", str(data_copy)])
    assert result.exit_code == 1
    assert f"{broken}:{target + 1}" in result.output
    assert "syntax error" in result.output
    assert "Traceback" not in result.output


def test_validate_names_node_shape_and_message_of_a_violation(runner, data_copy):
    program = data_copy / "graph" / "beijing-gai-partnership-program.ttl"
    text = program.read_text(encoding="utf-8")
    # Say the first batch has 40 members: the categories add up to 39.
    assert "pk:statedMemberCount 39" in text
    program.write_text(text.replace("pk:statedMemberCount 39", "pk:statedMemberCount 40"), encoding="utf-8")
    result = runner.invoke(cli, ["validate", "--data-dir", str(data_copy)])
    assert result.exit_code == 1
    assert "pkd:bj-gai-partnership-batch-1" in result.output
    assert "pksh:BatchShape" in result.output
    assert "add up to 39, but its stated total is 40" in result.output
    assert f"{program}:" in result.output
    assert "invalid: 1 problem(s)" in result.output


def test_validate_reports_a_missing_data_dir_without_traceback(runner, tmp_path):
    result = runner.invoke(cli, ["validate", "--data-dir", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "no such directory" in result.output and "Traceback" not in result.output


def test_stats_counts_triples_classes_and_evidence(runner, kg):
    result = runner.invoke(cli, ["stats", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["triples"] == len(kg)
    assert sum(n for _, _, n in data["files"]) >= data["triples"]
    classes = dict(data["classes"])
    assert classes["pk:PartnerMembership"] == 10
    assert classes["pk:Evidence"] == data["evidence_phrases"] > 100
    table = runner.invoke(cli, ["stats"]).stdout
    assert "graph/beijing-gai-partnership-program.ttl" in table
    assert re.search(r"^pk:PartnerMembership\s+10$", table, re.M)


@pytest.mark.parametrize("fmt, parse", [
    ("turtle", lambda p: Graph().parse(p, format="turtle")),
    ("nt", lambda p: Graph().parse(p, format="nt")),
    ("jsonld", lambda p: Graph().parse(p, format="json-ld")),
])
def test_export_round_trips_every_triple(runner, kg, tmp_path, fmt, parse):
    out = tmp_path / f"graph.{fmt}"
    result = runner.invoke(cli, ["export", "--format", fmt, "--asserted-only", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(parse(str(out))) == len(kg)
    if fmt != "jsonld":
        parsed = ox.parse(path=out, format=ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES)
        assert {q.triple for q in parsed} == set(kg.triples())


def test_export_is_deterministic(runner):
    first = runner.invoke(cli, ["export", "--format", "turtle"]).stdout
    second = runner.invoke(cli, ["export", "--format", "turtle"]).stdout
    assert first == second and first.startswith("@prefix ")


def test_failed_export_leaves_the_old_file_and_no_temp_file(runner, data_copy, tmp_path):
    out = tmp_path / "out" / "graph.ttl"
    out.parent.mkdir()
    out.write_text("old complete file\n", encoding="utf-8")
    (data_copy / "graph" / "places.ttl").write_text("pkd:x a .\n", encoding="utf-8")
    result = runner.invoke(cli, ["export", "--data-dir", str(data_copy), "-o", str(out)])
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "old complete file\n"
    assert os.listdir(out.parent) == ["graph.ttl"]


def test_evidence_lists_phrases_missing_from_a_source_text(runner, tmp_path):
    # A document of our own holding some phrases of the article but not all.
    doc = tmp_path / "partial.txt"
    doc.write_text("出典:ゼロワンファイナンス\n上海市が発表した\n", encoding="utf-8")
    result = runner.invoke(cli, ["evidence", "--source", str(doc), "--of",
                                 "pkd:article-beijing-ai-capital-shanghai-metaverse"])
    assert result.exit_code == 1
    assert "not found: pkd:ev-reference-3" in result.stdout
    assert "not found: pkd:ev-article-publisher" not in result.stdout
    assert "not found: pkd:ev-shanghai-issued-plan" not in result.stdout
    assert re.search(r"\d+ of \d+ phrase\(s\) not found", result.output)


def test_evidence_is_green_against_the_seed_article(runner, seed_text, tmp_path):
    doc = tmp_path / "seed.txt"
    doc.write_text(seed_text, encoding="utf-8")
    result = runner.invoke(cli, ["evidence", "--source", str(doc), "--of",
                                 "pkd:article-beijing-ai-capital-shanghai-metaverse"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("all ")


def test_evidence_reports_an_unknown_source(runner, tmp_path):
    doc = tmp_path / "x.txt"
    doc.write_text("x", encoding="utf-8")
    result = runner.invoke(cli, ["evidence", "--source", str(doc), "--of", "pkd:no-such-source"])
    assert result.exit_code == 1 and "no evidence phrases quote pkd:no-such-source" in result.output


def test_graph_files_are_in_canonical_form(runner):
    result = runner.invoke(cli, ["fmt", "--check"])
    assert result.exit_code == 0, result.output


def test_fmt_rewrites_a_file_into_canonical_form_keeping_its_header(runner, data_copy):
    path = data_copy / "graph" / "periods.ttl"
    original = path.read_text(encoding="utf-8")
    parts = original.split("\n\n")
    # Keep the header and prefixes first; put the subjects in reverse order.
    shuffled = "\n\n".join(parts[:2] + [p.strip("\n") for p in reversed(parts[2:])]) + "\n"
    assert shuffled != original
    path.write_text(shuffled, encoding="utf-8")
    assert runner.invoke(cli, ["fmt", "--check", "--data-dir", str(data_copy)]).exit_code == 1
    assert runner.invoke(cli, ["fmt", "--data-dir", str(data_copy)]).exit_code == 0
    assert path.read_text(encoding="utf-8") == original


def test_every_command_has_help_and_is_in_the_generated_cli_reference():
    import subprocess
    import sys

    from support import ROOT

    for name, command in cli.commands.items():
        assert command.help and command.help.strip(), f"policykg {name} has no help text"
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [name for name, c in cli.commands.items() if not c.hidden and f"## policykg {name}\n" not in reference]
    assert missing == []
    check = subprocess.run([sys.executable, str(ROOT / "docs" / "cli_reference.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_the_old_link_command_still_runs_as_mentions(runner, tmp_path):
    document = tmp_path / "doc.txt"
    document.write_text("百度は北京のパートナーです。", encoding="utf-8")
    old, new = (runner.invoke(cli, [name, str(document), "--format", "json"]) for name in ("link", "mentions"))
    assert old.exit_code == new.exit_code == 0 and old.stdout == new.stdout
