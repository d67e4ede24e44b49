"""Reading the ontology, vocabularies, shapes and graph files, strictly.

Every file is parsed by Oxigraph's Turtle parser, which rejects all the
W3C negative syntax tests (rdflib's accepts 39 of the 94), so a typo fails
here with its file and line instead of becoming a wrong triple. Files go
straight into an Oxigraph store with its own loader; Python triple objects
are made only for the jobs that need them (validation, export, stats).
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from .. import paths
from ..errors import DataNotFoundError, RDFSyntaxError

#: The parts of a data root, in load order. ``shapes`` and ``examples`` are
#: read by validation only and never enter the queried graph.
PARTS = ("ontology", "vocab", "graph")

# The rdfs:subClassOf closure of every instance's types, added to the store
# so that ``?x a org:Organization`` also finds government bodies and partner
# programs, in canned and ad-hoc queries alike.
ENTAIL_TYPES = """
INSERT { ?s a ?super }
WHERE {
  ?s a ?class . ?class <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?super .
  FILTER(isIRI(?super))
  FILTER NOT EXISTS { ?s a ?super }
}
"""


_BULK_THRESHOLD = 1 << 20  # bytes


def rdf_format(path: Path):
    return ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE


def add_named_graph(kg: "KnowledgeGraph", iri: str, path: Path) -> None:
    """Load an RDF file (Turtle, N-Triples, RDF/XML, by its ending) into the named graph ``iri``.

    Named graphs are what SPARQL's FROM, FROM NAMED and GRAPH, and the
    protocol's default-graph-uri and named-graph-uri, may name; an empty
    file makes an empty graph of that name.
    """
    path = Path(path)
    formats = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML,
               ".xml": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML}
    if path.suffix not in formats:
        raise DataNotFoundError(f"{path}: a named graph is read from .ttl, .nt or .rdf files")
    graph = ox.NamedNode(iri)
    kg.store.add_graph(graph)
    try:
        kg.store.load(path=path, format=formats[path.suffix], to_graph=graph, base_iri=graph.value)
    except SyntaxError as e:
        raise _syntax_error(path, e) from None
    except OSError as e:
        raise DataNotFoundError(f"{path}: {e.strerror}") from None


def _syntax_error(path: Path, e: SyntaxError) -> RDFSyntaxError:
    message = str(e.msg) if getattr(e, "msg", None) else str(e)
    # The position is already in the "file:line:column" prefix.
    message = re.sub(r"^Parser error (at|between) line \d+ column \d+( and line \d+ column \d+)?: ", "", message)
    return RDFSyntaxError(path, e.lineno, e.offset, message)


class DataFile:
    """One data file; its triples are parsed on first use."""

    def __init__(self, path: Path, part: str, triples: tuple | None = None):
        self.path = Path(path)
        self.part = part
        if triples is not None:
            self.__dict__["triples"] = triples

    @cached_property
    def triples(self) -> tuple[ox.Triple, ...]:
        return _parse(self.path)

    def __len__(self) -> int:
        return len(self.triples)

    def __repr__(self) -> str:
        return f"DataFile({str(self.path)!r}, {self.part!r})"


def _parse(path: Path, base_iri: str | None = None) -> tuple[ox.Triple, ...]:
    try:
        return tuple(q.triple for q in ox.parse(path=path, format=rdf_format(path), base_iri=base_iri))
    except SyntaxError as e:
        raise _syntax_error(path, e) from None
    except UnicodeDecodeError as e:
        raise RDFSyntaxError(path, None, None, f"not UTF-8: {e.reason}") from None
    except OSError as e:
        raise DataNotFoundError(f"{path}: {e.strerror}") from None


def parse_file(path: Path, part: str = "graph", *, base_iri: str | None = None) -> DataFile:
    """Parse one Turtle (``.ttl``) or N-Triples (``.nt``) file strictly, now.

    Relative IRIs are an error unless ``base_iri`` is given: graph files
    use absolute IRIs so that their meaning does not depend on where they are.
    """
    path = Path(path)
    return DataFile(path, part, _parse(path, base_iri))


#: The largest data file read (Oxigraph keeps the whole graph in memory: a 500 MB file took 7.4 GB).
MAX_DATA_FILE_BYTES = 256 << 20


def _files(folder: Path, recursive: bool = False) -> list[Path]:
    """The data files in ``folder``; a symlink that leads out of the folder is refused."""
    if not folder.is_dir():
        return []
    pattern = "**/*" if recursive else "*"
    found = sorted(p for p in folder.glob(pattern) if p.suffix in (".ttl", ".nt") and p.is_file())
    home = folder.resolve()
    for p in found:
        target = p.resolve()
        if home not in target.parents:
            raise DataNotFoundError(f"{p}: a symbolic link out of {folder}; refused (copy the file in instead)")
        size = target.stat().st_size
        if size > MAX_DATA_FILE_BYTES:
            raise DataNotFoundError(f"{p}: {size >> 20} MB, over the limit of {MAX_DATA_FILE_BYTES >> 20} MB "
                                    "for one data file; split it")
    return found


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


def resolve_root(data_dir: Path | None, part: str) -> Path:
    """A user's data dir may hold only ``graph/``: the rest comes from the package."""
    default = paths.data_root()
    if data_dir is None:
        return default
    if not data_dir.is_dir():
        raise DataNotFoundError(f"{data_dir}: no such directory")
    has_part = (data_dir / "graph").is_dir() if part == "graph" else (data_dir / "ontology").is_dir()
    return data_dir if has_part else default


class KnowledgeGraph:
    """The merged graph: ontology, SKOS vocabularies and instance data."""

    def __init__(self, files: list[DataFile], store: ox.Store, asserted: int):
        self.files = files
        #: Oxigraph store: every asserted triple, the entailed types and the display labels.
        self.store = store
        self._asserted = asserted

    def __len__(self) -> int:
        """Asserted triples (without the entailed types and display labels the store adds)."""
        return self._asserted

    @cached_property
    def labels(self):
        """The :class:`~policykg.rdf.labels.LabelIndex` of the graph."""
        from .labels import LabelIndex

        return LabelIndex.build(self.store)

    def files_of(self, *parts: str) -> list[DataFile]:
        return [f for f in self.files if f.part in parts]

    def triples(self, *parts: str):
        """Asserted triples, file by file (a triple in two files comes twice)."""
        for f in self.files_of(*(parts or PARTS)):
            yield from f.triples

    def rdflib_graph(self, *parts: str):
        """The asserted triples as an rdflib Graph (for pyshacl)."""
        from .rdflib_terms import to_rdflib

        return to_rdflib(self.triples(*parts))


def data_files(data_dir: Path | None = None, graph_files: list[Path] | None = None) -> list[DataFile]:
    """The files :func:`load` reads, in its order (``graph_files`` in place of ``graph/``)."""
    files: list[DataFile] = []
    for part in PARTS:
        root = resolve_root(data_dir, part)
        chosen = graph_files if (part == "graph" and graph_files is not None) else part_files(root, part)
        files += [DataFile(Path(p), part) for p in chosen]
    if not any(f.part == "graph" for f in files):
        raise DataNotFoundError(f"no graph files under {resolve_root(data_dir, 'graph') / 'graph'}")
    return files


def load(data_dir: Path | None = None, *, graph_files: list[Path] | None = None) -> KnowledgeGraph:
    """Load ontology, vocabularies and graph into an Oxigraph store, strictly.

    Besides the asserted triples the store holds the ``rdfs:subClassOf``
    closure of every instance's types and a ``pk:displayLabel`` per reader
    language (see :mod:`policykg.rdf.labels`).

    ``data_dir`` is a folder holding ``graph/`` (and optionally ``ontology/``);
    what it lacks comes from the packaged data. ``graph_files``, if given,
    replaces the graph part (e.g. to check one example file). Raises
    :class:`~policykg.errors.RDFSyntaxError` naming the file and line of the
    first file that does not parse.
    """
    files = data_files(data_dir, graph_files)
    store = ox.Store()
    for f in files:
        try:
            # bulk_load pays off on large files; on small ones the plain loader is faster.
            loader = store.bulk_load if f.path.stat().st_size > _BULK_THRESHOLD else store.load
            loader(path=f.path, format=rdf_format(f.path))
        except SyntaxError as e:
            raise _syntax_error(f.path, e) from None
        except OSError as e:
            raise DataNotFoundError(f"{f.path}: {e.strerror}") from None
    asserted = len(store)
    from .labels import DISPLAY_LABELS

    store.update(ENTAIL_TYPES)
    store.update(DISPLAY_LABELS)
    return KnowledgeGraph(files, store, asserted)


def load_shapes(data_dir: Path | None = None) -> list[DataFile]:
    root = resolve_root(data_dir, "ontology")
    return [parse_file(p, "shapes") for p in part_files(root, "shapes")]
