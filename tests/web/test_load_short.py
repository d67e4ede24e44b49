"""A short run of bench/load_bench.py: 5 s, 4 clients against a real ``policykg serve``.

Canned queries, entity pages, the home and ad-hoc pages, bad queries and one
query past the server's 2 s timeout: no 5xx but the timeout's 503, no
connection errors, and the server still answers afterwards.
"""

from __future__ import annotations

import pytest

from support import ROOT, import_bench

# serial: ordinary queries must answer within the server's 2 s timeout, which a second test run
# on the same cores could push them past.
pytestmark = [pytest.mark.server, pytest.mark.serial]

LOAD_BENCH = ROOT / "bench" / "load_bench.py"


def _load_bench():
    return import_bench("load_bench")


def test_short_load_has_no_unintended_5xx_and_the_server_survives():
    r = _load_bench().run(seconds=5, clients=4, seed=3, timeout_every=3.0)
    assert r["requests"] > 20, r
    assert r["unintended_5xx"] == 0, r["unintended"]
    assert not r["connection_errors"], r["connection_errors"]
    assert r["alive_at_end"]
    assert r["processes_left_after_stop"] == 0
    # Everything but the timeouts answered with what it should (200, 404 for a missing entity, 4xx for bad queries).
    assert not r["unintended"], r["unintended"]
    assert r["by_status"].get("timeout 503", 0) >= 1
