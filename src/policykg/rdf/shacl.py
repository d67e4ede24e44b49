"""Running pyshacl on the merged graph, and its results in the terms a person fixes them by."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF

from .loading import DataFile
from ..namespaces import shorten
from .report import Violation

SH = Namespace("http://www.w3.org/ns/shacl#")


def _name(term) -> str:
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, BNode):
        return "_:" + str(term)
    return repr(str(term)) if term is not None else ""


def _path_text(results: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return shorten(str(path))
    inverse = results.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(results, inverse)
    return "(complex path)"


def _named_shape(shapes: Graph, shape) -> str:
    """A property shape is a blank node: name the node shape that holds it."""
    if isinstance(shape, BNode):
        for parent in shapes.subjects(SH.property, shape):
            return _named_shape(shapes, parent)
        for parent in shapes.subjects(SH.sparql, shape):
            return _named_shape(shapes, parent)
    return _name(shape)


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_PREFIX_DECL = re.compile(r"^\s*@?prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I | re.M)


def _locator(files: list[DataFile]):
    """Find the file and line where a node is first written as a subject."""
    defined: dict[str, Path] = {}
    for f in files:
        for t in f.triples:
            defined.setdefault(t.subject.value, f.path)
    cache: dict[Path, tuple[list[str], dict[str, str]]] = {}

    def locate(iri: str) -> str | None:
        path = defined.get(iri)
        if path is None:
            return None
        if path not in cache:
            text = path.read_text(encoding="utf-8")
            cache[path] = (text.splitlines(), {p or "": ns for p, ns in _PREFIX_DECL.findall(text)})
        lines, prefixes = cache[path]
        needles = [f"<{iri}>"] + [f"{p}:{iri[len(ns):]}" for p, ns in prefixes.items() if ns and iri.startswith(ns)]
        pattern = re.compile(r"^\s*(?:" + "|".join(re.escape(n) for n in needles) + r")(?=[\s;,.]|$)")
        for number, line in enumerate(lines, 1):
            if pattern.match(line):
                return f"{_display_path(path)}:{number}"
        return _display_path(path)

    return locate


def shacl_violations(data: Graph, shapes: Graph, files: list[DataFile] = ()) -> list[Violation]:
    """Run pyshacl and return its results as :class:`Violation` objects."""
    from pyshacl import validate as shacl_validate

    _conforms, results, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        # Shapes carry SPARQL constraints; nothing here may reach the network.
        do_owl_imports=False,
    )
    locate = _locator(list(files))
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        severity = results.value(r, SH.resultSeverity)
        out.append(
            Violation(
                focus=_name(focus),
                shape=_named_shape(shapes, results.value(r, SH.sourceShape)),
                component=_name(results.value(r, SH.sourceConstraintComponent)).replace("<http://www.w3.org/ns/shacl#", "sh:").rstrip(">"),
                message=str(results.value(r, SH.resultMessage) or ""),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                path=_path_text(results, results.value(r, SH.resultPath)),
                value=_name(results.value(r, SH.value)) if results.value(r, SH.value) is not None else None,
                location=locate(str(focus)) if isinstance(focus, URIRef) else None,
            )
        )
    return sorted(out, key=lambda v: (v.severity != "Violation", v.focus, v.shape, v.message))
