"""policykg: a knowledge graph of public policies and the actors around them.

The public API::

    import policykg
    kg = policykg.load()                 # ontology + vocabularies + graph, parsed strictly
    report = policykg.validate()         # syntax, SHACL, stated-count consistency
    policykg.stats(kg).classes           # instances per class
    policykg.run_query(kg, "SELECT ...") # SPARQL on the embedded Oxigraph store

Names are imported on first use, so ``import policykg`` stays cheap for the
query path (rdflib and pyshacl load only when validation needs them).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "DataNotFoundError": "errors", "EntityNotFoundError": "errors", "PolicyKGError": "errors",
    "RDFSyntaxError": "errors", "KnowledgeGraph": "loading", "load": "loading",
    "data_root": "paths", "QueryResult": "query", "QuerySyntaxError": "safety",
    "UnsafeQueryError": "safety", "QueryTimeout": "query", "prepare_query": ("query", "prepare"),
    "run_query": ("query", "run_query"), "stats": ("stats", "compute"),
    "ValidationReport": "validation", "Violation": "validation", "validate": "validation",
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
