"""The examples in the public API's docstrings run, so they cannot rot."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["policykg.sparql.query", "policykg.rdf.labels", "policykg.rdf.textindex", "policykg.network.analysis"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
