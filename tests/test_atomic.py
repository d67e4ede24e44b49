"""Output files are replaced whole or not at all."""

from __future__ import annotations

import os

import pytest

from policykg.atomic import write_atomic


def test_write_atomic_replaces_the_file_and_keeps_its_mode(tmp_path):
    path = tmp_path / "out.ttl"
    path.write_text("old", encoding="utf-8")
    os.chmod(path, 0o640)
    write_atomic(path, "new ✓")
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert path.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["out.ttl"]


def test_write_atomic_failure_keeps_the_old_file_and_removes_the_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "out.ttl"
    path.write_text("old complete file", encoding="utf-8")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(path, "new file")
    assert path.read_text(encoding="utf-8") == "old complete file"
    assert os.listdir(tmp_path) == ["out.ttl"]


def test_write_atomic_into_a_missing_folder_raises_and_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "missing" / "out.ttl", "x")
    assert os.listdir(tmp_path) == []
