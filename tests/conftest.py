from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

# Test modules live in subfolders (rdf/, sparql/, network/, web/, browser/) and share support.py.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import policykg  # noqa: E402
from policykg import paths  # noqa: E402

from support import SEED, SHARED, W3C, require_shared  # noqa: E402,F401

# Validation verdicts are cached by content hash; tests keep theirs apart from the user's. The process
# that makes the folder removes it at the end; pytest-xdist's workers inherit the variable and share it.
_MADE_CACHE = None
if "POLICYKG_CACHE" not in os.environ:
    _MADE_CACHE = tempfile.mkdtemp(prefix="policykg-test-cache-")
    os.environ["POLICYKG_CACHE"] = _MADE_CACHE

# Hypothesis: a few hundred examples per property in `make test`, 10,000 in `make test-full`.
try:
    from hypothesis import settings

    settings.register_profile("default", max_examples=300)
    settings.register_profile("full", max_examples=10_000)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass


def pytest_configure(config):
    for marker, what in [("slow", "runs until a deadline or a long load (deselect with -m 'not slow')"),
                         ("browser", "drives headless Chromium"),
                         ("server", "starts a real policykg server process"),
                         ("fuzz", "property-based fuzzing with Hypothesis"),
                         ("serial", "bounds a server's answer time under load it makes itself; 'make test' runs "
                                    "these alone, after the parallel run")]:
        config.addinivalue_line("markers", f"{marker}: {what}")


def pytest_unconfigure(config):
    if _MADE_CACHE:
        shutil.rmtree(_MADE_CACHE, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "browser" in parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def kg():
    """The shipped graph, loaded once; tests must not modify it."""
    return policykg.load()


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of ontology/ and graph/ that a test may break."""
    root = paths.data_root()
    for part in ("ontology", "graph"):
        shutil.copytree(root / part, tmp_path / part)
    return tmp_path


@pytest.fixture(scope="session")
def seed_text() -> str:
    require_shared(SEED, "seed article")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def w3c_suite() -> Path:
    require_shared(W3C, "W3C RDF and SPARQL test suites")
    return W3C


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    require_shared(SHARED, "shared/ folder")
    return SHARED
