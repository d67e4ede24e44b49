"""Replacing one section of a results file (bench/RESULTS.md, RELIABILITY.md).

Several benchmarks write into the same file, sometimes at the same time, so
each re-reads the file right before writing and replaces only its own
``## Heading`` section (appending it if missing), atomically.
"""

from __future__ import annotations

from pathlib import Path


def replace_section(path: Path, heading: str, section: str, *, title: str = "# Benchmark results") -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else title + "\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    if start is None:
        new = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        before, after = lines[:start], lines[end:]
        new = "\n".join(before + section.rstrip("\n").splitlines() + ([""] + after if after else [])) + "\n"
    tmp = path.with_name(f".{path.name}.{heading.strip('# ').replace(' ', '-').lower()}.tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)
