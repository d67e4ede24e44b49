"""Every error the library raises; the CLI turns each into a one-line message.

All of them are :class:`PolicyKGError`: something a user can fix by changing
their input. Errors raised inside a query worker cross the process boundary
by class name (:func:`by_name`), so this module is the one list of them.
"""

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


class AmbiguousNameError(EntityNotFoundError):
    """A name that several entities carry; ``candidates`` lists them (``iri``, ``label``, ``type``).

    ``param`` names the query parameter the name was given for, if any.
    """

    def __init__(self, message: str, candidates: list[dict] | None = None, param: str | None = None):
        super().__init__(message)
        self.candidates = candidates or []
        self.param = param


# ---------------------------------------------------------------- SPARQL

class QuerySyntaxError(PolicyKGError):
    """A query that does not parse; the message carries line and column."""


class UnsafeQueryError(PolicyKGError):
    """A query policykg refuses to run (SERVICE, LOAD, remote FROM, too big, too deep)."""


class UpdateRefusedError(UnsafeQueryError):
    """A SPARQL update where a query was expected: policykg serves its graph read-only."""


class QueryFileError(PolicyKGError):
    """A canned query file whose header is wrong; names the file and line."""

    def __init__(self, path: Path, line: int, message: str):
        self.path, self.line = path, line
        super().__init__(f"{path}:{line}: {message}")


class ParameterError(PolicyKGError):
    """A parameter value that is missing or not of its declared type."""


class QueryTimeout(PolicyKGError):
    """The query ran past its deadline and was stopped."""


class EvaluationFailed(PolicyKGError):
    """The process evaluating the query died (memory cap, crash)."""


class ResultTooLarge(PolicyKGError):
    """The serialized result would exceed the result-size cap."""


class PoolBusy(PolicyKGError):
    """No query worker became free before the request's deadline."""


class EndpointError(PolicyKGError):
    """A remote SPARQL endpoint could not be reached or answered with an error."""


def by_name(name: str) -> type[PolicyKGError]:
    """The error class called ``name``; :class:`EvaluationFailed` for any other name."""
    found = globals().get(name)
    if isinstance(found, type) and issubclass(found, PolicyKGError):
        return found
    return EvaluationFailed
