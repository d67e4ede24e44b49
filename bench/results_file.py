"""Replacing one section of a results file (bench/RESULTS.md, RELIABILITY.md).

Several benchmarks write into the same file, sometimes at the same time, so
each takes an exclusive ``fcntl.flock`` on one lock file (``bench/.results.lock``),
re-reads the file under the lock, replaces only its
own ``## Heading`` section (appending it if missing) and renames a fsynced
temp file over it. Two writers therefore run one after the other and neither
loses the other's section.

A section ends at the next line starting with ``## ``; a section must not
contain such a line (use ``###`` and deeper inside it).
"""

from __future__ import annotations

import fcntl
import os
import socket
import sys
import time
from pathlib import Path


#: One lock for every results file the benchmarks write (RESULTS.md, RELIABILITY.md), kept here in bench/.
LOCK = Path(__file__).resolve().parent / ".results.lock"


def cpu_model(unknown: str = "unknown") -> str:
    """The CPU's model name, from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return unknown


def versions(*packages: str) -> dict[str, str]:
    """policykg's own version (not a possibly stale install record's), then each package's installed one."""
    from importlib.metadata import version

    import policykg

    found = {"policykg": policykg.__version__}
    for pkg in packages:
        try:
            found[pkg] = version(pkg)
        except Exception:  # noqa: BLE001 - a missing package is reported, not fatal
            found[pkg] = "?"
    return found


def machine_line() -> str:
    """Cores, memory, CPU model and kernel: the line every section starts its facts with."""
    import platform

    model, mem = cpu_model("unknown CPU"), "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {mem}, {model} ({platform.platform()}), Python {platform.python_version()}"


def command_line(script: str, argv: list[str] | None = None) -> str:
    """``python bench/SCRIPT.py ARGS`` as it was run."""
    import shlex

    args = sys.argv[1:] if argv is None else argv
    return shlex.join(["python", f"bench/{script}", *args])


def loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"


def now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def replace_section(path: Path, heading: str, section: str, *, title: str = "# Benchmark results") -> None:
    path = Path(path)
    heading = heading.strip()
    body = section.rstrip("\n").splitlines()
    if any(line.startswith("## ") for line in body[1:]):
        raise ValueError(f"section {heading!r} contains a second '## ' heading; use '###' inside a section")
    lock_path = LOCK
    with open(lock_path, "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # released when the file is closed
        text = path.read_text(encoding="utf-8") if path.exists() else title + "\n"
        lines = text.splitlines()
        start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
        if start is None:
            new = text.rstrip("\n") + "\n\n" + "\n".join(body) + "\n"
        else:
            end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
            before, after = lines[:start], lines[end:]
            new = "\n".join(before + body + ([""] + after if after else [])) + "\n"
        tmp = path.with_name(f".{path.name}.{socket.gethostname()}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(new)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def with_notes(lines: list[str], notes: list[str]) -> str:
    """A section's lines, then its notes as a list, as the text of the section."""
    return "\n".join(lines + ([""] + [f"- {n}" for n in notes] if notes else []) + [""])
