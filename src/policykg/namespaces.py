"""Prefixes of the project and of the vocabularies it reuses."""

from __future__ import annotations

PK = "https://w3id.org/policykg/ontology#"
PKD = "https://w3id.org/policykg/id/"
PKV = "https://w3id.org/policykg/vocab/"

# Order matters only for display; serializers sort what they write.
PREFIXES: dict[str, str] = {
    "pk": PK,
    "pkd": PKD,
    "pkv": PKV,
    "pksh": "https://w3id.org/policykg/shapes#",
    "kind": PKV + "policy-kind/",
    "level": PKV + "policy-level/",
    "role": PKV + "partner-role/",
    "measure": PKV + "measure-category/",
    "tech": PKV + "technology/",
    "ind": PKV + "indicator/",
    "unit": PKV + "unit/",
    "cmp": PKV + "comparator/",
    "okind": PKV + "organization-kind/",
    "post": PKV + "post-role/",
    "org": "http://www.w3.org/ns/org#",
    "dct": "http://purl.org/dc/terms/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "qb": "http://purl.org/linked-data/cube#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "time": "http://www.w3.org/2006/time#",
    "sh": "http://www.w3.org/ns/shacl#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "lang": "http://id.loc.gov/vocabulary/iso639-1/",
    "schema": "http://schema.org/",
}

RDF_TYPE = PREFIXES["rdf"] + "type"
OA_EXACT = PREFIXES["oa"] + "exact"


def sparql_prefixes() -> str:
    """PREFIX declarations for every known prefix, for ad-hoc queries."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def shorten(iri: str) -> str:
    """``pkd:baidu-netcom`` for a known namespace, ``<iri>`` otherwise.

    The longest matching namespace wins, so vocabulary concepts get their
    scheme prefix (``role:model``) rather than ``pkv:partner-role/model``.
    """
    best = None
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(PREFIXES[best])):
            local = iri[len(ns):]
            if local and "/" not in local and "#" not in local:
                best = prefix
    if best is None:
        return f"<{iri}>"
    return f"{best}:{iri[len(PREFIXES[best]):]}"
