"""policykg: a knowledge graph of public policies and the actors around them.

The public API::

    import policykg
    kg = policykg.load()                           # ontology + vocabularies + graph, parsed strictly
    report = policykg.validate()                   # syntax, SHACL, stated-count consistency
    policykg.run_query(kg, name="members-by-role", params={"program": "pkd:..."})
    policykg.run_query(kg, sparql="SELECT ...")    # in a worker, under a deadline and a memory cap
    policykg.links(kg, "Baidu")                    # what an entity is linked to, with evidence

Names are imported on first use, so ``import policykg`` stays cheap for the
query path (rdflib and pyshacl load only when validation needs them).
"""

from __future__ import annotations

import importlib

__version__ = "0.3.0"

_API = {
    # errors
    "PolicyKGError": "errors", "RDFSyntaxError": "errors", "DataNotFoundError": "errors",
    "EntityNotFoundError": "errors", "QuerySyntaxError": "errors", "UnsafeQueryError": "errors",
    "ParameterError": "errors", "QueryTimeout": "errors", "EvaluationFailed": "errors",
    # the RDF core
    "data_root": "paths", "KnowledgeGraph": "rdf.loading", "load": "rdf.loading",
    "ValidationReport": "rdf.validation", "Violation": "rdf.validation", "validate": "rdf.validation",
    "stats": ("rdf.stats", "compute"), "resolve_entity": "rdf.labels",
    # SPARQL
    "QueryResult": "sparql.query", "run_query": "sparql.query", "check_syntax": "sparql.query",
    "canned_queries": "sparql.canned", "find_query": "sparql.canned",
    # the network
    "build_network": "network.projection", "links": "network.analysis", "find_paths": "network.analysis",
    "rank": "network.analysis",
    # follow-through: sheets, lineage, targets against figures
    "add_sheet": "authoring", "SheetError": "authoring", "lineage": "followthrough.lineage",
    "targets": "followthrough.targets",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str):
    try:
        target = _API[name]
    except KeyError:
        raise AttributeError(f"module 'policykg' has no attribute {name!r}") from None
    module, attr = target if isinstance(target, tuple) else (target, name)
    value = getattr(importlib.import_module(f".{module}", __name__), attr)
    globals()[name] = value
    return value


def __dir__():
    return __all__
