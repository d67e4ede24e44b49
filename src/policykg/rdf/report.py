"""What validation found: violations with where they are, and the report that holds them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..errors import RDFSyntaxError


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in the terms a person fixes it by."""

    focus: str
    shape: str
    component: str
    message: str
    severity: str  # "Violation", "Warning" or "Info"
    path: str | None = None
    value: str | None = None
    location: str | None = None  # "graph/file.ttl:12" where the focus node is defined

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        path = f" {self.path}" if self.path else ""
        value = f" value {self.value}" if self.value else ""
        return (
            f"{self.severity}: {self.focus}{where}: shape {self.shape}{path} "
            f"[{self.component}]{value}: {self.message}"
        )


@dataclass
class ValidationReport:
    syntax_errors: list[RDFSyntaxError] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    triples: int = 0
    files: int = 0

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "Violation"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.syntax_errors and not self.errors

    def to_dict(self) -> dict:
        """A report that conforms, as JSON-able data (syntax errors are never cached)."""
        return {"violations": [asdict(v) for v in self.violations], "triples": self.triples, "files": self.files}

    @classmethod
    def from_dict(cls, data: dict) -> "ValidationReport":
        return cls(violations=[Violation(**v) for v in data["violations"]], triples=data["triples"],
                   files=data["files"])
