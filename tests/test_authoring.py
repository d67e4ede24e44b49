"""Authoring without Turtle: a sheet compiles to canonical Turtle, or nothing is written.

Every test works on a private copy of the data (``data_copy``), never on the
shipped graph/, and checks that a refused sheet leaves graph/ byte for byte
as it was.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

import policykg
from policykg.authoring import SheetError, add_sheet, nearest
from policykg.cli import cli

from support import ROOT, SHARED

TEXT = "テスト文書。北京市は2030年までに人工知能企業を5000社にすると述べた。\n"

BASE = {
    "sources": [{
        "id": "test-source", "title": {"en": "Test source"}, "label": {"ja": "テスト文書", "en": "Test document"},
        "publisher": "beijing-municipal-government", "issued": "2026-01-01", "language": "ja",
        "url": "https://example.org/test", "evidence": ["テスト文書"]}],
    "policies": [{
        "id": "test-policy-2030", "kind": "action-plan", "administrative_level": "city",
        "title": {"ja": "テスト計画", "en": "Test plan"}, "label": {"ja": "テスト計画", "en": "Test plan"},
        "issuers": ["beijing-municipal-government"], "jurisdiction": "beijing", "issued": "2026-01-01",
        "source": "test-source", "evidence": [{"phrase": "北京市は2030年までに", "gloss": "Beijing, by 2030"}]}],
    "relations": [{
        "policy": "test-policy-2030", "implements": "bj-ai-innovation-hub-plan-2023", "source": "test-source",
        "evidence": ["人工知能企業を5000社にする"]}],
    "goals": [{
        "id": "test-goal-2030", "policy": "test-policy-2030", "deadline": "2030",
        "label": {"ja": "人工知能企業5000社", "en": "5,000 AI enterprises"}, "source": "test-source",
        "evidence": ["人工知能企業を5000社"]}],
    "targets": [{
        "id": "test-target-2030", "goal": "test-goal-2030", "indicator": "ai-enterprises", "value": "5000",
        "unit": "enterprise", "comparator": "at-least", "deadline": "2030", "label": {"en": "AI enterprises: 5,000"},
        "source": "test-source", "evidence": ["5000社"]}],
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write(tmp_path: Path, sheet: dict, name: str = "test-sheet") -> tuple[Path, Path]:
    sheet_path = tmp_path / f"{name}.yaml"
    sheet_path.write_text(yaml.safe_dump(sheet, allow_unicode=True, sort_keys=False), encoding="utf-8")
    text = tmp_path / "source.txt"
    text.write_text(TEXT, encoding="utf-8")
    return sheet_path, text


def refused(data_copy: Path, tmp_path: Path, sheet: dict) -> list:
    """Add a bad sheet: it must raise SheetError and leave graph/ byte-identical."""
    before = snapshot(data_copy / "graph")
    sheet_path, text = write(tmp_path, sheet)
    with pytest.raises(SheetError) as info:
        add_sheet(sheet_path, text, data_dir=data_copy)
    assert snapshot(data_copy / "graph") == before
    return info.value.problems


def changed(**edits):
    sheet = copy.deepcopy(BASE)
    for path, value in edits.items():
        section, index, column = path.split("__")
        row = sheet[section][int(index)]
        if value is None:
            del row[column]
        else:
            row[column] = value
    return sheet


def test_a_valid_sheet_compiles_to_canonical_turtle_and_a_second_run_changes_nothing(data_copy, tmp_path):
    sheet_path, text = write(tmp_path, BASE)
    first = add_sheet(sheet_path, text, data_dir=data_copy)
    out = data_copy / "graph" / "test-sheet.ttl"
    assert first.changed and first.path == out
    written = out.read_bytes()
    from policykg.rdf.canonical import canonical_file_text
    assert canonical_file_text(out).encode() == written
    before = snapshot(data_copy / "graph")
    second = add_sheet(sheet_path, text, data_dir=data_copy)
    assert not second.changed
    assert snapshot(data_copy / "graph") == before
    kg = policykg.load(data_copy)
    assert policykg.validate(data_copy).conforms
    assert kg.store.query("ASK { <https://w3id.org/policykg/id/test-policy-2030> "
                          "<http://data.europa.eu/eli/ontology#implements> "
                          "<https://w3id.org/policykg/id/bj-ai-innovation-hub-plan-2023> }")


def test_iris_are_readable_slugs_from_the_sheet_ids(data_copy, tmp_path):
    sheet_path, text = write(tmp_path, BASE)
    add_sheet(sheet_path, text, data_dir=data_copy)
    turtle = (data_copy / "graph" / "test-sheet.ttl").read_text(encoding="utf-8")
    for slug in ("test-policy-2030", "test-goal-2030", "test-target-2030", "ev-test-policy-2030",
                 "link-test-policy-2030-implements-bj-ai-innovation-hub-plan-2023"):
        assert re.search(rf"^pkd:{slug} a ", turtle, re.M), slug
    assert '"Beijing, by 2030"@en' in turtle  # the gloss


def test_a_row_without_a_source_is_refused_by_row_and_column(data_copy, tmp_path):
    problems = refused(data_copy, tmp_path, changed(policies__0__source=None))
    assert [(p.section, p.row, p.row_id, p.column) for p in problems] == [
        ("policies", 1, "test-policy-2030", "source")]
    assert "missing column source" in problems[0].message
    assert problems[0].line is not None and str(problems[0]).startswith("test-sheet.yaml:")


def test_a_phrase_not_in_the_source_is_refused_with_the_nearest_match(data_copy, tmp_path):
    problems = refused(data_copy, tmp_path, changed(policies__0__evidence=["北京市は2031年までに"]))
    assert [(p.section, p.column) for p in problems] == [("policies", "evidence")]
    assert "not found verbatim" in problems[0].message
    assert "nearest: '北京市は2030年までに'" in problems[0].message


def test_nearest_finds_the_closest_stretch_of_the_text():
    assert nearest("北京市は2031年", TEXT) == "北京市は2030年"


@pytest.mark.parametrize("edit, column, known", [
    ({"targets__0__indicator": "ai-firms"}, "indicator", "ai-enterprises"),
    ({"policies__0__kind": "plan"}, "kind", "action-plan"),
    ({"targets__0__unit": "firm"}, "unit", "enterprise"),
    ({"targets__0__comparator": "over"}, "comparator", "more-than"),
    ({"policies__0__administrative_level": "county"}, "administrative_level", "development-zone"),
])
def test_an_unknown_vocabulary_term_is_refused_listing_the_known_ones(data_copy, tmp_path, edit, column, known):
    problems = refused(data_copy, tmp_path, changed(**edit))
    assert [p.column for p in problems] == [column]
    assert "unknown" in problems[0].message and "known:" in problems[0].message
    assert known in problems[0].message


def test_an_unknown_partner_role_is_refused_listing_the_known_ones(data_copy, tmp_path):
    sheet = copy.deepcopy(BASE)
    sheet["memberships"] = [{
        "id": "test-membership", "member": "baidu-netcom", "program": "bj-gai-partnership-program-2023",
        "role": "chips", "batch": "bj-gai-partnership-batch-1", "source": "test-source", "evidence": ["テスト文書"]}]
    problems = refused(data_copy, tmp_path, sheet)
    assert [(p.section, p.column) for p in problems] == [("memberships", "role")]
    assert "unknown partner role 'chips'" in problems[0].message
    assert all(r in problems[0].message for r in ("application", "computing-power", "data", "investment", "model"))


@pytest.mark.parametrize("edit, column", [
    ({"policies__0__issued": "2026-02-30"}, "issued"),
    ({"policies__0__issued": "1 January 2026"}, "issued"),
    ({"goals__0__deadline": "end of 2030"}, "deadline"),
])
def test_a_bad_date_is_refused(data_copy, tmp_path, edit, column):
    problems = refused(data_copy, tmp_path, changed(**edit))
    assert [p.column for p in problems] == [column]
    assert problems[0].message.startswith("bad ")


def test_a_duplicate_id_in_the_sheet_is_refused(data_copy, tmp_path):
    problems = refused(data_copy, tmp_path, changed(goals__0__id="test-policy-2030", targets__0__goal="test-policy-2030"))
    assert any(p.section == "goals" and p.column == "id" and "duplicate id 'test-policy-2030'" in p.message
               for p in problems)


def test_an_id_clashing_with_the_graph_is_refused(data_copy, tmp_path):
    sheet = changed(policies__0__id="bj-gai-measures-2023", goals__0__policy="bj-gai-measures-2023",
                    relations__0__policy="bj-gai-measures-2023")
    problems = refused(data_copy, tmp_path, sheet)
    assert any(p.column == "id" and "clashes with pkd:bj-gai-measures-2023" in p.message for p in problems)


@pytest.mark.parametrize("column", ["unit", "comparator"])
def test_a_target_without_unit_or_comparator_is_refused(data_copy, tmp_path, column):
    problems = refused(data_copy, tmp_path, changed(**{f"targets__0__{column}": None}))
    assert [(p.section, p.column) for p in problems] == [("targets", column)]
    assert f"a target needs a {column}" in problems[0].message


def test_a_relation_to_a_policy_the_graph_does_not_hold_is_refused(data_copy, tmp_path):
    problems = refused(data_copy, tmp_path, changed(relations__0__implements="bj-no-such-plan-2023"))
    assert [(p.section, p.column) for p in problems] == [("relations", "implements")]
    assert "'bj-no-such-plan-2023' is not a policy the graph or this sheet holds" in problems[0].message


def test_a_relation_to_something_that_is_not_a_policy_is_refused(data_copy, tmp_path):
    problems = refused(data_copy, tmp_path, changed(relations__0__implements="baidu-netcom"))
    assert [p.column for p in problems] == ["implements"]


def test_a_shape_violation_is_reported_on_its_row_and_nothing_is_written(data_copy, tmp_path):
    sheet = copy.deepcopy(BASE)
    sheet["batches"] = [{"id": "test-batch-0", "program": "bj-gai-partnership-program-2023", "number": "0",
                         "label": {"ja": "第0陣", "en": "Batch 0"}, "source": "test-source", "evidence": ["テスト文書"]}]
    problems = refused(data_copy, tmp_path, sheet)
    assert [(p.section, p.row_id) for p in problems] == [("batches", "test-batch-0")]
    assert "positive integer pk:batchNumber" in problems[0].message


def test_every_problem_is_reported_at_once(data_copy, tmp_path):
    problems = refused(data_copy, tmp_path, changed(policies__0__source=None, targets__0__unit=None,
                                                    policies__0__issued="2026-13-01"))
    assert sorted(p.column for p in problems) == ["issued", "source", "unit"]


def test_a_sheet_that_is_not_yaml_is_refused_with_its_line(data_copy, tmp_path):
    before = snapshot(data_copy / "graph")
    sheet_path = tmp_path / "broken.yaml"
    sheet_path.write_text("sources:\n  - id: x\n    title: [unclosed\n", encoding="utf-8")
    text = tmp_path / "source.txt"
    text.write_text(TEXT, encoding="utf-8")
    with pytest.raises(SheetError) as info:
        add_sheet(sheet_path, text, data_dir=data_copy)
    assert "not valid YAML" in str(info.value) and info.value.problems[0].line
    assert snapshot(data_copy / "graph") == before


def test_the_cli_refuses_a_bad_sheet_with_a_one_line_error_per_problem(runner, data_copy, tmp_path):
    before = snapshot(data_copy / "graph")
    sheet_path, text = write(tmp_path, changed(targets__0__comparator=None))
    result = runner.invoke(cli, ["add", str(sheet_path), "--source", str(text), "--data-dir", str(data_copy)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(r"test-sheet\.yaml:\d+: targets\[1\] \(test-target-2030\) comparator: a target needs a comparator",
                     result.output)
    assert snapshot(data_copy / "graph") == before


def test_the_cli_adds_a_sheet_and_reports_it_unchanged_the_second_time(runner, data_copy, tmp_path):
    sheet_path, text = write(tmp_path, BASE)
    args = ["add", str(sheet_path), "--source", str(text), "--data-dir", str(data_copy)]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0 and first.output.startswith("wrote ")
    second = runner.invoke(cli, args)
    assert second.exit_code == 0 and second.output.startswith("unchanged:")


SHEETS = sorted((ROOT / "sheets").glob("*.yaml"))


def _source_of(sheet: Path) -> Path:
    # Each shipped sheet names its source text in its header comment (`--source ../shared/sources/X`).
    m = re.search(r"--source \.\./shared/sources/(\S+)", sheet.read_text(encoding="utf-8"))
    assert m, f"{sheet.name} does not name its source in its header"
    return SHARED / "sources" / m.group(1)


@pytest.mark.parametrize("sheet", SHEETS, ids=[s.stem for s in SHEETS])
def test_every_shipped_sheet_compiles_to_its_committed_graph_file(data_copy, sheet):
    from support import require_shared

    source = _source_of(sheet)
    require_shared(source, f"source text of {sheet.name}")
    before = snapshot(data_copy / "graph")
    result = add_sheet(sheet, source, data_dir=data_copy)
    assert not result.changed, f"graph/{sheet.stem}.ttl is stale: run policykg add {sheet} --source {source}"
    assert snapshot(data_copy / "graph") == before


def test_link_writes_a_draft_sheet_of_mentions_and_candidates_to_review(runner, data_copy, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("北京市经济和信息化局发布了北京市通用人工智能产业创新伙伴计划。\n", encoding="utf-8")
    out = tmp_path / "draft.yaml"
    result = runner.invoke(cli, ["link", str(doc), "--sheet", str(out), "--data-dir", str(data_copy)])
    assert result.exit_code == 0, result.output
    draft = yaml.safe_load(out.read_text(encoding="utf-8"))
    ids = {m["id"] for m in draft["mentions"]}
    assert {"beijing-economy-it-bureau", "bj-gai-partnership-program-2023"} <= ids
    pair = {(c["subject"], c["object"]) for c in draft["candidates"]}
    assert ("beijing-economy-it-bureau", "bj-gai-partnership-program-2023") in pair
    assert all(len(p) <= 40 and p in doc.read_text(encoding="utf-8")
               for c in draft["candidates"] for p in c["evidence"])
    # The draft is a sheet: until its TODOs are filled, add refuses it and writes nothing.
    before = snapshot(data_copy / "graph")
    with pytest.raises(SheetError):
        add_sheet(out, doc, data_dir=data_copy)
    assert snapshot(data_copy / "graph") == before


def test_people_posts_places_observations_batches_and_memberships_compile_and_validate(data_copy, tmp_path):
    sheet = copy.deepcopy(BASE)
    ev = ["テスト文書"]
    sheet["places"] = [{"id": "test-district", "label": {"ja": "テスト区", "en": "Test District"}, "part_of": "beijing"}]
    sheet["people"] = [{"id": "test-person", "label": {"ja": "テスト氏", "en": "Mr Test"}, "source": "test-source",
                        "evidence": ev}]
    sheet["posts"] = [{"id": "test-post", "in": "zero-one-finance", "role": "author", "held_by": "test-person",
                       "label": {"en": "Author at Zero One Finance"}, "source": "test-source", "evidence": ev}]
    sheet["batches"] = [{"id": "test-batch-9", "program": "bj-gai-partnership-program-2023", "number": "9",
                         "label": {"ja": "第9陣", "en": "Batch 9"}, "source": "test-source", "evidence": ev}]
    sheet["memberships"] = [{"id": "test-membership", "member": "baidu-netcom", "program": "bj-gai-partnership-program-2023",
                             "role": "model", "batch": "test-batch-9", "source": "test-source", "evidence": ev}]
    sheet["observations"] = [{"id": "test-obs-2030", "indicator": "ai-enterprises", "area": "test-district",
                              "period": "2030-06", "value": "5000", "unit": "enterprise", "comparator": "about",
                              "label": {"en": "AI enterprises, Test District, 2030-06"}, "source": "test-source",
                              "evidence": ["5000社"]}]
    sheet_path, text = write(tmp_path, sheet)
    result = add_sheet(sheet_path, text, data_dir=data_copy)
    assert result.changed
    report = policykg.validate(data_copy)
    assert report.conforms and report.warnings == [], "\n".join(map(str, report.violations))
    kg = policykg.load(data_copy)
    assert kg.store.query("ASK { <https://w3id.org/policykg/id/test-post> <http://www.w3.org/ns/org#heldBy> "
                          "<https://w3id.org/policykg/id/test-person> }")


def test_an_unknown_column_is_refused_rather_than_dropped(data_copy, tmp_path):
    problems = refused(data_copy, tmp_path, changed(policies__0__jurisdicton="beijing"))
    assert [(p.section, p.column) for p in problems] == [("policies", "jurisdicton")]
    assert "unknown column 'jurisdicton'" in problems[0].message and "jurisdiction" in problems[0].message
