"""Each valid example conforms; each invalid one fails for its stated reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policykg import paths, validate

EXAMPLES = paths.ontology_dir() / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.ttl"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))


def _expectation(path: Path) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    shape = re.search(r"^# expect-shape: (\S+)$", text, re.M)
    message = re.search(r"^# expect-message: (.+)$", text, re.M)
    assert shape and message, f"{path.name} must state expect-shape and expect-message"
    return shape.group(1), message.group(1).strip()


def test_there_is_an_invalid_example_for_every_rule():
    assert len(INVALID) >= 20 and len(VALID) >= 3


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_example_conforms(path):
    report = validate(graph_files=[path])
    assert report.conforms, "\n".join(map(str, report.errors))


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_fails_for_its_stated_reason_only(path):
    shape, message = _expectation(path)
    report = validate(graph_files=[path])
    assert not report.conforms
    assert [(v.shape, message in v.message) for v in report.errors] == [(shape, True)], \
        "\n".join(map(str, report.errors))
    (violation,) = report.errors
    assert violation.focus.startswith("<https://example.org/policykg-example/")
    assert violation.location and violation.location.split(":")[-1].isdigit()
