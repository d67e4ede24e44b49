"""Reading a fact sheet: YAML rows, each value kept as written and with its line.

A sheet is a YAML mapping of sections (``sources``, ``policies``, ...), each
a list of rows; a row is a mapping of columns. Every scalar is kept as the
string the author typed (YAML's own typing would turn ``2025`` into an int
and ``2024-07-26`` into a date, and ``1.10`` into ``1.1``): the compiler
decides what a column means. Each row and column remembers its line, so a
problem is reported as ``sheet.yaml:14: policies[2] (bj-ai-plus-plan) issued``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import PolicyKGError

#: The sections of a sheet, in the order they are read and compiled.
SECTIONS = ("sources", "places", "organizations", "people", "posts", "policies", "relations",
            "goals", "targets", "batches", "memberships", "observations")
#: Sections ``policykg link`` writes for the reviewer: read, never compiled.
REVIEW_SECTIONS = ("mentions", "candidates")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a sheet, where a person finds it."""

    sheet: str
    line: int | None
    section: str | None
    row: int | None  # 1-based position in its section
    row_id: str | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}:{self.line}" if self.line else self.sheet
        what = ""
        if self.section:
            what = f" {self.section}[{self.row}]" if self.row else f" {self.section}"
            if self.row_id:
                what += f" ({self.row_id})"
        if self.column:
            what += f" {self.column}"
        return f"{where}:{what}: {self.message}"


class SheetError(PolicyKGError):
    """A sheet that cannot be added; ``problems`` lists every reason, by sheet, row and column."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{len(problems)} {noun}; nothing was written:\n" + "\n".join(f"  {p}" for p in problems))


@dataclass
class Value:
    """A scalar as written, with its line."""

    text: str
    line: int


@dataclass
class Row:
    """One row of a section: its columns (scalars, lists or nested mappings) with their lines."""

    section: str
    index: int  # 1-based
    line: int
    columns: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)

    @property
    def id(self) -> str | None:
        v = self.columns.get("id")
        return v.text if isinstance(v, Value) else None


@dataclass
class Sheet:
    path: Path
    name: str
    header: str
    rows: dict[str, list[Row]]

    def all_rows(self):
        for section in SECTIONS:
            yield from self.rows.get(section, [])


def _plain(node):
    """A node as Python: Value for scalars, list, or dict of (key -> plain), lines kept on Values."""
    if isinstance(node, yaml.ScalarNode):
        return Value(node.value, node.start_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {k.value: _plain(v) for k, v in node.value}
    raise TypeError(node)


def read_sheet(path: Path | str) -> Sheet:
    """Parse a sheet into rows; raise :class:`SheetError` for YAML or layout problems."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise SheetError([Problem(name, None, None, None, None, None, f"not UTF-8 text ({e.reason})")]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise SheetError([Problem(name, line, None, None, None, None,
                                  f"not valid YAML: {getattr(e, 'problem', None) or e}")]) from None
    if not isinstance(root, yaml.MappingNode):
        raise SheetError([Problem(name, 1, None, None, None, None,
                                  f"a sheet is a mapping of sections ({', '.join(SECTIONS)})")])
    problems: list[Problem] = []
    rows: dict[str, list[Row]] = {}
    header = ""
    seen_keys: set[str] = set()
    for key_node, value_node in root.value:
        key, line = key_node.value, key_node.start_mark.line + 1
        if key in seen_keys:
            problems.append(Problem(name, line, key, None, None, None, "section given twice"))
            continue
        seen_keys.add(key)
        if key == "about":
            if not isinstance(value_node, yaml.ScalarNode):
                problems.append(Problem(name, line, key, None, None, None, "about is one line of text"))
            else:
                header = value_node.value
            continue
        if key in REVIEW_SECTIONS:
            continue
        if key not in SECTIONS:
            problems.append(Problem(name, line, key, None, None, None,
                                    f"unknown section; the sections are about, {', '.join(SECTIONS + REVIEW_SECTIONS)}"))
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            problems.append(Problem(name, line, key, None, None, None, "a section is a list of rows (- id: ...)"))
            continue
        section_rows = rows.setdefault(key, [])
        for i, item in enumerate(value_node.value, start=1):
            row_line = item.start_mark.line + 1
            if not isinstance(item, yaml.MappingNode):
                problems.append(Problem(name, row_line, key, i, None, None, "a row is a mapping of columns"))
                continue
            row = Row(key, i, row_line)
            for col_node, col_value in item.value:
                col = col_node.value
                if col in row.columns:
                    problems.append(Problem(name, col_node.start_mark.line + 1, key, i, None, col,
                                            "column given twice"))
                    continue
                row.columns[col] = _plain(col_value)
                row.lines[col] = col_node.start_mark.line + 1
            section_rows.append(row)
    if problems:
        raise SheetError(problems)
    return Sheet(path=path, name=name, header=header, rows=rows)
