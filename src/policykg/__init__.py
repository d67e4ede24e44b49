"""policykg: a knowledge graph of public policies and the actors around them.

The public API::

    import policykg
    kg = policykg.load()                 # ontology + vocabularies + graph, parsed strictly
    report = policykg.validate()         # syntax, SHACL, stated-count consistency
    policykg.stats(kg).classes           # instances per class
    policykg.run_query(kg, "SELECT ...") # SPARQL on the embedded Oxigraph store
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import DataNotFoundError, EntityNotFoundError, PolicyKGError, RDFSyntaxError
from .loading import KnowledgeGraph, load
from .paths import data_root
from .sparql import QueryResult, QuerySyntaxError
from .sparql import run as run_query
from .stats import compute as stats
from .validation import ValidationReport, Violation, validate

__all__ = [
    "DataNotFoundError", "EntityNotFoundError", "KnowledgeGraph", "PolicyKGError", "QueryResult",
    "QuerySyntaxError", "RDFSyntaxError", "ValidationReport", "Violation", "__version__",
    "data_root", "load", "run_query", "stats", "validate",
]
