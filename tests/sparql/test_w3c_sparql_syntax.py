"""The W3C SPARQL 1.1 query-syntax tests, parse-only: never executed.

Every negative test must be rejected and every positive one accepted by the
same checks `policykg query` and `/sparql` apply (rdflib's grammar for the
safety walk, then Oxigraph's parser on an empty store, results unread).
"""

from __future__ import annotations

import os
import pyoxigraph as ox
import pytest

from policykg.errors import QuerySyntaxError
from policykg.sparql.query import check_syntax
from support import W3C

BASE = "https://w3c.github.io/rdf-tests/sparql/sparql11/syntax-query/"
FOLDER = W3C / "sparql" / "sparql11" / "syntax-query"


def _cases():
    manifest = FOLDER / "manifest.ttl"
    if not manifest.is_file():
        return []
    store = ox.Store()
    store.load(path=manifest, format=ox.RdfFormat.TURTLE, base_iri=BASE + "manifest.ttl")
    rows = store.query("""PREFIX mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#>
        SELECT ?type ?action WHERE { ?t a ?type ; mf:action ?action } ORDER BY ?action""")
    return [pytest.param(r["type"].value.rsplit("#", 1)[1], r["action"].value.removeprefix(BASE),
                         id=r["action"].value.removeprefix(BASE)) for r in rows]


CASES = _cases()
pytestmark = pytest.mark.skipif(not CASES and not os.environ.get("CI"), reason=f"W3C suite not found at {W3C}")


def test_suite_has_31_negative_and_63_positive_tests():
    kinds = [c.values[0] for c in CASES]
    assert (kinds.count("NegativeSyntaxTest11"), kinds.count("PositiveSyntaxTest11")) == (31, 63)


@pytest.mark.parametrize("kind, name", CASES)
def test_query_syntax(kind, name):
    text = (FOLDER / name).read_text(encoding="utf-8")
    if kind == "NegativeSyntaxTest11":
        with pytest.raises(QuerySyntaxError):
            check_syntax(text, base_iri=BASE + name)
    else:
        check_syntax(text, base_iri=BASE + name)
