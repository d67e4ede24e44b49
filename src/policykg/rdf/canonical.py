"""Deterministic serializations: the same triples always give the same bytes.

Graph files are kept in this canonical Turtle (``policykg fmt``) so that a
diff shows the facts that changed and nothing else. Blank nodes are not
allowed in graph files (they have no stable name); exports label them in
order of first appearance in the sorted output.
"""

from __future__ import annotations

import json
import re
from typing import Iterable

import pyoxigraph as ox

from ..errors import PolicyKGError
from ..namespaces import PREFIXES, RDF_TYPE, shorten

XSD = PREFIXES["xsd"]
_BARE = {
    XSD + "integer": re.compile(r"^[+-]?\d+$"),
    XSD + "decimal": re.compile(r"^[+-]?\d*\.\d+$"),
    XSD + "boolean": re.compile(r"^(true|false)$"),
}
_PN_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")


def _escape(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return "".join(c if (ord(c) >= 0x20 and ord(c) != 0x7F) else f"\\u{ord(c):04X}" for c in out)


class _Namer:
    def __init__(self, bnodes_allowed: bool):
        self.bnodes_allowed = bnodes_allowed
        self.bnodes: dict[str, str] = {}
        self.used: set[str] = set()

    def iri(self, iri: str) -> str:
        short = shorten(iri)
        if not short.startswith("<"):
            prefix, local = short.split(":", 1)
            if _PN_LOCAL.match(local):
                self.used.add(prefix)
                return short
        return f"<{iri}>"

    def term(self, t) -> str:
        if isinstance(t, ox.NamedNode):
            return self.iri(t.value)
        if isinstance(t, ox.BlankNode):
            if not self.bnodes_allowed:
                raise PolicyKGError("blank nodes are not allowed here: give the node an IRI")
            return self.bnodes.setdefault(t.value, f"_:b{len(self.bnodes)}")
        lit = f'"{_escape(t.value)}"'
        if t.language:
            return f"{lit}@{t.language}"
        dt = t.datatype.value
        if dt == XSD + "string":
            return lit
        bare = _BARE.get(dt)
        if bare and bare.match(t.value):
            return t.value
        return f"{lit}^^{self.iri(dt)}"


def _sort_key(t) -> tuple:
    if isinstance(t, ox.NamedNode):
        return (0, shorten(t.value), "")
    if isinstance(t, ox.BlankNode):
        return (1, t.value, "")
    return (2, t.language or "", t.datatype.value if not t.language else "", t.value)


def turtle(triples: Iterable[ox.Triple], *, header: str = "", allow_bnodes: bool = True) -> str:
    """Canonical Turtle: used prefixes, subjects sorted, rdf:type first."""
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, {}).setdefault(t.predicate, set()).add(t.object)
    namer = _Namer(allow_bnodes)
    blocks = []
    for subject in sorted(by_subject, key=_sort_key):
        preds = by_subject[subject]
        order = sorted(preds, key=lambda p: (p.value != RDF_TYPE, shorten(p.value)))
        lines = []
        for p in order:
            name = "a" if p.value == RDF_TYPE else namer.iri(p.value)
            objs = ", ".join(namer.term(o) for o in sorted(preds[p], key=_sort_key))
            lines.append(f"{name} {objs}")
        blocks.append(namer.term(subject) + " " + " ;\n    ".join(lines) + " .\n")
    prefixes = "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(namer.used))
    head = header.rstrip("\n") + "\n\n" if header.strip() else ""
    return head + (prefixes + "\n" if prefixes else "") + "\n".join(blocks)


def ntriples(triples: Iterable[ox.Triple]) -> str:
    """Sorted N-Triples, one triple a line."""
    lines = sorted({str(t) + " .\n" for t in triples})
    return "".join(lines)


def jsonld(triples: Iterable[ox.Triple]) -> str:
    """Compact JSON-LD with the project's prefixes as an inline context."""
    namer = _Namer(True)
    nodes: dict = {}
    for t in triples:
        node = nodes.setdefault(t.subject, {})
        node.setdefault(t.predicate, set()).add(t.object)

    def value(o):
        if isinstance(o, ox.Literal):
            v = {"@value": o.value}
            if o.language:
                v["@language"] = o.language
            elif o.datatype.value != XSD + "string":
                v["@type"] = namer.iri(o.datatype.value).strip("<>")
            return v
        return {"@id": namer.term(o).strip("<>")}

    graph = []
    for s in sorted(nodes, key=_sort_key):
        obj = {"@id": namer.term(s).strip("<>")}
        for p in sorted(nodes[s], key=lambda p: shorten(p.value)):
            objs = sorted(nodes[s][p], key=_sort_key)
            if p.value == RDF_TYPE:
                obj["@type"] = [namer.term(o).strip("<>") for o in objs]
            else:
                obj[namer.iri(p.value).strip("<>")] = [value(o) for o in objs]
        graph.append(obj)
    context = {p: PREFIXES[p] for p in sorted(namer.used)}
    return json.dumps({"@context": context, "@graph": graph}, ensure_ascii=False, indent=1) + "\n"


FORMATS = {"turtle": turtle, "nt": ntriples, "jsonld": jsonld}


def serialize(triples: Iterable[ox.Triple], fmt: str) -> str:
    try:
        writer = FORMATS[fmt]
    except KeyError:
        raise PolicyKGError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return writer(list(triples))


def graph_triples(kg, *, entailed: bool = True) -> list[ox.Triple]:
    """The graph that ``export`` writes and ``push`` sends, sorted: one graph for both.

    The asserted triples as written in the files (lexical forms kept:
    ``"5610.60"`` stays ``"5610.60"``, which the store would normalise), and
    with ``entailed`` what the loader adds, so that a store loaded from the
    export answers the canned queries as the embedded one does: the types
    entailed by ``rdfs:subClassOf`` and the ``pk:displayLabel`` of each
    subject. Without ``entailed``, only what the files say.
    """
    asserted = set(kg.triples())
    out = set(asserted)
    if entailed:
        derived = (ox.NamedNode(RDF_TYPE), ox.NamedNode(PREFIXES["pk"] + "displayLabel"))
        for predicate in derived:
            for q in kg.store.quads_for_pattern(None, predicate, None, ox.DefaultGraph()):
                out.add(q.triple)  # IRIs and language-tagged strings: no lexical form to lose
    return sorted(out, key=str)


def _leading_comments(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith("#") or (lines and not line.strip()):
            lines.append(line)
            continue
        break
    return "\n".join(lines).strip("\n")


def canonical_file_text(path) -> str:
    """The canonical form of one graph file, keeping its leading comment block."""
    from .loading import parse_file

    data = parse_file(path)
    header = _leading_comments(path.read_text(encoding="utf-8"))
    try:
        return turtle(data.triples, header=header, allow_bnodes=False)
    except PolicyKGError as e:
        raise PolicyKGError(f"{path}: {e}") from None


def canonicalize(data_dir=None, *, write: bool = True) -> list:
    """The graph files not in canonical form; rewritten (atomically) when ``write``."""
    from .. import paths
    from ..atomic import write_atomic
    from .loading import part_files

    changed = []
    for path in part_files(data_dir or paths.data_root(), "graph"):
        text = canonical_file_text(path)
        if text != path.read_text(encoding="utf-8"):
            changed.append(path)
            if write:
                write_atomic(path, text)
    return changed
