"""The loader policykg validate uses, against the W3C Turtle and N-Triples suites.

Reads the pinned suite from POLICYKG_W3C_TESTS (default ../shared/w3c-rdf-tests);
nothing of it is copied into the project.
"""

from __future__ import annotations

from pathlib import Path

import os
import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from policykg.errors import RDFSyntaxError
from policykg.rdf.loading import parse_file
from policykg.rdf.rdflib_terms import to_rdflib

from support import W3C

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDFT = "http://www.w3.org/ns/rdftest#"
SUITES = {"rdf-turtle": "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/",
          "rdf-n-triples": "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-n-triples/"}


def _cases():
    cases = []
    for suite, base in SUITES.items():
        folder = W3C / "rdf" / "rdf11" / suite
        manifest = folder / "manifest.ttl"
        if not manifest.is_file():
            continue
        store = ox.Store()
        store.load(path=manifest, format=ox.RdfFormat.TURTLE, base_iri=base + "manifest.ttl")
        rows = store.query(f"""
            SELECT ?test ?type ?action ?result WHERE {{
              ?test a ?type ; <{MF}action> ?action .
              OPTIONAL {{ ?test <{MF}result> ?result }}
            }} ORDER BY ?test""")
        for r in rows:
            kind = r["type"].value.rsplit("#", 1)[1]
            action = folder / r["action"].value.removeprefix(base)
            result = folder / r["result"].value.removeprefix(base) if r["result"] else None
            cases.append(pytest.param(kind, action, result, base + action.name, id=f"{suite}/{action.stem}"))
    return cases


CASES = _cases()
pytestmark = pytest.mark.skipif(not CASES and not os.environ.get("CI"), reason=f"W3C suite not found at {W3C}")


def test_suite_sizes_match_the_pinned_copy():
    kinds = [c.values[0] for c in CASES]
    assert kinds.count("TestTurtleNegativeSyntax") == 94
    assert kinds.count("TestTurtlePositiveSyntax") == 74
    assert kinds.count("TestTurtleEval") == 145
    assert kinds.count("TestNTriplesNegativeSyntax") == 29
    assert kinds.count("TestNTriplesPositiveSyntax") == 41


@pytest.mark.parametrize("kind, action, result, base", CASES)
def test_loader_conforms(kind, action: Path, result: Path | None, base: str):
    if "Negative" in kind:
        with pytest.raises(RDFSyntaxError) as err:
            parse_file(action, base_iri=base)
        assert err.value.path == action
        assert isinstance(err.value.line, int) and err.value.line >= 1
        assert str(err.value).startswith(f"{action}:{err.value.line}")
        return
    parsed = parse_file(action, base_iri=base)
    if kind.endswith("Eval"):
        expected = parse_file(result, base_iri=base)
        assert isomorphic(to_rdflib(parsed.triples), to_rdflib(expected.triples))
