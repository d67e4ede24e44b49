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


#: The SHACL engines: ``fast`` (shapes compiled to look-ups and SPARQL on an Oxigraph
#: store, :mod:`policykg.rdf.shacl_sparql`) and ``pyshacl``, the reference it is tested against.
ENGINES = ("fast", "pyshacl")
DEFAULT_ENGINE = "fast"


def validate(data_dir: Path | None = None, *, graph_files: list[Path] | None = None,
             cache: bool = True, engine: str | None = None) -> ValidationReport:
    """Parse every file strictly, then check the merged graph against the shapes.

    A syntax error stops validation (a half-read graph would give misleading
    SHACL results); it is reported, not raised. ``graph_files`` validates
    those files (with the ontology and vocabularies) instead of ``graph/``.
    With ``cache`` (not for ``graph_files``), the verdict on the very same
    files is read back instead of validated again (see the module docstring).
    ``engine`` is ``"fast"`` (the default, or ``$POLICYKG_SHACL_ENGINE``) or
    ``"pyshacl"``; both give the same verdicts.
    """
    engine = engine or os.environ.get("POLICYKG_SHACL_ENGINE") or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}; one of {', '.join(ENGINES)}")
    key = path = None
    if cache and graph_files is None:
        try:
            key = cache_key(data_dir)
        except OSError:
            key = None  # an unreadable file: validation says which
        if key:
            suffix = "" if engine == DEFAULT_ENGINE else f"-{engine}"
            path = cache_dir() / "validation" / f"{key}{suffix}.json"
            try:
                return ValidationReport.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                pass
    report = (_validate_fast if engine == "fast" else _validate)(data_dir, graph_files)
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


def _load_asserted(data_dir: Path | None, graph_files: list[Path] | None):
    """The files ``load`` reads, in its order, parsed once into an :class:`AssertedGraph`.

    The same files and errors as :func:`~policykg.rdf.loading.load`, without
    the entailed types and display labels it adds (pyshacl never sees those),
    and with every literal also kept as written.
    """
    import pyoxigraph as ox

    from .loading import data_files, rdf_format
    from .shacl_sparql import AssertedGraph

    files = data_files(data_dir, graph_files)
    graph = AssertedGraph()
    for f in files:
        try:
            graph.add(list(ox.parse(path=f.path, format=rdf_format(f.path))))
        except (SyntaxError, UnicodeDecodeError, OSError):
            # Report it exactly as load() does (same parser, its own wording).
            load(data_dir, graph_files=graph_files)
            raise
    return files, graph.finish()


def _validate_fast(data_dir: Path | None, graph_files: list[Path] | None) -> ValidationReport:
    from .rdflib_terms import to_rdflib
    from .shacl_sparql import locate_subjects, sparql_violations

    report = ValidationReport()
    try:
        files, graph = _load_asserted(data_dir, graph_files)
        shapes = load_shapes(data_dir)
    except RDFSyntaxError as e:
        report.syntax_errors.append(e)
        return report
    report.files = len(files)
    report.triples = len(graph)
    shapes_graph = to_rdflib(t for f in shapes for t in f.triples)
    report.violations = sparql_violations(graph, shapes_graph, lambda wanted: locate_subjects(files, wanted))
    return report
