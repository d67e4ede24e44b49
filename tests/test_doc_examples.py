"""The Python examples in README.md and docs/ run as written (the first release's did not)."""

from __future__ import annotations

import re

import pytest

from support import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def _examples():
    for path in DOCS:
        for number, match in enumerate(BLOCK.finditer(path.read_text(encoding="utf-8")), 1):
            yield pytest.param(match.group(1), id=f"{path.name}-{number}")


@pytest.mark.parametrize("code", list(_examples()))
def test_python_example_runs(code):
    exec(compile(code, "<example>", "exec"), {"__name__": "__example__"})
