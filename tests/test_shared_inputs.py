"""The inputs the suite reads from ../shared are there (in CI a missing one fails the run)."""

from __future__ import annotations

from support import SEED, SHARED, W3C


def test_the_seed_article_is_there(seed_text):
    assert "北京" in seed_text and SEED.is_file()


def test_the_w3c_suites_are_there(w3c_suite):
    for folder in ("rdf/rdf11/rdf-turtle", "sparql/sparql11/syntax-query", "sparql/sparql11/protocol"):
        assert (W3C / folder).is_dir(), folder


def test_the_later_sources_are_there(shared_dir):
    assert (SHARED / "sources" / "README.md").is_file()
