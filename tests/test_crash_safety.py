"""Output files survive SIGKILL and full disks: old file or complete new one, never half.

The kill loop is bench/kill_bench.py with 8 runs per command (the bench
itself runs 50+); the full-disk tests run the CLI under a file-size limit
(RLIMIT_FSIZE), where write() fails with EFBIG ("File too large").
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, import_bench

POLICYKG = str(Path(sys.executable).with_name("policykg"))
KILL_BENCH = ROOT / "bench" / "kill_bench.py"


def _kill_bench():
    return import_bench("kill_bench")


@pytest.mark.parametrize("which", [0, 1, 2], ids=["export-nt", "viz", "export-network-graphml"])
def test_sigkill_at_random_points_never_leaves_a_partial_output(which, tmp_path):
    bench = _kill_bench()
    cmd = bench.COMMANDS[which]
    result = bench.kill_loop(cmd, runs=8, seed=which, folder=tmp_path)
    assert result.runs == 8
    assert result.partial == 0, result.failures
    assert result.tmp_from_finished == 0, result.failures
    assert result.old + result.new == 8
    assert not result.failures
    # Whatever temp files the kills left are the only files besides OUT.
    others = {p.name for p in tmp_path.iterdir()} - {f"out{cmd.suffix}"}
    assert all(n.startswith(f".out{cmd.suffix}.") and n.endswith(".tmp") for n in others)
    assert len(others) == result.tmp_left


def _limit(nbytes: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return apply


FULL_DISK_CASES = [
    (["export", "--format", "nt", "-o"], "out.nt"),
    (["viz", "-o"], "out.html"),
    (["export-network", "--format", "graphml", "-o"], "out.graphml"),
    (["query", "-e", "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", "--format", "csv", "-o"], "out.csv"),
]


@pytest.mark.parametrize("args,name", FULL_DISK_CASES, ids=["export-nt", "viz", "export-network", "query"])
def test_file_size_limit_is_a_clear_error_and_keeps_the_old_file(args, name, tmp_path):
    out = tmp_path / name
    out.write_bytes(b"old complete file\n")
    result = subprocess.run([POLICYKG, *args, str(out)], cwd=tmp_path, capture_output=True, text=True,
                            preexec_fn=_limit(64 * 1024), timeout=120)
    assert result.returncode == 1, result.stderr  # not killed by SIGXFSZ (-25)
    assert result.stderr.strip() == f"Error: {out}: File too large"
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == b"old complete file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_file_size_limit_on_a_new_file_creates_nothing(tmp_path):
    result = subprocess.run([POLICYKG, "export", "--format", "nt", "-o", "new.nt"], cwd=tmp_path,
                            capture_output=True, text=True, preexec_fn=_limit(4096), timeout=120)
    assert result.returncode == 1
    assert result.stderr == "Error: new.nt: File too large\n"
    assert os.listdir(tmp_path) == []


def test_cli_ignores_sigxfsz_even_when_started_with_the_default_action(tmp_path):
    """A parent that resets SIGXFSZ to SIG_DFL (e.g. a shell) still gets an error, not a kill."""
    code = ("import signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); "
            "from policykg.cli import cli; sys.argv = ['policykg', 'export', '--format', 'nt', '-o', 'x.nt']; cli()")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            preexec_fn=_limit(4096), timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr == "Error: x.nt: File too large\n"
    assert os.listdir(tmp_path) == []
