"""Validation verdicts are kept by content hash: an unchanged graph is not validated twice, a changed one is."""

from __future__ import annotations

import policykg
from policykg.rdf import validation


def test_the_same_files_give_the_cached_verdict_without_running_shacl(data_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("POLICYKG_CACHE", str(tmp_path / "cache"))
    first = policykg.validate(data_copy)
    assert first.conforms and first.triples > 4000
    calls = []
    monkeypatch.setattr(validation, "_validate", lambda *a: calls.append(a))
    second = policykg.validate(data_copy)
    assert calls == [] and second.conforms
    assert (second.triples, second.files, second.violations) == (first.triples, first.files, first.violations)


def test_one_changed_byte_is_validated_again(data_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("POLICYKG_CACHE", str(tmp_path / "cache"))
    assert policykg.validate(data_copy).conforms
    before = validation.cache_key(data_copy)
    path = data_copy / "graph" / "beijing-gai-partnership-program.ttl"
    text = path.read_text(encoding="utf-8")
    assert "pk:statedMemberCount 39 ;" in text
    path.write_text(text.replace("pk:statedMemberCount 39 ;", "pk:statedMemberCount 40 ;", 1), encoding="utf-8")
    assert validation.cache_key(data_copy) != before
    report = policykg.validate(data_copy)
    assert not report.conforms and any("40" in v.message for v in report.errors)


def test_a_changed_shape_is_validated_again(data_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("POLICYKG_CACHE", str(tmp_path / "cache"))
    before = validation.cache_key(data_copy)
    shapes = next((data_copy / "ontology" / "shapes").glob("*.ttl"))
    shapes.write_text(shapes.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert validation.cache_key(data_copy) != before


def test_invalid_verdicts_are_cached_too_but_syntax_errors_never(data_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("POLICYKG_CACHE", str(tmp_path / "cache"))
    path = data_copy / "graph" / "periods.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\n<urn:broken\n", encoding="utf-8")
    assert policykg.validate(data_copy).syntax_errors
    assert not list((tmp_path / "cache").rglob("*.json"))
