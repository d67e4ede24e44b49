"""Errors the library raises; the CLI turns each into a one-line message."""

from __future__ import annotations

from pathlib import Path


class PolicyKGError(Exception):
    """Base class: anything a user can fix by changing their input."""


class RDFSyntaxError(PolicyKGError):
    """A data file that does not parse, with where it broke."""

    def __init__(self, path: Path | str, line: int | None, column: int | None, message: str):
        self.path = Path(path)
        self.line = line
        self.column = column
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        if line and column:
            where += f":{column}"
        super().__init__(f"{where}: syntax error: {message}")


class DataNotFoundError(PolicyKGError):
    """A data folder or file that is not there."""


class EntityNotFoundError(PolicyKGError):
    """A name or IRI that matches nothing in the graph."""
