"""The ontology's invariants: labelled, defined, built on standard terms."""

from __future__ import annotations

import pytest

from policykg.namespaces import PK, PREFIXES

OWL = PREFIXES["owl"]
RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]

TERMS = f"""
SELECT ?term ?type WHERE {{
  VALUES ?type {{ <{OWL}Class> <{OWL}ObjectProperty> <{OWL}DatatypeProperty> }}
  ?term a ?type . FILTER(STRSTARTS(STR(?term), "{PK}"))
}} ORDER BY ?term
"""


def _terms(kg):
    return sorted({r["term"].value for r in kg.store.query(TERMS)})


def _values(kg, s, p):
    return list(kg.store.query(f"SELECT ?o WHERE {{ <{s}> <{p}> ?o }} ORDER BY ?o"))


def test_ontology_declares_classes_and_properties(kg):
    assert len(_terms(kg)) >= 60


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_term_has_one_label_in_each_language(kg, lang):
    missing = [t for t in _terms(kg)
               if sum(1 for r in _values(kg, t, RDFS + "label") if r["o"].language == lang) != 1]
    assert missing == []


def test_every_term_has_a_one_line_english_definition(kg):
    bad = []
    for t in _terms(kg):
        defs = [r["o"] for r in _values(kg, t, SKOS + "definition") if r["o"].language == "en"]
        if len(defs) != 1 or "\n" in defs[0].value:
            bad.append(t)
    assert bad == []


def test_header_has_version_license_description_and_change_note(kg):
    onto = "https://w3id.org/policykg/ontology"
    for p in (OWL + "versionInfo", "http://purl.org/dc/terms/license",
              "http://purl.org/dc/terms/description", SKOS + "changeNote"):
        assert _values(kg, onto, p), p


@pytest.mark.parametrize("term, parent", [
    ("PolicyDocument", "http://data.europa.eu/eli/ontology#LegalResource"),
    ("PartnerMembership", "http://www.w3.org/ns/org#Membership"),
    ("PartnerProgram", "http://www.w3.org/ns/org#OrganizationalCollaboration"),
    ("PartnerRole", "http://www.w3.org/ns/org#Role"),
    ("Evidence", "http://www.w3.org/ns/oa#TextQuoteSelector"),
    ("Observation", "http://purl.org/linked-data/cube#Observation"),
    ("Place", "http://purl.org/dc/terms/Location"),
])
def test_classes_specialise_standard_classes(kg, term, parent):
    assert kg.store.query(f"ASK {{ <{PK}{term}> <{RDFS}subClassOf> <{parent}> }}")


@pytest.mark.parametrize("term, parent", [
    ("issuedBy", "http://data.europa.eu/eli/ontology#passed_by"),
    ("quotedFrom", "http://www.w3.org/ns/prov#wasQuotedFrom"),
    ("translatedFrom", "http://www.w3.org/ns/prov#wasDerivedFrom"),
    ("unit", "http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure"),
    ("period", "http://purl.org/dc/terms/temporal"),
])
def test_properties_specialise_standard_properties(kg, term, parent):
    assert kg.store.query(f"ASK {{ <{PK}{term}> <{RDFS}subPropertyOf> <{parent}> }}")


@pytest.mark.parametrize("scheme", [
    "policy-kind", "policy-level", "partner-role", "measure-category", "technology",
    "indicator", "unit", "comparator", "organization-kind", "post-role",
])
def test_each_controlled_list_is_a_skos_scheme_with_concepts(kg, scheme):
    iri = PREFIXES["pkv"] + scheme
    n = next(iter(kg.store.query(
        f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c <{SKOS}inScheme> <{iri}> }}")))["n"].value
    assert int(n) >= 3


def test_policy_levels_are_strategic_tactical_operational(kg):
    rows = kg.store.query(
        f"SELECT ?l WHERE {{ ?c <{SKOS}inScheme> <{PREFIXES['pkv']}policy-level> ; "
        f"<{SKOS}prefLabel> ?l FILTER(LANG(?l) = 'en') }} ORDER BY ?l")
    assert [r["l"].value for r in rows] == ["operational", "strategic", "tactical"]


def test_committed_ontology_diagram_is_current(kg):
    from policykg.rdf.diagram import ontology_dot
    from policykg.paths import data_root

    committed = (data_root() / "docs" / "ontology.dot")
    if not committed.is_file():
        pytest.skip("docs/ is not shipped in the wheel")
    assert committed.read_text(encoding="utf-8") == ontology_dot(kg), "run: make diagram"
