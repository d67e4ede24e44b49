"""The RDF core: loading, validation, canonical Turtle, labels and lookup, statistics, evidence."""
