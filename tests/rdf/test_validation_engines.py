"""The fast SHACL engine gives pyshacl's verdicts: differential tests.

Every shipped valid and invalid example and the shipped graph go through
``validate`` with both engines; then 200 seeded mutations of a small graph
(dropped triples, changed counts, wrong types and datatypes, over-long or
blank phrases, dangling links, changed language tags...) go through both
engines' functions. The verdicts (focus, shape, component, path, value,
severity, message, and for files the location) must be equal as multisets.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import astuple

import pyoxigraph as ox
import pytest
from rdflib import Graph

from policykg import paths, validate
from policykg.rdf.loading import load_shapes, parse_file, part_files, resolve_root
from policykg.rdf.rdflib_terms import to_rdflib
from policykg.rdf.shacl import shacl_violations
from policykg.rdf.shacl_sparql import (UnsupportedShape, asserted_store, compile_shapes, sparql_violations,
                                       _star_joins)

EXAMPLES = paths.ontology_dir() / "examples"
ALL_EXAMPLES = sorted((EXAMPLES / "valid").glob("*.ttl")) + sorted((EXAMPLES / "invalid").glob("*.ttl"))


def _key(violations) -> Counter:
    # Blank node labels are made afresh by every parse: compare them as one.
    return Counter(tuple(re.sub(r"_:\w+", "_:b", x) if isinstance(x, str) else x for x in astuple(v))
                   for v in violations)


def _assert_same(fast, reference, what=""):
    a, b = _key(fast), _key(reference)
    assert a == b, (f"{what}\nonly fast: {sorted((a - b).elements())}\n"
                    f"only pyshacl: {sorted((b - a).elements())}")


@pytest.fixture(scope="module", autouse=True)
def pyshacl_parses_each_query_once():
    """pyshacl hands rdflib the text of each SPARQL constraint on every run, and parsing it (pyparsing)
    takes rdflib longer than evaluating it. This module runs pyshacl some 250 times over the same
    shapes: each text is translated once and rdflib gets the prepared query, what its own
    ``prepareQuery`` makes for reuse. The verdicts are pyshacl's as before, in half the time."""
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query
    prepared = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            # Prefixes are resolved at translation: the graph's namespaces are part of the key.
            key = (strOrQuery, base, frozenset((initNs or {}).items()))
            if key not in prepared:
                prepared[key] = processor.translateQuery(processor.parseQuery(strOrQuery), base, initNs)
            strOrQuery = prepared[key]
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(processor.SPARQLProcessor, "query", query)
        yield


@pytest.mark.parametrize("path", ALL_EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_examples_same_verdicts(path):
    fast = validate(graph_files=[path], cache=False, engine="fast")
    reference = validate(graph_files=[path], cache=False, engine="pyshacl")
    assert (fast.triples, fast.files) == (reference.triples, reference.files)
    _assert_same(fast.violations, reference.violations, path.name)


def test_shipped_graph_same_verdicts():
    fast = validate(cache=False, engine="fast")
    reference = validate(cache=False, engine="pyshacl")
    assert (fast.triples, fast.files) == (reference.triples, reference.files)
    _assert_same(fast.violations, reference.violations)


def test_fast_is_the_default(monkeypatch):
    monkeypatch.delenv("POLICYKG_SHACL_ENGINE", raising=False)
    from policykg.rdf import validation

    assert validation.DEFAULT_ENGINE == "fast"
    with pytest.raises(ValueError):
        validate(cache=False, engine="nope")


# ---------------------------------------------------------------------------
# Seeded mutations of a small graph
# ---------------------------------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OA_EXACT = ox.NamedNode("http://www.w3.org/ns/oa#exact")
SKOS_SCHEME = ox.NamedNode("http://www.w3.org/2004/02/skos/core#ConceptScheme")
BASE_EXAMPLES = ["partner-program", "policy-with-goal-and-target", "ranked-observation"]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return to_rdflib(t for f in load_shapes(None) for t in f.triples)


@pytest.fixture(scope="module")
def small_graph():
    """The ontology, the concepts the examples use, and three valid examples (one graph)."""
    onto = [t for p in part_files(resolve_root(None, "ontology"), "ontology") for t in parse_file(p).triples]
    vocab = [t for p in part_files(resolve_root(None, "vocab"), "vocab") for t in parse_file(p).triples]
    data = [t for name in BASE_EXAMPLES for t in parse_file(EXAMPLES / "valid" / f"{name}.ttl").triples]
    used = {t.object for t in data} | {t.subject for t in data}
    schemes = {t.subject for t in vocab if t.object == SKOS_SCHEME}
    base = onto + [t for t in vocab if t.subject in used or t.subject in schemes]
    return base, data


def _lit(value, datatype=None, lang=None):
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)) if datatype else ox.Literal(value)


ODD_LITERALS = [
    _lit("abc"), _lit("3", "integer"), _lit("-1", "integer"), _lit("0", "integer"), _lit("1.5", "integer"),
    _lit("x", "integer"), _lit("1.5", "decimal"), _lit("2.0", "decimal"), _lit("2030", "gYear"),
    _lit("20x0", "gYear"), _lit("2030-05", "gYearMonth"), _lit("2024-02-30", "date"), _lit("2024-02-03", "date"),
    _lit("2024-02-03T10:00:00", "dateTime"), _lit("true", "boolean"), _lit("label", lang="en"),
    _lit("ラベル", lang="ja"), _lit("标签", lang="zh"), _lit("label", lang="en-US"), _lit("", None),
    _lit("   "), _lit("a" * 40), _lit("a" * 41), _lit("é" * 40), _lit("phrase", lang="en"), _lit("7", "string"),
]


def _mutate(rng: random.Random, data: list, base: list) -> tuple[list, str]:
    data = list(data)
    done = []
    subjects = sorted({t.subject for t in data}, key=str)
    classes = sorted({t.object for t in data + base if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode)},
                     key=str)
    for _ in range(rng.choice((1, 1, 2, 3))):
        kind = rng.choice(["drop", "drop_subject", "count", "type", "add_type", "literal", "phrase", "duplicate",
                           "dangling", "lang", "move", "bnode", "swap_objects"])
        if not data:
            break
        i = rng.randrange(len(data))
        t = data[i]
        if kind == "drop":
            del data[i]
        elif kind == "drop_subject":
            s = rng.choice(subjects)
            data = [x for x in data if x.subject != s]
        elif kind == "count":
            ints = [j for j, x in enumerate(data) if isinstance(x.object, ox.Literal)
                    and x.object.datatype.value == XSD + "integer"]
            if ints:
                i = rng.choice(ints)
                t = data[i]
                n = int(t.object.value) + rng.choice((-3, -2, -1, 1, 2, 5))
                data[i] = ox.Triple(t.subject, t.predicate, _lit(str(n), "integer"))
        elif kind == "type":
            types = [j for j, x in enumerate(data) if x.predicate == RDF_TYPE]
            i = rng.choice(types)
            data[i] = ox.Triple(data[i].subject, RDF_TYPE, rng.choice(classes))
        elif kind == "add_type":
            data.append(ox.Triple(rng.choice(subjects), RDF_TYPE, rng.choice(classes)))
        elif kind == "literal":
            lits = [j for j, x in enumerate(data) if isinstance(x.object, ox.Literal)] or [i]
            i = rng.choice(lits)
            data[i] = ox.Triple(data[i].subject, data[i].predicate, rng.choice(ODD_LITERALS))
        elif kind == "phrase":
            phrases = [j for j, x in enumerate(data) if x.predicate == OA_EXACT] or [i]
            i = rng.choice(phrases)
            text = rng.choice(["x" * rng.randint(35, 60), "", " \t", "ok", "語" * rng.randint(38, 42)])
            data[i] = ox.Triple(data[i].subject, data[i].predicate,
                                _lit(text, lang=rng.choice([None, None, "en"])))
        elif kind == "duplicate":
            others = [x.object for x in data if x.predicate == t.predicate and x.object != t.object]
            obj = rng.choice(others) if others else rng.choice(ODD_LITERALS)
            data.append(ox.Triple(t.subject, t.predicate, obj))
        elif kind == "dangling":
            iris = [j for j, x in enumerate(data) if isinstance(x.object, ox.NamedNode) and x.predicate != RDF_TYPE]
            i = rng.choice(iris)
            data[i] = ox.Triple(data[i].subject, data[i].predicate,
                                ox.NamedNode(f"https://example.org/dangling/{rng.randrange(1000)}"))
        elif kind == "lang":
            langs = [j for j, x in enumerate(data) if isinstance(x.object, ox.Literal) and x.object.language] or [i]
            i = rng.choice(langs)
            o = data[i].object
            lang = rng.choice(["en", "ja", "zh", "en-GB", "JA", "fr", None])
            data[i] = ox.Triple(data[i].subject, data[i].predicate, _lit(o.value, lang=lang))
        elif kind == "move":
            data[i] = ox.Triple(rng.choice(subjects), t.predicate, t.object)
        elif kind == "bnode":
            data[i] = ox.Triple(t.subject, t.predicate, ox.BlankNode(f"b{rng.randrange(100)}"))
        elif kind == "swap_objects":
            j = rng.randrange(len(data))
            u = data[j]
            data[i] = ox.Triple(t.subject, t.predicate, u.object)
            data[j] = ox.Triple(u.subject, u.predicate, t.object)
        done.append(kind)
    return data, "+".join(done)


MUTATIONS = 200
CHUNKS = 8  # 25 mutations a test: about 10 s each on an idle machine


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_mutations_same_verdicts(small_graph, shapes, chunk):
    base, data = small_graph
    failing = compared = crashed = 0
    seed = chunk * 100_000
    while compared < MUTATIONS // CHUNKS:
        rng = random.Random(seed)
        mutated, what = _mutate(rng, data, base)
        seed += 1
        triples = base + mutated
        fast = sparql_violations(asserted_store(triples), shapes)
        try:
            reference = shacl_violations(to_rdflib(triples), shapes)
        except TypeError:
            # rdflib's SUM raises on a non-number (a count made a date), so pyshacl
            # has no verdict; the fast engine follows SPARQL (the sum is unbound) and
            # gives one. Such seeds are not counted among the compared ones.
            crashed += 1
            assert crashed <= 10, "too many mutations pyshacl cannot judge"
            continue
        _assert_same(fast, reference, f"seed {seed - 1}: {what}")
        compared += 1
        failing += bool(reference)
    # The mutations must break something most of the time, or they test little.
    assert failing >= MUTATIONS // CHUNKS // 2


def test_unmutated_small_graph_conforms(small_graph, shapes):
    base, data = small_graph
    assert sparql_violations(asserted_store(base + data), shapes) == []


# ---------------------------------------------------------------------------
# The compiler refuses what it does not know
# ---------------------------------------------------------------------------

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.mark.parametrize("shape", [
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:uniqueLang true ; sh:message \"m\" ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ; sh:message \"m\" ] .",
    "ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message \"m\" ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:T ; sh:message \"m\" ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:message \"m\" ; sh:select \"SELECT $this WHERE { OPTIONAL { $this ex:p ?x } }\" ] .",
])
def test_unsupported_features_fail_loudly(shape):
    g = Graph().parse(data=PREFIXES + shape, format="turtle")
    with pytest.raises(UnsupportedShape):
        compile_shapes(g)


def test_shipped_shapes_compile(shapes):
    compiled = compile_shapes(shapes)
    assert len(compiled) >= 20
    assert sum(len(s.sparql) for s in compiled) >= 12


def test_star_joins_keeps_the_pattern():
    q = ("SELECT ?this ?o WHERE { ?this <http://e/p> ?x ; <http://e/q> \"a.b\"@en . ?o <http://e/p> ?x . "
         "FILTER (?this != ?o) }")
    rewritten = _star_joins(q)
    assert rewritten.count("SELECT * WHERE") == 2 and "FILTER (?this != ?o)" in rewritten
    store = ox.Store()
    for s in ("http://e/a", "http://e/b"):
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode("http://e/p"), ox.Literal("1")))
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode("http://e/q"), ox.Literal("a.b", language="en")))
    rows = lambda text: sorted((r["this"].value, r["o"].value) for r in store.query(text))  # noqa: E731
    assert rows(rewritten) == rows(q) == [("http://e/a", "http://e/b"), ("http://e/b", "http://e/a")]
    nested = "SELECT ?this WHERE { ?this <http://e/p> ?x . FILTER NOT EXISTS { ?this <http://e/q> ?y } }"
    assert _star_joins(nested) == nested


def test_literals_as_written(small_graph, shapes):
    """Oxigraph's store keeps "2.0"^^xsd:decimal as "2" and merges it with "2.00"; pyshacl keeps both as written."""
    base, _data = small_graph
    extra = """
        @prefix pk: <https://w3id.org/policykg/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://example.org/t> a pk:Target ; pk:targetValue "2.0"^^xsd:decimal, "2.00"^^xsd:decimal ;
            pk:targetMin "10.50"^^xsd:decimal ; pk:targetMax "3.0"^^xsd:decimal ; pk:deadline "2030.0"^^xsd:decimal ;
            pk:rank "007"^^xsd:integer .
    """
    triples = base + [q.triple for q in ox.parse(extra, format=ox.RdfFormat.TURTLE)]
    fast = sparql_violations(asserted_store(triples), shapes)
    reference = shacl_violations(to_rdflib(triples), shapes)
    _assert_same(fast, reference)
    messages = {v.message for v in fast}
    assert "The range of https://example.org/t is inverted: 10.50 > 3.0." in messages
    assert any(v.component == "sh:MaxCountConstraintComponent" and v.path == "pk:targetValue" for v in fast)
