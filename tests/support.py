"""Paths the tests share (imported by test modules; fixtures live in conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("POLICYKG_SHARED", ROOT.parent / "shared"))
SEED = SHARED / "seeds" / "000_9afd66eba2fc5c58.txt"
W3C = Path(os.environ.get("POLICYKG_W3C_TESTS", ROOT.parent / "shared" / "w3c-rdf-tests"))
