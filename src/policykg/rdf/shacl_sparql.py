"""A fast SHACL engine for policykg's shapes: the shapes compiled to look-ups on an Oxigraph store.

pyshacl walks the graph focus node by focus node in Python and runs every
SPARQL constraint once per focus node: validation grew faster than the
graph (105 s at 51.5k triples). This engine reads the shapes file (still
the one source of truth), compiles each shape into

* its focus nodes: ``sh:targetClass`` (instances through
  ``rdf:type/rdfs:subClassOf*`` of the data graph, as SHACL defines them),
  ``sh:targetSubjectsOf`` and ``sh:targetObjectsOf``, each one index scan;
* per property shape, the values of its path for every focus node, read with
  one scan of the predicate, then its constraints checked on them;
* per ``sh:sparql`` constraint, its SELECT query run **once** on the store
  with ``$this`` left free (so it is found for every focus node in one
  evaluation), keeping the solutions whose ``$this`` is a focus node;

and runs them on the asserted triples only (the store ``load`` builds also
holds entailed types and display labels, which pyshacl never sees): an
:class:`AssertedGraph` keeps them as written, indexed by predicate, for the
property shapes, and in an Oxigraph store for the SPARQL constraints
(Oxigraph keeps typed literals by value, "2.0"^^xsd:decimal as "2"; a
literal a query returns is mapped back to how it was written). Every step
is linear in the graph. A SELECT whose top-level group is only triples and
FILTERs is run with each subject's triples as a sub-SELECT (see
:func:`_star_joins`): the same solutions, hash-joined instead of
nested-loop-joined.

The verdicts are pyshacl's: the same focus, shape, component, path, value,
severity and message, checked by ``tests/rdf/test_validation_engines.py``
on every shipped example, the shipped graph and hundreds of mutations.
Value tests (datatype, numeric bounds, lengths, patterns, language tags)
follow pyshacl's rules on rdflib terms, so even an ill-typed literal gets
the same verdict.

The compiler supports exactly the SHACL features the shapes use and fails
loudly (:class:`UnsupportedShape`) on any other, so a new shape can never
be silently ignored:

* targets: ``sh:targetClass``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``;
* node shapes: ``sh:property``, ``sh:sparql`` (``sh:select``, ``sh:message``,
  ``sh:prefixes``), ``sh:or``, ``sh:severity``, ``sh:message``;
* property shapes (a predicate IRI as ``sh:path``): ``sh:minCount``,
  ``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:minInclusive``,
  ``sh:minLength``, ``sh:maxLength``, ``sh:pattern`` (no flags),
  ``sh:languageIn``, ``sh:or``, ``sh:qualifiedValueShape`` with
  ``sh:qualifiedMinCount``/``sh:qualifiedMaxCount``, ``sh:severity``, ``sh:message`` (required);
* inside ``sh:or``, ``sh:and`` and ``sh:qualifiedValueShape``: shapes made of
  ``sh:datatype``, ``sh:languageIn``, ``sh:and``, ``sh:or``, or a property
  shape with ``sh:path`` and ``sh:minCount``.

A SPARQL constraint must be a SELECT whose ``$this`` occurs in a triple
pattern of its top-level group, project ``$this`` and not ``?value``, ``?path`` or
``?failure``, and have a ``sh:message`` (then a free ``$this`` gives, for each
focus node, exactly the solutions a pre-bound one would).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD, Namespace

from .report import Violation

SH = Namespace("http://www.w3.org/ns/shacl#")

__all__ = ["UnsupportedShape", "compile_shapes", "sparql_violations", "asserted_store", "AssertedGraph", "SUPPORTED"]


class UnsupportedShape(ValueError):
    """The shapes use a SHACL feature this engine does not implement."""


#: What a node shape, a property shape and a nested shape (inside sh:or, sh:and,
#: sh:qualifiedValueShape) may say; anything else is refused.
_COMMON = {RDF.type, RDFS.label, RDFS.comment, SH.message}
NODE_KEYS = _COMMON | {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property, SH.sparql,
                       SH["or"], SH.severity}
PROPERTY_KEYS = _COMMON | {SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.minInclusive,
                           SH.minLength, SH.maxLength, SH.pattern, SH.languageIn, SH["or"],
                           SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.severity}
NESTED_KEYS = {SH.datatype, SH.languageIn, SH["and"], SH["or"], SH.path, SH.minCount}
SPARQL_KEYS = {SH.select, SH.message, SH.prefixes, RDF.type}
SUPPORTED = sorted(str(k).replace(str(SH), "sh:") for k in NODE_KEYS | PROPERTY_KEYS | NESTED_KEYS | SPARQL_KEYS
                   if str(k).startswith(str(SH)))

_COMPONENT = {
    SH.minCount: "sh:MinCountConstraintComponent",
    SH.maxCount: "sh:MaxCountConstraintComponent",
    SH["class"]: "sh:ClassConstraintComponent",
    SH.datatype: "sh:DatatypeConstraintComponent",
    SH.minInclusive: "sh:MinInclusiveConstraintComponent",
    SH.minLength: "sh:MinLengthConstraintComponent",
    SH.maxLength: "sh:MaxLengthConstraintComponent",
    SH.pattern: "sh:PatternConstraintComponent",
    SH.languageIn: "sh:LanguageInConstraintComponent",
    SH["or"]: "sh:OrConstraintComponent",
    SH.qualifiedMinCount: "sh:QualifiedMinCountConstraintComponent",
    SH.qualifiedMaxCount: "sh:QualifiedMaxCountConstraintComponent",
    SH.sparql: "sh:SPARQLConstraintComponent",
}
# pyshacl checks a shape's constraints in this order; the order does not change the verdict set.
_VALUE_CHECKS = (SH["class"], SH.datatype, SH.minInclusive, SH.minLength, SH.maxLength, SH.pattern,
                 SH.languageIn, SH["or"])


# ---------------------------------------------------------------------------
# Value tests, as pyshacl makes them on rdflib terms
# ---------------------------------------------------------------------------

def _to_rdflib(t):
    from .rdflib_terms import term

    return term(t)


def _datatype_ok(v, dt: URIRef) -> bool:
    if not isinstance(v, Literal):
        return False
    if v.datatype == dt:
        if getattr(v, "ill_typed", None) is True:
            return False
        return _actual_datatype(v, dt)
    if dt == RDFS.Literal:
        return True
    if dt == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and dt == XSD.string:
        return _actual_datatype(v, dt)
    if dt == RDF.langString and v.language:
        return _actual_datatype(v, dt)
    return False


_KINDS = {XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool,
          XSD.date: datetime.date, XSD.time: datetime.time, XSD.dateTime: datetime.datetime}
_STRINGS = (XSD.string, RDF.langString)


def _actual_datatype(v: Literal, dt: URIRef) -> bool:
    value = v.value
    if dt in _STRINGS:
        return isinstance(value, (str, bytes))
    kind = _KINDS.get(dt)
    return True if kind is None else isinstance(value, kind)


def _compare_literal(l1: Literal, l2: Literal) -> int:
    if l1.eq(l2):
        return 0
    if l1.value.__class__ in (datetime.datetime, datetime.time):
        if l1.value == l2.value:
            return 0
        if l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


def _min_inclusive_ok(v, m: Literal) -> bool:
    if not isinstance(v, Literal):
        return False
    min_is_string = isinstance(m.value, str)
    v_is_string = isinstance(v.value, str)
    if min_is_string != v_is_string:
        return False
    try:
        return _compare_literal(v, m) >= 0
    except (TypeError, NotImplementedError):
        return False


# ---------------------------------------------------------------------------
# The compiled shapes
# ---------------------------------------------------------------------------

@dataclass
class Nested:
    """A shape inside sh:or / sh:and / sh:qualifiedValueShape: a test on one node."""

    datatype: URIRef | None = None
    languages: set[str] | None = None
    all_of: list["Nested"] = field(default_factory=list)
    any_of: list["Nested"] | None = None
    path: str | None = None  # with min_count: "the node has at least n values of path"
    min_count: int | None = None


@dataclass
class PropertyShape:
    node: object
    path: str
    path_text: str
    message: str | None
    min_count: int | None = None
    max_count: int | None = None
    checks: list[tuple[URIRef, object]] = field(default_factory=list)  # (constraint, parameter)
    qualified: Nested | None = None
    qualified_min: int | None = None
    qualified_max: int | None = None
    severity: str = "Violation"  # a property shape's own (pyshacl does not take the node shape's)


@dataclass
class SparqlConstraint:
    node: object
    query: str
    message: str | None
    variables: list[str] = field(default_factory=list)  # projected, in order


@dataclass
class NodeShape:
    node: object
    name: str
    severity: str
    message: str | None
    target_classes: list[str] = field(default_factory=list)
    target_subjects_of: list[str] = field(default_factory=list)
    target_objects_of: list[str] = field(default_factory=list)
    properties: list[PropertyShape] = field(default_factory=list)
    any_of: list[Nested] | None = None
    sparql: list[SparqlConstraint] = field(default_factory=list)


def _one_message(shapes: Graph, node) -> str | None:
    messages = list(shapes.objects(node, SH.message))
    if len(messages) > 1:
        raise UnsupportedShape(f"{node}: more than one sh:message")
    return str(messages[0]) if messages else None


def _check_keys(shapes: Graph, node, allowed: set, what: str) -> None:
    for p in set(shapes.predicates(node)):
        if p not in allowed:
            raise UnsupportedShape(f"{what} {node} uses {p}, which the fast SHACL engine does not support "
                                   f"(supported: {', '.join(SUPPORTED)}); extend rdf/shacl_sparql.py or "
                                   "validate with engine='pyshacl'")


def _int(shapes: Graph, node, pred) -> int | None:
    v = shapes.value(node, pred)
    if v is None:
        return None
    if not isinstance(v, Literal) or not isinstance(v.value, int):
        raise UnsupportedShape(f"{node}: {pred} must be an integer")
    return v.value


def _path(shapes: Graph, node) -> str:
    p = shapes.value(node, SH.path)
    if not isinstance(p, URIRef):
        raise UnsupportedShape(f"{node}: only a predicate IRI is supported as sh:path, not {p!r}")
    return str(p)


def _languages(shapes: Graph, node) -> set[str]:
    return {str(x.value).lower() for x in Collection(shapes, shapes.value(node, SH.languageIn))}


def _nested(shapes: Graph, node) -> Nested:
    _check_keys(shapes, node, NESTED_KEYS, "nested shape")
    n = Nested()
    if (shapes.value(node, SH.path) is None) != (shapes.value(node, SH.minCount) is None):
        raise UnsupportedShape(f"nested shape {node}: sh:path is supported only with sh:minCount")
    if shapes.value(node, SH.path) is not None:
        n.path, n.min_count = _path(shapes, node), _int(shapes, node, SH.minCount)
    n.datatype = shapes.value(node, SH.datatype)
    if shapes.value(node, SH.languageIn) is not None:
        n.languages = _languages(shapes, node)
    for lst in shapes.objects(node, SH["and"]):
        n.all_of += [_nested(shapes, m) for m in Collection(shapes, lst)]
    ors = list(shapes.objects(node, SH["or"]))
    if len(ors) > 1:
        raise UnsupportedShape(f"{node}: more than one sh:or")
    if ors:
        n.any_of = [_nested(shapes, m) for m in Collection(shapes, ors[0])]
    return n


def _name(term) -> str:
    from .shacl import _name as name

    return name(term)


def _sparql_query(shapes: Graph, node, prefixes_of) -> str:
    _check_keys(shapes, node, SPARQL_KEYS, "SPARQL constraint")
    select = shapes.value(node, SH.select)
    if select is None:
        raise UnsupportedShape(f"SPARQL constraint {node} has no sh:select")
    text = str(select)
    declared = []
    for holder in shapes.objects(node, SH.prefixes):
        declared += prefixes_of(holder)
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in declared)
    # A free ?this is joined to the focus nodes afterwards (pyshacl pre-binds it).
    if re.search(r"[?$]this\b", text) is None:
        raise UnsupportedShape(f"SPARQL constraint {node} does not use $this")
    top = _strip_nested(text)
    if re.search(r"[?$]this\b", top.split("WHERE", 1)[-1] if "WHERE" in top else top) is None:
        raise UnsupportedShape(f"SPARQL constraint {node}: $this must occur in the top-level group "
                               "(not only in a sub-SELECT or FILTER)")
    if re.search(r"\b(OPTIONAL|MINUS|UNION|VALUES|SERVICE|GRAPH|BIND)\b", top, re.I):
        raise UnsupportedShape(f"SPARQL constraint {node}: OPTIONAL, MINUS, UNION, VALUES, SERVICE, GRAPH "
                               "and BIND at the top level are not supported (a free $this could differ "
                               "from a pre-bound one)")
    return prologue + _star_joins(text.replace("$this", "?this"))


_TOKEN = re.compile(r'''\s*(<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^(?:<[^>]*>|[A-Za-z][\w.-]*:[\w.-]*))?|[?$]\w+|[A-Za-z][\w.-]*:(?:[\w.-]*[\w-])?|:(?:[\w.-]*[\w-])?|\ba\b|-?\d+(?:\.\d+)?|[;,.])''')


def _star_joins(query: str) -> str:
    """The same query, its top-level basic graph pattern split into one sub-SELECT per subject.

    Oxigraph evaluates a basic graph pattern by nested index look-ups: a
    self-join such as "two observations with the same indicator, period,
    group and rank" then costs (observations x observations per indicator).
    Each star of triples about one subject, as a ``{ SELECT * WHERE { ... } }``,
    is evaluated once and the stars are hash-joined: linear. A join of
    sub-SELECTs that project all their variables is the basic graph pattern
    itself, so the solutions are the same. Applied only where the WHERE group
    is nothing but triples and FILTERs (no nested group); otherwise the query
    runs as written.
    """
    m = re.search(r"\bWHERE\s*\{", query, re.I)
    if m is None:
        return query
    start, depth, i = m.end(), 1, m.end()
    while i < len(query) and depth:
        depth += {"{": 1, "}": -1}.get(query[i], 0)
        i += 1
    body, rest = query[start:i - 1], query[i:]
    if "{" in body or "}" in body or "#" in re.sub(r"<[^<>\s]*>", "", body):
        return query  # a nested group, or a comment (not worth parsing around)
    filters, triples_text, j = [], [], 0
    for fm in re.finditer(r"\bFILTER\s*\(", body, re.I):
        if fm.start() < j:
            return query
        k, d = fm.end(), 1
        while k < len(body) and d:
            d += {"(": 1, ")": -1}.get(body[k], 0)
            k += 1
        triples_text.append(body[j:fm.start()])
        filters.append(body[fm.start():k])
        j = k
    triples_text.append(body[j:])
    tokens = []
    for chunk in triples_text:
        pos, chunk = 0, chunk.rstrip()
        while pos < len(chunk):
            tm = _TOKEN.match(chunk, pos)
            if tm is None:
                return query
            tokens.append(tm.group(1))
            pos = tm.end()
        tokens.append(".")
    triples, k = [], 0
    while k < len(tokens):
        if tokens[k] == ".":
            k += 1
            continue
        subject = tokens[k]
        k += 1
        while True:
            if k + 1 >= len(tokens) or tokens[k] in ";,." or tokens[k + 1] in ";,.":
                return query
            pred = tokens[k]
            k += 1
            while True:
                triples.append((subject, pred, tokens[k]))
                k += 1
                if k < len(tokens) and tokens[k] == ",":
                    k += 1
                    continue
                break
            if k < len(tokens) and tokens[k] == ";":
                k += 1
                if k < len(tokens) and tokens[k] == ".":
                    break
                continue
            if k < len(tokens) and tokens[k] == ".":
                break
            return query
    stars: dict[str, list] = {}
    for t in triples:
        stars.setdefault(t[0], []).append(t)
    if sum(1 for subject in stars if subject[0] in "?$") < 2:
        return query
    groups = " ".join("{ SELECT * WHERE { " + " . ".join(" ".join(t) for t in star) + " } }"
                      for star in stars.values())
    return query[:start] + " " + groups + " " + " ".join(filters) + " }" + rest


def _strip_nested(text: str) -> str:
    """The query without its nested ``{ ... }`` groups below the WHERE group's own level,
    and without the groups of FILTER (NOT) EXISTS."""
    out, depth = [], 0
    for ch in text:
        if ch == "{":
            depth += 1
            continue
        if ch == "}":
            depth -= 1
            continue
        if depth <= 1:
            out.append(ch)
    return "".join(out)


def compile_shapes(shapes: Graph) -> list[NodeShape]:
    """The node shapes of a shapes graph, compiled; :class:`UnsupportedShape` on anything unknown."""
    declared_cache: dict = {}

    def prefixes_of(holder):
        if holder not in declared_cache:
            pairs = []
            for decl in shapes.objects(holder, SH.declare):
                pairs.append((str(shapes.value(decl, SH.prefix)), str(shapes.value(decl, SH.namespace))))
            declared_cache[holder] = pairs
        return declared_cache[holder]

    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
    roots = set(shapes.subjects(RDF.type, SH.NodeShape))
    for t in targets:
        roots |= set(shapes.subjects(t, None))
    if set(shapes.subjects(RDF.type, SH.PropertyShape)) - set(shapes.objects(None, SH.property)):
        raise UnsupportedShape("a sh:PropertyShape outside a node shape's sh:property is not supported")
    compiled = []
    seen_nodes = set()
    for root in sorted(roots, key=str):
        _check_keys(shapes, root, NODE_KEYS, "node shape")
        severity = shapes.value(root, SH.severity)
        shape = NodeShape(node=root, name=_name(root),
                          severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                          message=_one_message(shapes, root))
        seen_nodes.add(root)
        shape.target_classes = [str(c) for c in shapes.objects(root, SH.targetClass)]
        shape.target_subjects_of = [str(c) for c in shapes.objects(root, SH.targetSubjectsOf)]
        shape.target_objects_of = [str(c) for c in shapes.objects(root, SH.targetObjectsOf)]
        for prop in shapes.objects(root, SH.property):
            seen_nodes.add(prop)
            _check_keys(shapes, prop, PROPERTY_KEYS, "property shape")
            path = _path(shapes, prop)
            ps = PropertyShape(node=prop, path=path, path_text=_name(URIRef(path)),
                               message=_one_message(shapes, prop),
                               min_count=_int(shapes, prop, SH.minCount), max_count=_int(shapes, prop, SH.maxCount))
            prop_severity = shapes.value(prop, SH.severity)
            if prop_severity is not None:
                ps.severity = str(prop_severity).rsplit("#", 1)[-1]
            for key in _VALUE_CHECKS:
                values = list(shapes.objects(prop, key))
                if len(values) > 1:
                    raise UnsupportedShape(f"property shape {prop}: more than one {key}")
                if not values:
                    continue
                v = values[0]
                if key == SH["class"]:
                    param = str(v)
                elif key == SH.languageIn:
                    param = _languages(shapes, prop)
                elif key == SH["or"]:
                    param = [_nested(shapes, m) for m in Collection(shapes, v)]
                elif key in (SH.minLength, SH.maxLength):
                    param = _int(shapes, prop, key)
                elif key == SH.pattern:
                    if shapes.value(prop, SH.flags) is not None:
                        raise UnsupportedShape(f"{prop}: sh:flags is not supported")
                    param = re.compile(str(v))
                else:
                    param = v
                ps.checks.append((key, param))
            q = shapes.value(prop, SH.qualifiedValueShape)
            if q is not None:
                ps.qualified = _nested(shapes, q)
                ps.qualified_min = _int(shapes, prop, SH.qualifiedMinCount)
                ps.qualified_max = _int(shapes, prop, SH.qualifiedMaxCount)
            elif shapes.value(prop, SH.qualifiedMinCount) is not None or shapes.value(prop, SH.qualifiedMaxCount) is not None:
                raise UnsupportedShape(f"{prop}: a qualified count without sh:qualifiedValueShape")
            if ps.message is None:
                raise UnsupportedShape(f"property shape {prop} of {root} has no sh:message (pyshacl would "
                                       "make up a generic one, which this engine does not imitate)")
            shape.properties.append(ps)
        ors = list(shapes.objects(root, SH["or"]))
        if len(ors) > 1:
            raise UnsupportedShape(f"{root}: more than one sh:or")
        if ors:
            shape.any_of = [_nested(shapes, m) for m in Collection(shapes, ors[0])]
            if shape.message is None:
                raise UnsupportedShape(f"node shape {root} has sh:or but no sh:message")
        for sc in shapes.objects(root, SH.sparql):
            seen_nodes.add(sc)
            constraint = SparqlConstraint(node=sc, query=_sparql_query(shapes, sc, prefixes_of),
                                          message=_one_message(shapes, sc))
            if constraint.message is None:
                raise UnsupportedShape(f"SPARQL constraint {sc} of {root} has no sh:message")
            constraint.variables = _variables(constraint.query)
            shape.sparql.append(constraint)
        compiled.append(shape)
    return compiled


# ---------------------------------------------------------------------------
# Running them
# ---------------------------------------------------------------------------

_RDF_TYPE = ox.NamedNode(str(RDF.type))
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))


_CANONICAL = {
    str(XSD.integer): re.compile(r"-?(?:0|[1-9][0-9]*)\Z"),
    str(XSD.decimal): re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?\Z"),
    str(XSD.gYear): re.compile(r"[1-9][0-9]{3}\Z"),
    str(XSD.date): re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
    str(XSD.boolean): re.compile(r"(?:true|false)\Z"),
}


class AssertedGraph:
    """The asserted triples twice: as written (for the shapes' value checks) and in an Oxigraph store.

    Oxigraph's store keeps typed literals by value: ``"2.0"^^xsd:decimal``
    comes back as ``"2"`` and ``"2.0"`` and ``"2.00"`` become one term, where
    rdflib (and so pyshacl) keeps both as written. So the values of a path
    are read from the parsed triples, as written; the store answers the
    SPARQL constraints, and a literal it returns is mapped back to how it
    was written (when one spelling maps to it).
    """

    def __init__(self):
        self.store = ox.Store()
        #: predicate IRI -> subject -> objects, as written, in file order
        self.index: dict[str, dict] = {}
        self._odd: set = set()
        self.originals: dict = {}

    def add(self, quads: list) -> None:
        """Add one file's parsed quads (default graph)."""
        self.store.bulk_extend(quads)
        index, odd = self.index, self._odd
        for q in quads:
            by_subject = index.get(q.predicate.value)
            if by_subject is None:
                by_subject = index[q.predicate.value] = {}
            o = q.object
            objects = by_subject.get(q.subject)
            if objects is None:
                by_subject[q.subject] = [o]
            else:
                objects.append(o)
            if isinstance(o, ox.Literal) and not o.language:
                dt = o.datatype.value
                if dt != _XSD_STRING_OX:
                    canonical = _CANONICAL.get(dt)
                    if canonical is None or not canonical.match(o.value):
                        odd.add(o)

    def finish(self) -> "AssertedGraph":
        """Learn how the store writes each literal it may not keep as written."""
        if self._odd:
            scratch = ox.Store()
            odd = list(self._odd)
            p = ox.NamedNode("urn:policykg:p")
            scratch.extend(ox.Quad(ox.NamedNode(f"urn:policykg:{i}"), p, lit) for i, lit in enumerate(odd))
            for q in scratch:
                original = odd[int(q.subject.value.rsplit(":", 1)[1])]
                if q.object != original:
                    self.originals.setdefault(q.object, original)
            self._odd = set()
        return self

    def __len__(self) -> int:
        return len(self.store)


class _Data:
    """Look-ups on the asserted triples, each computed once."""

    def __init__(self, graph: AssertedGraph):
        self.store = graph.store
        self.index = graph.index
        self._values: dict[str, dict] = {}
        self._instances: dict[str, set] = {}
        self._rdflib: dict = {}
        self._subclasses: dict | None = None
        self._typed: dict | None = None

    def values(self, predicate: str) -> dict:
        """subject -> [objects] for one predicate, as written."""
        return self.index.get(predicate) or {}

    def instances(self, cls: str) -> set:
        """SHACL instances of cls: rdf:type/rdfs:subClassOf* cls in the data graph."""
        found = self._instances.get(cls)
        if found is None:
            if self._typed is None:
                self._typed, self._subclasses = {}, {}
                for s, types in self.values(_RDF_TYPE.value).items():
                    for c in types:
                        self._typed.setdefault(c, set()).add(s)
                for s, supers in self.values(_SUBCLASS.value).items():
                    for c in supers:
                        self._subclasses.setdefault(c, set()).add(s)
            classes, todo = {ox.NamedNode(cls)}, [ox.NamedNode(cls)]
            while todo:
                for sub in self._subclasses.get(todo.pop(), ()):
                    if sub not in classes:
                        classes.add(sub)
                        todo.append(sub)
            found = set()
            for c in classes:
                found |= self._typed.get(c, set())
            self._instances[cls] = found
        return found

    def rdflib(self, t):
        r = self._rdflib.get(t)
        if r is None:
            r = self._rdflib[t] = _to_rdflib(t)
        return r


_XSD_STRING_OX = str(XSD.string)
_LANGSTRING = str(RDF.langString)
_SPECIAL_DATATYPES = {str(RDFS.Literal), str(RDFS.Datatype), _LANGSTRING, _XSD_STRING_OX}


# Lexical forms rdflib certainly reads as a well-typed value of the datatype; any
# other form is left to rdflib itself.
_PLAIN_FORMS = {
    str(XSD.integer): re.compile(r"-?(?:0|[1-9][0-9]{0,17})\Z"),
    str(XSD.decimal): re.compile(r"-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,12}\Z"),
    str(XSD.gYear): re.compile(r"[1-9][0-9]{3}\Z"),
}


def _ox_datatype_ok(data: "_Data", v, dt: URIRef) -> bool:
    """sh:datatype on an Oxigraph term, with rdflib's (pyshacl's) rules where they matter."""
    if not isinstance(v, ox.Literal):
        return False
    want = str(dt)
    if want not in _SPECIAL_DATATYPES:
        if v.language or v.datatype.value != want:
            return False  # pyshacl: another datatype never matches
        plain = _PLAIN_FORMS.get(want)
        if plain is not None and plain.match(v.value):
            return True
        return _datatype_ok(data.rdflib(v), dt)  # ill-typed or not, as rdflib parses it
    if want == _XSD_STRING_OX:
        return not v.language and v.datatype.value == _XSD_STRING_OX
    return _datatype_ok(data.rdflib(v), dt)


def _ox_language_ok(v, wanted: set[str]) -> bool:
    if not isinstance(v, ox.Literal) or not v.language:
        return False
    if "*" in wanted:
        return True
    lang = v.language.lower()
    return lang in wanted or lang.split("-")[0] in wanted


def _ox_string(v) -> str | None:
    """What pyshacl measures and matches: a literal's lexical form, an IRI; None for a blank node."""
    if isinstance(v, ox.BlankNode):
        return None
    return v.value


def _nested_ok(data: _Data, n: Nested, node) -> bool:
    """Does ``node`` (an Oxigraph term) conform to the nested shape?"""
    if n.path is not None:
        if len(set(data.values(n.path).get(node, ()))) < n.min_count:
            return False
    if n.datatype is not None and not _ox_datatype_ok(data, node, n.datatype):
        return False
    if n.languages is not None and not _ox_language_ok(node, n.languages):
        return False
    if any(not _nested_ok(data, m, node) for m in n.all_of):
        return False
    if n.any_of is not None and not any(_nested_ok(data, m, node) for m in n.any_of):
        return False
    return True


def _value_test(data: _Data, key, param):
    """The test of one value constraint, as a function of an Oxigraph term."""
    if key == SH["class"]:
        members = data.instances(param)
        return members.__contains__
    if key == SH["or"]:
        return lambda v: any(_nested_ok(data, m, v) for m in param)
    if key == SH.datatype:
        return lambda v: _ox_datatype_ok(data, v, param)
    if key == SH.minInclusive:
        return lambda v: _min_inclusive_ok(data.rdflib(v), param)
    if key == SH.languageIn:
        return lambda v: _ox_language_ok(v, param)
    if key == SH.minLength:
        if param == 0:
            return lambda v: True
        return lambda v: (s := _ox_string(v)) is not None and len(s) >= param
    if key == SH.maxLength:
        return lambda v: (s := _ox_string(v)) is not None and len(s) <= param
    if key == SH.pattern:
        return lambda v: (s := _ox_string(v)) is not None and bool(param.match(s) or param.search(s))
    raise UnsupportedShape(f"no check for {key}")  # pragma: no cover


def focus_nodes(data: _Data, shape: NodeShape) -> set:
    found = set()
    for c in shape.target_classes:
        found |= data.instances(c)
    for p in shape.target_subjects_of:
        found.update(data.values(p))
    for p in shape.target_objects_of:
        for objects in data.values(p).values():
            found.update(objects)
    return found


def _message_sub(msg: str, bindings: dict) -> str:
    for var, val in bindings.items():
        msg = re.sub("{{[?$]{}}}".format(var), str(val), msg)
    return msg


def _sparql_value(t):
    """An Oxigraph query result term as the rdflib term pyshacl's message formatting would print."""
    return _to_rdflib(t)


def run(graph: AssertedGraph, shapes: list[NodeShape]) -> list[tuple]:
    """Every result: (focus, shape, component, message, severity, path, value) as Oxigraph terms/strings."""
    data = _Data(graph)
    store, originals = graph.store, graph.originals
    out = []
    for shape in shapes:
        focus = focus_nodes(data, shape)
        if not focus:
            continue
        sev = shape.severity

        def emit(f, component, message, path=None, value=None, severity=None):
            out.append((f, shape.name, component, message or "", severity or sev, path, value))

        for ps in shape.properties:
            values = data.values(ps.path)
            msg = ps.message
            tests = [(_COMPONENT[key], _value_test(data, key, param)) for key, param in ps.checks]
            psev = ps.severity
            for f in focus:
                vs = list(dict.fromkeys(values.get(f, ())))
                n = len(vs)
                if ps.min_count is not None and n < ps.min_count:
                    emit(f, _COMPONENT[SH.minCount], msg, ps.path_text, severity=psev)
                if ps.max_count is not None and n > ps.max_count:
                    emit(f, _COMPONENT[SH.maxCount], msg, ps.path_text, severity=psev)
                for component, test in tests:
                    for v in vs:
                        if not test(v):
                            emit(f, component, msg, ps.path_text, v, severity=psev)
                if ps.qualified is not None:
                    conforming = sum(1 for v in vs if _nested_ok(data, ps.qualified, v))
                    if ps.qualified_min is not None and conforming < ps.qualified_min:
                        emit(f, _COMPONENT[SH.qualifiedMinCount], msg, ps.path_text, severity=psev)
                    if ps.qualified_max is not None and conforming > ps.qualified_max:
                        emit(f, _COMPONENT[SH.qualifiedMaxCount], msg, ps.path_text, severity=psev)
        if shape.any_of is not None:
            for f in focus:
                if not any(_nested_ok(data, m, f) for m in shape.any_of):
                    emit(f, _COMPONENT[SH["or"]], shape.message, None, f)
        for sc in shape.sparql:
            seen = set()
            for solution in store.query(sc.query):
                this = solution["this"]
                if this is None or this not in focus:
                    continue
                row = tuple((name, solution[name]) for name in sc.variables)
                key = (this, row)
                if key in seen:
                    continue
                seen.add(key)
                bound = {name: _sparql_value(originals.get(t, t)) for name, t in row
                         if t is not None and name not in ("this", "path", "value")}
                bound["this"] = _sparql_value(this)
                bound["value"] = bound["this"]  # pyshacl: a node shape's result has its focus as sh:value
                # pyshacl lists the constraint's message, then the node shape's: a person reads the first.
                text = sc.message if sc.message is not None else (shape.message or "")
                emit(this, _COMPONENT[SH.sparql], _message_sub(text, bound), None, this)
    return out


def _variables(query: str) -> list[str]:
    """The variables the (outer) SELECT projects."""
    select = re.search(r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\s+WHERE", query, re.S | re.I)
    if select is None or select.group(1).strip() == "*":
        raise UnsupportedShape("a SPARQL constraint must project its variables (no SELECT *)")
    projection = select.group(1)
    projection = re.sub(r"\(.*?\bAS\s+[?$](\w+)\s*\)", r" ?\1 ", projection, flags=re.S | re.I)
    names = re.findall(r"[?$](\w+)", projection)
    if {"value", "path", "failure"} & set(names):
        raise UnsupportedShape("a SPARQL constraint projecting ?value, ?path or ?failure is not supported")
    if "this" not in names:
        raise UnsupportedShape("a SPARQL constraint must project $this")
    return names


def asserted_store(triples) -> AssertedGraph:
    """An :class:`AssertedGraph` of exactly these triples."""
    graph = AssertedGraph()
    graph.add([ox.Quad(t.subject, t.predicate, t.object) for t in triples])
    return graph.finish()


def sparql_violations(graph: AssertedGraph, shapes: Graph, locate=None) -> list[Violation]:
    """Validate the asserted triples of ``graph`` against ``shapes`` (an rdflib Graph)."""
    compiled = compile_shapes(shapes)
    rows = run(graph, compiled)
    locs = {}
    if locate is not None:
        wanted = {f for f, *_ in rows if isinstance(f, ox.NamedNode)}
        locs = locate(wanted) if wanted else {}
    out = []
    for f, shape, component, message, severity, path, value in rows:
        fr = _to_rdflib(f)
        out.append(Violation(
            focus=_name(fr), shape=shape, component=component, message=message, severity=severity,
            path=path, value=_name(_to_rdflib(value)) if value is not None else None,
            location=locs.get(f) if isinstance(f, ox.NamedNode) else None,
        ))
    return sorted(out, key=lambda v: (v.severity != "Violation", v.focus, v.shape, v.message))


def locate_subjects(files, wanted: set) -> dict:
    """focus IRI -> "file:line" where it is first written as a subject, like pyshacl's report.

    Only the files up to the last one needed are read, streaming, and only when
    there are violations to place.
    """
    from .shacl import _PREFIX_DECL, _display_path
    from .loading import rdf_format

    defined: dict = {}
    todo = set(wanted)
    for f in files:
        if not todo:
            break
        triples = f.__dict__.get("triples")
        source = triples if triples is not None else (q.triple for q in ox.parse(path=f.path, format=rdf_format(f.path)))
        for t in source:
            if t.subject in todo:
                defined[t.subject] = f.path
                todo.discard(t.subject)
    out = {}
    texts: dict = {}
    for node, path in defined.items():
        if path not in texts:
            text = path.read_text(encoding="utf-8")
            texts[path] = (text.splitlines(), {p or "": ns for p, ns in _PREFIX_DECL.findall(text)})
        lines, prefixes = texts[path]
        iri = node.value
        needles = [f"<{iri}>"] + [f"{p}:{iri[len(ns):]}" for p, ns in prefixes.items() if ns and iri.startswith(ns)]
        pattern = re.compile(r"^\s*(?:" + "|".join(re.escape(n) for n in needles) + r")(?=[\s;,.]|$)")
        out[node] = next((f"{_display_path(path)}:{n}" for n, line in enumerate(lines, 1) if pattern.match(line)),
                         _display_path(path))
    return out
