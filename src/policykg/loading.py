"""Reading the ontology, vocabularies, shapes and graph files, strictly.

Every file is parsed by Oxigraph's Turtle parser, which rejects all the
W3C negative syntax tests (rdflib's accepts 39 of the 94), so a typo fails
here with its file and line instead of becoming a wrong triple.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from . import paths
from .errors import DataNotFoundError, RDFSyntaxError

_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")

#: The parts of a data root, in load order. ``shapes`` and ``examples`` are
#: read by validation only and never enter the queried graph.
PARTS = ("ontology", "vocab", "graph")


@dataclass(frozen=True)
class DataFile:
    path: Path
    part: str  # "ontology", "vocab", "shapes" or "graph"
    triples: tuple[ox.Triple, ...]

    def __len__(self) -> int:
        return len(self.triples)


def parse_file(path: Path, part: str = "graph", *, base_iri: str | None = None) -> DataFile:
    """Parse one Turtle (``.ttl``) or N-Triples (``.nt``) file strictly.

    Relative IRIs are an error unless ``base_iri`` is given: graph files
    use absolute IRIs so that their meaning does not depend on where they are.
    """
    fmt = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
    try:
        triples = tuple(q.triple for q in ox.parse(path=path, format=fmt, base_iri=base_iri))
    except SyntaxError as e:
        message = str(e.msg) if getattr(e, "msg", None) else str(e)
        # The position is already in the "file:line:column" prefix.
        message = re.sub(r"^Parser error at line \d+ column \d+: ", "", message)
        raise RDFSyntaxError(path, e.lineno, e.offset, message) from None
    except UnicodeDecodeError as e:
        raise RDFSyntaxError(path, None, None, f"not UTF-8: {e.reason}") from None
    except OSError as e:
        raise DataNotFoundError(f"{path}: {e.strerror}") from None
    return DataFile(path=path, part=part, triples=triples)


def _files(folder: Path, recursive: bool = False) -> list[Path]:
    if not folder.is_dir():
        return []
    pattern = "**/*" if recursive else "*"
    return sorted(p for p in folder.glob(pattern) if p.suffix in (".ttl", ".nt") and p.is_file())


def part_files(root: Path, part: str) -> list[Path]:
    """The files of one part under a data root."""
    onto = root / "ontology"
    if part == "ontology":
        return _files(onto)
    if part == "vocab":
        return _files(onto / "vocab")
    if part == "shapes":
        return _files(onto / "shapes")
    if part == "graph":
        return _files(root / "graph", recursive=True)
    raise ValueError(f"unknown part {part!r}")


def _resolve_root(data_dir: Path | None, part: str) -> Path:
    """A user's data dir may hold only ``graph/``: the rest comes from the package."""
    default = paths.data_root()
    if data_dir is None:
        return default
    if not data_dir.is_dir():
        raise DataNotFoundError(f"{data_dir}: no such directory")
    has_part = (data_dir / "graph").is_dir() if part == "graph" else (data_dir / "ontology").is_dir()
    return data_dir if has_part else default


@dataclass
class KnowledgeGraph:
    """The merged graph: ontology, SKOS vocabularies and instance data."""

    files: list[DataFile] = field(default_factory=list)

    def __len__(self) -> int:
        """Asserted triples (without the entailed types the store adds)."""
        return len(set(self.triples()))

    def files_of(self, *parts: str) -> list[DataFile]:
        return [f for f in self.files if f.part in parts]

    def triples(self, *parts: str):
        for f in self.files_of(*(parts or PARTS)):
            yield from f.triples

    @cached_property
    def store(self) -> ox.Store:
        """An in-memory Oxigraph store: every asserted triple plus entailed types.

        ``?x a org:Organization`` should find government bodies and partner
        programs too, in canned and ad-hoc queries alike, without every query
        spelling out ``a/rdfs:subClassOf*``; so the store holds the
        rdfs:subClassOf closure of each instance's types.
        """
        store = ox.Store()
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.triples())
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.entailed_types())
        return store

    def entailed_types(self) -> list[ox.Triple]:
        """``s rdf:type C`` for every superclass C of an asserted type of s."""
        parents: dict[ox.NamedNode, set] = {}
        types: dict = {}
        for t in self.triples():
            if t.predicate == _SUBCLASS_OF and isinstance(t.object, ox.NamedNode):
                parents.setdefault(t.subject, set()).add(t.object)
            elif t.predicate == _TYPE:
                types.setdefault(t.subject, set()).add(t.object)

        def ancestors(c, seen):
            for p in parents.get(c, ()):
                if p not in seen:
                    seen.add(p)
                    ancestors(p, seen)
            return seen

        out = []
        for s, asserted in types.items():
            closure = set()
            for c in asserted:
                ancestors(c, closure)
            out.extend(ox.Triple(s, _TYPE, c) for c in sorted(closure - asserted, key=str))
        return out

    def rdflib_graph(self, *parts: str):
        """The same triples as an rdflib Graph (for pyshacl and serializers)."""
        from .rdflib_bridge import to_rdflib

        return to_rdflib(self.triples(*parts))


def load(data_dir: Path | None = None, *, graph_files: list[Path] | None = None) -> KnowledgeGraph:
    """Load ontology, vocabularies and graph, strictly.

    ``data_dir`` is a folder holding ``graph/`` (and optionally ``ontology/``);
    what it lacks comes from the packaged data. ``graph_files``, if given,
    replaces the graph part (e.g. to check one example file). Raises
    :class:`~policykg.errors.RDFSyntaxError` naming the file and line of the
    first file that does not parse.
    """
    kg = KnowledgeGraph()
    for part in PARTS:
        root = _resolve_root(data_dir, part)
        files = graph_files if (part == "graph" and graph_files is not None) else part_files(root, part)
        for path in files:
            kg.files.append(parse_file(Path(path), part))
    if not kg.files_of("graph"):
        raise DataNotFoundError(f"no graph files under {_resolve_root(data_dir, 'graph') / 'graph'}")
    return kg


def load_shapes(data_dir: Path | None = None) -> list[DataFile]:
    root = _resolve_root(data_dir, "ontology")
    return [parse_file(p, "shapes") for p in part_files(root, "shapes")]
