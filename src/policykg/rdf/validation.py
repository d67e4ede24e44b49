"""Validating the graph: strict syntax, SHACL shapes, count consistency, with verdicts cached.

pyshacl takes seconds; ``serve`` validates before it starts. A verdict is
kept under a key made of the policykg version and the bytes of every file
validation reads (data, ontology, vocabularies, shapes), so an unchanged
graph is never validated twice and any change, even of one byte, is.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..errors import RDFSyntaxError
from .loading import PARTS, resolve_root, load, load_shapes, part_files
from .report import ValidationReport, Violation

__all__ = ["ValidationReport", "Violation", "validate", "cache_key"]


def cache_dir() -> Path:
    """``$POLICYKG_CACHE``, else ``$XDG_CACHE_HOME/policykg``, else ``~/.cache/policykg``."""
    explicit = os.environ.get("POLICYKG_CACHE")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policykg"


def cache_key(data_dir: Path | None = None) -> str:
    """A digest of the policykg version and every file validation reads, names and bytes."""
    from .. import __version__

    digest = hashlib.sha256(__version__.encode())
    for part in (*PARTS, "shapes"):
        for path in part_files(resolve_root(data_dir, part), part):
            digest.update(f"\0{part}\0{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def validate(data_dir: Path | None = None, *, graph_files: list[Path] | None = None,
             cache: bool = True) -> ValidationReport:
    """Parse every file strictly, then check the merged graph against the shapes.

    A syntax error stops validation (a half-read graph would give misleading
    SHACL results); it is reported, not raised. ``graph_files`` validates
    those files (with the ontology and vocabularies) instead of ``graph/``.
    With ``cache`` (not for ``graph_files``), the verdict on the very same
    files is read back instead of validated again (see the module docstring).
    """
    key = path = None
    if cache and graph_files is None:
        try:
            key = cache_key(data_dir)
        except OSError:
            key = None  # an unreadable file: validation says which
        if key:
            path = cache_dir() / "validation" / f"{key}.json"
            try:
                return ValidationReport.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                pass
    report = _validate(data_dir, graph_files)
    if path is not None and not report.syntax_errors:
        try:
            from ..atomic import write_atomic

            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps(report.to_dict(), ensure_ascii=False))
        except OSError:
            pass  # a read-only home: validate every time
    return report


def _validate(data_dir: Path | None, graph_files: list[Path] | None) -> ValidationReport:
    from .rdflib_terms import to_rdflib
    from .shacl import shacl_violations

    report = ValidationReport()
    try:
        kg = load(data_dir, graph_files=graph_files)
        shapes = load_shapes(data_dir)
    except RDFSyntaxError as e:
        report.syntax_errors.append(e)
        return report
    report.files = len(kg.files)
    report.triples = len(kg)
    shapes_graph = to_rdflib(t for f in shapes for t in f.triples)
    report.violations = shacl_violations(kg.rdflib_graph(), shapes_graph, kg.files)
    return report
