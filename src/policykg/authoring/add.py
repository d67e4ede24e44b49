"""Adding a sheet to the graph: all checks first, then one atomic write, or nothing.

The order is the point: parse, compile against the graph as it stands
(without this sheet's earlier output, so a second run sees the same graph
as the first), check every evidence phrase against the source text, write
the Turtle to a scratch file and validate the whole graph with it, and only
then replace ``graph/<sheet>.ttl`` atomically. Any problem raises
:class:`~policykg.authoring.sheet.SheetError` with every reason, and
``graph/`` is left byte for byte as it was.
"""

from __future__ import annotations

import difflib
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataNotFoundError
from ..namespaces import PKD, shorten
from .compile import Context, compile_sheet, known_concepts
from .sheet import Problem, SheetError, read_sheet


@dataclass(frozen=True)
class AddResult:
    """What ``add_sheet`` did: the file, whether its bytes changed, and what it holds."""

    path: Path
    changed: bool
    triples: int
    subjects: int
    phrases: int

    def __str__(self) -> str:
        verb = "wrote" if self.changed else "unchanged:"
        return f"{verb} {self.path} ({self.triples} triples, {self.subjects} subjects, {self.phrases} evidence phrases checked)"


def source_text(path: Path | str) -> str:
    """The text evidence is checked against, NFC; a ``---`` line ends a header that is not part of it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise DataNotFoundError(f"{path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise DataNotFoundError(f"{path}: not UTF-8 text ({e.reason})") from None
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip() == "---":
            # Only a block of "key: value" lines is a header; a rule inside a text is text.
            if i and all(re.match(r"^[A-Za-z][\w -]*:", h) for h in lines[:i] if h.strip()):
                text = "".join(lines[i + 1:])
            break
    return unicodedata.normalize("NFC", text)


def nearest(phrase: str, text: str) -> str:
    """The stretch of ``text`` most like ``phrase`` (same length, best difflib ratio)."""
    n = len(phrase)
    if not text:
        return ""
    best, best_ratio = text[:n], -1.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(phrase)
    for flat in (text,):
        for start in range(0, max(1, len(flat) - n + 1)):
            window = flat[start:start + n]
            matcher.set_seq1(window)
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            r = matcher.ratio()
            if r > best_ratio:
                best, best_ratio = window, r
    return best.replace("\n", " ")


def _context(data_dir: Path | None, keep: list[Path]):
    from ..rdf.labels import types_of
    from ..rdf.loading import load

    kg = load(data_dir, graph_files=keep) if keep else load(data_dir, graph_files=[])
    types = {iri: {t if t.startswith("http") else _expand(t) for t in ts} for iri, ts in types_of(kg.store).items()}
    return Context(types=types, concepts=known_concepts(kg.store))


def _expand(short: str) -> str:
    from ..namespaces import PREFIXES

    prefix, _, local = short.partition(":")
    return PREFIXES.get(prefix, "") + local if prefix in PREFIXES else short.strip("<>")


def add_sheet(sheet_path: Path | str, source_text_path: Path | str, data_dir: Path | None = None) -> AddResult:
    """Compile a fact sheet into ``graph/<sheet name>.ttl``, checked and validated, or write nothing.

    ``source_text_path`` is the text of the sheet's source document: every
    evidence phrase must appear in it verbatim (after NFC). ``data_dir``
    is a folder with ``graph/`` (the shipped data when omitted). Running it
    again on the same sheet and graph leaves the file byte-identical.
    """
    from ..atomic import write_atomic
    from ..rdf.canonical import turtle
    from ..rdf.loading import part_files, resolve_root
    from ..rdf.validation import validate

    sheet = read_sheet(sheet_path)
    text = source_text(source_text_path)
    root = resolve_root(Path(data_dir) if data_dir else None, "graph")
    graph_dir = root / "graph"
    out = graph_dir / (Path(sheet_path).stem + ".ttl")
    others = [p for p in part_files(root, "graph") if p.resolve() != out.resolve()]

    context = _context(Path(data_dir) if data_dir else None, others)
    compiled, problems = compile_sheet(sheet, context)
    for row, col, phrase, line in compiled.phrases:
        if phrase not in text:
            problems.append(Problem(sheet.name, line, row.section, row.index, row.id, col,
                                    f"evidence phrase not found verbatim in {Path(source_text_path).name}: "
                                    f"{phrase!r}; nearest: {nearest(phrase, text)!r}"))
    if problems:
        raise SheetError(sorted(problems, key=lambda p: (p.line or 0, p.column or "")))

    header = (f"# Compiled from sheets/{sheet.name} by `policykg add`: edit the sheet, not this file.\n"
              + "".join(f"# {line}\n" for line in sheet.header.strip().splitlines() if sheet.header.strip()))
    data = turtle(compiled.triples, header=header, allow_bnodes=False)

    with tempfile.TemporaryDirectory(prefix="policykg-add-") as tmp:
        scratch = Path(tmp) / out.name
        scratch.write_text(data, encoding="utf-8")
        report = validate(Path(data_dir) if data_dir else None, graph_files=[*others, scratch], cache=False)
    if not report.conforms:
        found = []
        for e in report.syntax_errors:
            found.append(Problem(sheet.name, None, None, None, None, None, f"compiled Turtle does not parse: {e}"))
        for v in report.errors:
            row = compiled.rows_by_subject.get(v.focus if "://" in v.focus else _expand(v.focus))
            message = f"{v.message} ({shorten(v.focus) if '://' in v.focus else v.focus}"
            message += f", {v.path})" if v.path else ")"
            if row is None:
                found.append(Problem(sheet.name, None, None, None, None, None, "the graph with this sheet does not "
                                     f"validate: {message}"))
            else:
                found.append(Problem(sheet.name, row.line, row.section, row.index, row.id,
                                     _column_of(v.path), message))
        raise SheetError(found)

    changed = not out.exists() or out.read_text(encoding="utf-8") != data
    if changed:
        graph_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(out, data)
    subjects = {t.subject.value for t in compiled.triples if t.subject.value.startswith(PKD)}
    return AddResult(path=out, changed=changed, triples=len(set(compiled.triples)), subjects=len(subjects),
                     phrases=len(compiled.phrases))


_COLUMNS = {"rdfs:label": "label", "dct:title": "title", "pk:issuedBy": "issuers", "dct:issued": "issued",
            "pk:unit": "unit", "pk:comparator": "comparator", "pk:indicator": "indicator",
            "prov:wasDerivedFrom": "source", "pk:evidence": "evidence", "pk:deadline": "deadline"}


def _column_of(path: str | None) -> str | None:
    if not path:
        return None
    return _COLUMNS.get(shorten(path) if "://" in path else path, path)
