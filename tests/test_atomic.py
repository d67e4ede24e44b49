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



class _FullDisk:
    """Wraps a file object; its writes fail as on a full disk, after half the data got through."""

    def __init__(self, f):
        self._f = f

    def write(self, data):
        self._f.write(data[: len(data) // 2])
        self._f.flush()
        raise OSError(28, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_write_atomic_enospc_keeps_the_old_file_and_names_the_target(tmp_path, monkeypatch, where):
    path = tmp_path / "out.nt"
    path.write_text("old complete file", encoding="utf-8")
    if where == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FullDisk(real_fdopen(fd, *a, **k)))
    else:
        def fail(fd):
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError) as info:
        write_atomic(path, "new file " * 10_000)
    assert info.value.errno == 28
    assert info.value.filename == str(path)  # the target, not the temp file
    assert str(info.value) == f"[Errno 28] No space left on device: '{path}'"
    assert path.read_text(encoding="utf-8") == "old complete file"
    assert os.listdir(tmp_path) == ["out.nt"]


def test_write_atomic_into_a_missing_folder_names_the_target(tmp_path):
    target = tmp_path / "missing" / "out.ttl"
    with pytest.raises(FileNotFoundError) as info:
        write_atomic(target, "x")
    assert info.value.filename == str(target)
