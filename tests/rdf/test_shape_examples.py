"""Each valid example conforms; each invalid one fails for its stated reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from policykg import paths, validate
from policykg.namespaces import shorten

EXAMPLES = paths.ontology_dir() / "examples"
SHAPES = sorted((paths.ontology_dir() / "shapes").glob("*.ttl"))
VALID = sorted((EXAMPLES / "valid").glob("*.ttl"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))
SEVERITIES = ("Violation", "Warning")


def _expectation(path: Path) -> tuple[str, str, str]:
    """The stated shape, severity (``Violation`` unless said) and message."""
    text = path.read_text(encoding="utf-8")
    shape = re.search(r"^# expect-shape: (\S+)$", text, re.M)
    message = re.search(r"^# expect-message: (.+)$", text, re.M)
    severity = re.search(r"^# expect-severity: (\S+)$", text, re.M)
    assert shape and message, f"{path.name} must state expect-shape and expect-message"
    severity = severity.group(1) if severity else "Violation"
    assert severity in SEVERITIES, f"{path.name}: expect-severity must be one of {SEVERITIES}"
    return shape.group(1), severity, message.group(1).strip()


def _node_shapes() -> list[str]:
    """Every named sh:NodeShape, as a Violation names it (``pksh:PolicyShape``)."""
    shapes = Graph()
    for path in SHAPES:
        shapes.parse(path, format="turtle")
    return sorted(shorten(str(s)) for s in set(shapes.subjects(RDF.type, SH.NodeShape)) if isinstance(s, URIRef))


def test_every_shape_has_an_invalid_example():
    shapes = _node_shapes()
    assert SHAPES and len(shapes) >= 20, f"expected the node shapes in {SHAPES}, found {shapes}"
    covered = {_expectation(path)[0] for path in INVALID}
    missing = [shape for shape in shapes if shape not in covered]
    assert not missing, f"no invalid example has expect-shape {', '.join(missing)}"


def test_there_are_valid_examples():
    assert len(VALID) >= 3


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_example_conforms(path):
    report = validate(graph_files=[path])
    assert report.conforms, "\n".join(map(str, report.errors))


def _check_located_in_example(violation):
    assert violation.focus.startswith("<https://example.org/policykg-example/")
    assert violation.location and violation.location.split(":")[-1].isdigit()


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_fails_for_its_stated_reason_only(path):
    shape, severity, message = _expectation(path)
    report = validate(graph_files=[path])
    everything = "\n".join(map(str, report.violations))
    if severity == "Violation":
        assert not report.conforms
        assert [(v.shape, message in v.message) for v in report.errors] == [(shape, True)], everything
        assert not report.warnings, everything
        (violation,) = report.errors
        _check_located_in_example(violation)
    else:
        # A warning-only shape: the graph still conforms, and every result is
        # the stated warning (a symmetric check may report both nodes involved).
        assert report.conforms and not report.errors, everything
        assert report.warnings, f"{path.name}: expected a {severity} from {shape}, got none"
        assert {(v.severity, v.shape, message in v.message) for v in report.warnings} == {(severity, shape, True)}, \
            everything
        for warning in report.warnings:
            _check_located_in_example(warning)
