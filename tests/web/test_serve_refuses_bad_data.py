"""``policykg serve`` validates its data first and does not start on bad data.

A syntax error (named by file:line) or a SHACL violation (named by node,
shape and message) makes it exit 1 before it binds its port.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from policykg import paths

from support import POLICYKG, free_port, port_is_open

pytestmark = pytest.mark.server

INVALID = paths.ontology_dir() / "examples" / "invalid"


def _syntax_error(graph):
    (graph / "broken.ttl").write_text(
        "@prefix pkd: <https://w3id.org/policykg/id/> .\n\n"
        "pkd:a pkd:b pkd:c ;\n    pkd:d \"unterminated .\n", encoding="utf-8")


def _copy(name):
    def write(graph):
        shutil.copy(INVALID / name, graph / name)
    return write


CASES = [
    pytest.param(_syntax_error, ["broken.ttl:4", "syntax error"], id="syntax-error"),
    pytest.param(_copy("policy-without-issuer.ttl"),
                 ["<https://example.org/policykg-example/", "policy-without-issuer.ttl:", "pksh:PolicyShape",
                  "A policy needs an issuing body"], id="shacl-violation"),
    pytest.param(_copy("membership-member-not-in-graph.ttl"),
                 ["<https://example.org/policykg-example/membership-b>", "pksh:MembershipShape",
                  "must be an organization or person the graph describes"], id="dangling-member"),
]


@pytest.mark.parametrize("write, expected", CASES)
def test_serve_refuses_bad_data_before_binding(tmp_path, write, expected):
    (tmp_path / "graph").mkdir()
    write(tmp_path / "graph")
    port = free_port()
    start = time.monotonic()
    result = subprocess.run([POLICYKG, "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=60)
    took = time.monotonic() - start
    assert result.returncode == 1, result.stdout + result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "not serving" in result.stderr and "invalid data" in result.stderr
    assert "serving http" not in result.stderr
    assert "Traceback" not in result.stderr
    assert took < 30, f"took {took:.1f} s to refuse"
    assert not port_is_open(port), "something listens on the port"
