"""Rendering library results for a terminal (aligned tables that line up with CJK text) or as JSON."""

from __future__ import annotations

import dataclasses
import json
import unicodedata

from .namespaces import shorten


def display_width(s: str) -> int:
    """Terminal columns: CJK wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def pad(s: str, width: int) -> str:
    return s + " " * (width - display_width(s))


def table(headers: list[str], rows: list[list[str]]) -> str:
    """An aligned plain-text table that lines up with CJK text too."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row)]
    lines = ["  ".join(pad(h, w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(pad(c, w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def stats_text(s) -> str:
    out = [f"{s.triples} triples, {s.evidence_phrases} evidence phrases\n\n"]
    out.append(table(["part", "file", "triples"], [[p, f, str(n)] for p, f, n in s.files]))
    out.append("\n")
    out.append(table(["class", "instances"], [[c, str(n)] for c, n in s.classes]))
    out.append("\n")
    out.append(table(["label language", "labels"], [[k, str(v)] for k, v in s.labels_by_language.items()]))
    return "".join(out)


def to_json(obj) -> str:
    if dataclasses.is_dataclass(obj):
        obj = dataclasses.asdict(obj)
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def links_text(report) -> str:

    out = [f"{report.label} ({shorten(report.entity)}, {report.cls})\n"]
    for group, links in report.grouped():
        out.append(f"\n{group}:\n")
        rows = []
        for link in links:
            arrow = "->" if link.direction == "out" else "<-"
            details = ", ".join(f"{k} {v}" for k, v in link.details.items() if k not in ("said",))
            phrase = link.evidence[0]["phrase"] if link.evidence else ""
            source = shorten(link.sources[0]) if link.sources else ""
            rows.append([f"{arrow} {link.relation}", link.other_label, shorten(link.other), details, phrase, source])
        out.append(table(["relation", "label", "entity", "details", "evidence", "source"], rows))
    return "".join(out)


def links_json(report) -> str:
    return to_json({"entity": report.entity, "label": report.label, "class": report.cls,
                    "links": [dict(link.__dict__, evidence=list(link.evidence), sources=list(link.sources))
                              for link in report.links]})


def paths_text(found) -> str:
    out = []
    for i, hops in enumerate(found, 1):
        out.append(f"path {i} ({len(hops)} hop{'s' if len(hops) != 1 else ''}):\n")
        out += [f"  {hop.words()}\n" for hop in hops]
    return "".join(out)


def rank_text(rows) -> str:
    return table(["entity", "label", "class", "degree", "betweenness", "community"],
                 [[shorten(r.iri), r.label, r.cls, str(r.degree), f"{r.betweenness:.4f}", str(r.community)]
                  for r in rows])


def mentions_text(result, *, with_turtle: bool = True) -> str:
    rows = [[str(m.start), str(m.end), m.text, shorten(m.iri), m.cls] for m in result.mentions]
    out = table(["start", "end", "text", "entity", "class"], rows)
    out += f"({len(result.mentions)} mentions, {len(result.candidates)} candidate statements)\n"
    if with_turtle and result.candidates:
        out += "\n" + result.turtle
    return out


def mentions_json(result) -> str:
    return to_json({"document": result.document,
                    "mentions": [m.__dict__ for m in result.mentions],
                    "candidates": [{"subject": c.subject, "object": c.object, "kind": c.kind,
                                    "sentence": [c.sentence.start, c.sentence.end]} for c in result.candidates]})


def queries_text(queries) -> str:
    return table(["name", "title", "params"],
                 [[q.name, q.title, " ".join(f"{p.name}:{p.type}" for p in q.params)] for q in queries])


def queries_json(queries) -> str:
    return to_json([{"name": q.name, "title": q.title, "description": q.description,
                     "params": [{"name": p.name, "type": p.type, "example": p.example} for p in q.params]}
                    for q in queries])
