"""The policy-actor network: projection of the RDF graph, analysis (links, paths, ranks), export, the view."""
