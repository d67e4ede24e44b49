"""The wheel carries the data; the installed package finds it there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: build with the hatchling already installed, offline.
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    (path,) = out.glob("policykg-*.whl")
    return path


def test_wheel_contains_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for part in ("ontology", "graph", "queries"):
        for f in (ROOT / part).rglob("*"):
            if f.is_file():
                assert f"policykg/_data/{f.relative_to(ROOT)}" in names, f


def test_installed_package_reads_its_own_data_copy(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import policykg, sys; r = policykg.data_root(); "
            "print(r); kg = policykg.load(); print(len(kg))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    root, triples = result.stdout.split()
    assert Path(root) == site / "policykg" / "_data"
    assert int(triples) > 3000
