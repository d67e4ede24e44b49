"""SPARQL: canned queries, parameters, safety, evaluation in worker processes, formats, remote, update."""
