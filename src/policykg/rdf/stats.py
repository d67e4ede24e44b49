"""Counting what the graph holds: triples per file, instances per class."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .loading import KnowledgeGraph
from ..namespaces import RDF_TYPE, shorten


@dataclass(frozen=True)
class Stats:
    triples: int
    files: list[tuple[str, str, int]]  # (part, path, triples)
    classes: list[tuple[str, int]]  # (class, instances), most first
    evidence_phrases: int
    labels_by_language: dict[str, int] = field(default_factory=dict)


_EVIDENCE = """
PREFIX pk: <https://w3id.org/policykg/ontology#>
SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a pk:Evidence }
"""
_LABEL_LANGS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?lang (COUNT(*) AS ?n) WHERE {
  ?s rdfs:label|skos:prefLabel|skos:altLabel ?l BIND(LANG(?l) AS ?lang)
} GROUP BY ?lang ORDER BY ?lang
"""


def _relative(path: Path, root: Path | None) -> str:
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


def compute(kg: KnowledgeGraph, root: Path | None = None) -> Stats:
    """Triples per file, instances per class, evidence phrases, labels per language."""
    store = kg.store
    # Asserted types only: a partner program is counted once, as pk:PartnerProgram.
    per_class = Counter(shorten(t.object.value) for t in set(kg.triples()) if t.predicate.value == RDF_TYPE)
    classes = sorted(per_class.items(), key=lambda kv: (-kv[1], kv[0]))
    evidence = int(next(iter(store.query(_EVIDENCE)))["n"].value)
    langs = {row["lang"].value or "(none)": int(row["n"].value) for row in store.query(_LABEL_LANGS)}
    files = [(f.part, _relative(f.path, root), len(f)) for f in kg.files]
    return Stats(triples=len(kg), files=files, classes=classes, evidence_phrases=evidence, labels_by_language=langs)
