"""Checking evidence phrases against the text of their source."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataNotFoundError, EntityNotFoundError
from .loading import KnowledgeGraph
from ..namespaces import PKD, shorten

_PHRASES = """
PREFIX pk: <https://w3id.org/policykg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?e ?exact ?source WHERE { ?e a pk:Evidence ; oa:exact ?exact ; pk:quotedFrom ?source }
ORDER BY ?source ?e
"""


@dataclass(frozen=True)
class Phrase:
    evidence: str
    exact: str
    source: str


@dataclass(frozen=True)
class EvidenceCheck:
    source: str
    checked: int
    missing: list[Phrase]

    @property
    def ok(self) -> bool:
        return not self.missing


def phrases(kg: KnowledgeGraph) -> list[Phrase]:
    return [
        Phrase(shorten(r["e"].value), r["exact"].value, shorten(r["source"].value))
        for r in kg.store.query(_PHRASES)
    ]


def _normalise(text: str) -> str:
    # The same words may differ only in Unicode form (e.g. a decomposed kana);
    # NFC makes them compare equal without loosening anything else.
    return unicodedata.normalize("NFC", text)


def check_source(kg: KnowledgeGraph, text_file: Path, source: str | None = None) -> EvidenceCheck:
    """List the evidence phrases of ``source`` not found verbatim in ``text_file``.

    ``source`` is an IRI or a ``pkd:`` name; when omitted, the phrases of
    every source are checked against the file.
    """
    try:
        text = _normalise(Path(text_file).read_text(encoding="utf-8"))
    except OSError as e:
        raise DataNotFoundError(f"{text_file}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise DataNotFoundError(f"{text_file}: not UTF-8 text ({e.reason})") from None
    wanted = None
    if source:
        wanted = shorten(source if "://" in source else PKD + source.removeprefix("pkd:"))
    selected = [p for p in phrases(kg) if wanted is None or p.source == wanted]
    if wanted is not None and not selected:
        raise EntityNotFoundError(f"no evidence phrases quote {wanted}")
    missing = [p for p in selected if _normalise(p.exact) not in text]
    return EvidenceCheck(source=wanted or "(all sources)", checked=len(selected), missing=missing)
