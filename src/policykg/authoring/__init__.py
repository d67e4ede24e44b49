"""Authoring without Turtle: fact sheets (YAML rows) compiled into graph files.

``add_sheet(sheet, source_text)`` is the whole transaction (see :mod:`.add`);
the format is documented in ``docs/authoring.md``.
"""

from .add import AddResult, add_sheet, nearest, source_text
from .sheet import Problem, SheetError, read_sheet

__all__ = ["AddResult", "Problem", "SheetError", "add_sheet", "nearest", "read_sheet", "source_text"]
