"""Writing output files so that a failed run never leaves half a file."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: Path | str, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to a temp file beside ``path``, fsync it, then rename.

    Only regular files are replaced: a device, a FIFO or a socket is written
    in place (a link is followed to what it names), so ``-o /dev/null`` or
    ``-o /dev/stdout`` behave as a shell user expects and never turn into
    regular files.

    The rename is atomic on POSIX, so readers see the old file or the new
    one, never a mix; the folder is fsynced after it so the new file survives
    a power cut. On any error the temp file is removed and the old file is
    left as it was. (A SIGKILL between the write and the rename can leave a
    ``.NAME.*.tmp`` file behind; it never replaces the output.)
    """
    import stat
    import tempfile  # not at module level: it costs start-up time on every command

    path = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else data
    try:
        target = os.stat(path)  # follows a symlink to what it names
    except FileNotFoundError:
        target = None
    except OSError as e:
        raise OSError(e.errno, e.strerror, str(path)) from e
    if target is not None and not stat.S_ISREG(target.st_mode):
        # A device, a FIFO or a socket (or a link to one) is written to, never replaced:
        # /dev/full says ENOSPC, a FIFO's reader gets the data, /dev/stdout is stdout.
        return _write_in_place(path, payload)
    if path.is_symlink():
        path = path.resolve()  # replace the file the link names, and keep the link
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    except OSError as e:  # a missing or read-only folder: name the target, not the temp file
        raise OSError(e.errno, e.strerror, str(path)) from e
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError) and e.errno is not None:
            # Name the file the user asked for, not our temp file (or nothing,
            # as a failed write() or fsync() does): "out.nt: File too large".
            raise OSError(e.errno, e.strerror, str(path)) from e
        raise
    _fsync_dir(path.parent)
    return path


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable, so a power cut cannot bring back the old file."""
    try:
        fd = os.open(folder or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # some file systems refuse to open a folder; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_in_place(path: Path, payload: bytes) -> Path:
    try:
        with open(path, "wb", buffering=0) as f:
            view = memoryview(payload)
            while view:
                view = view[f.write(view):]
    except OSError as e:
        raise OSError(e.errno, e.strerror, str(path)) from e
    return path
