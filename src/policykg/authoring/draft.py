"""A draft sheet from a document: what ``mentions`` finds, as rows to review and complete.

``policykg link DOCUMENT --sheet OUT`` writes it. The draft has a ``sources``
row to fill in (its TODOs fail ``add`` until they are replaced), and two
sections ``add`` reads but never compiles: ``mentions`` (entities the graph
already knows, with the text that named them) and ``candidates`` (pairs
named in one sentence, each with a phrase of at most 40 characters copied
from that sentence, ready to become evidence once a person decides what the
pair means: an issuer, a membership, a post).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..namespaces import PKD, shorten
from .compile import MAX_PHRASE


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "new-source"


def _local(iri: str) -> str:
    return iri[len(PKD):] if iri.startswith(PKD) else shorten(iri)


def _phrase(text: str, start: int, end: int) -> str:
    """At most 40 characters of ``text`` around ``start:end``, never crossing a line."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if end - start >= MAX_PHRASE:
        return text[start:start + MAX_PHRASE]
    spare = MAX_PHRASE - (end - start)
    lo = max(line_start, start - spare // 2)
    hi = min(line_end, lo + MAX_PHRASE)
    lo = max(line_start, hi - MAX_PHRASE)
    return text[lo:hi].strip()


def draft_sheet(kg, document: Path | str, *, lang: str = "auto") -> str:
    """YAML text of a draft sheet for ``document``: a source row to complete, mentions, candidates."""
    from ..mentions import link_document

    result = link_document(kg, Path(document), lang=lang)
    text = Path(document).read_text(encoding="utf-8")
    # One entry per entity, in order of first mention: its id for references, the words that named it.
    grouped: dict[str, dict] = {}
    for m in result.mentions:
        entry = grouped.setdefault(m.iri, {"id": _local(m.iri), "class": m.cls, "texts": [], "lines": []})
        if m.text not in entry["texts"]:
            entry["texts"].append(m.text)
        line = text.count("\n", 0, m.start) + 1
        if line not in entry["lines"]:
            entry["lines"].append(line)
        if m.candidates:
            also = entry.setdefault("also", [])
            also.extend(c for c in map(_local, m.candidates) if c not in also)
    mentions = list(grouped.values())
    candidates = []
    for c in result.candidates:
        inside = [m for m in result.mentions if c.sentence.start <= m.start < c.sentence.end
                  and m.iri in (c.subject, c.object)]
        start = min(m.start for m in inside)
        end = max(m.end for m in inside)
        candidates.append({"subject": _local(c.subject), "object": _local(c.object), "kind": c.kind,
                           "evidence": [_phrase(text, start, end)]})
    stem = _slug(Path(document).stem)
    draft = {
        "about": f"Draft from `policykg link {Path(document).name}`: fill the TODOs, turn candidates into rows "
                 "(issuers, memberships, posts...), delete what is wrong.",
        "sources": [{"id": stem, "title": {"en": "TODO"}, "label": {"ja": "TODO", "en": "TODO"},
                     "publisher": "TODO", "issued": "TODO (YYYY-MM-DD)", "language": "TODO (zh, ja, en)",
                     "url": "TODO", "evidence": ["TODO: a phrase of at most 40 characters copied from the text"]}],
        "mentions": mentions,
        "candidates": candidates,
    }
    return yaml.safe_dump(draft, allow_unicode=True, sort_keys=False, width=120)
