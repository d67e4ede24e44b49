from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import policykg
from policykg import paths

from support import SEED


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
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED}")
    return SEED.read_text(encoding="utf-8")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a row that runs until a deadline (deselect with -m 'not slow')")
