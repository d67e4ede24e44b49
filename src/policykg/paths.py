"""Where the data files are: the one place that knows."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
#: The one templates/ and static/ tree of the web pages and the network view.
TEMPLATES = _PACKAGE / "templates"
STATIC = _PACKAGE / "static"
_DATA_DIRS = ("ontology", "graph", "queries")


def data_root() -> Path:
    """The folder holding ``ontology/``, ``graph/`` and ``queries/``.

    An installed wheel carries them in ``policykg/_data``; a checkout (or an
    editable install) has them at the top of the repository, two levels above
    this package. The wheel copy wins so that an installed policykg never
    reads a stray checkout.
    """
    for candidate in (_PACKAGE / "_data", _PACKAGE.parent.parent):
        if all((candidate / name).is_dir() for name in _DATA_DIRS):
            return candidate
    raise FileNotFoundError(
        "policykg data not found: expected ontology/, graph/ and queries/ in "
        f"{_PACKAGE / '_data'} (installed) or {_PACKAGE.parent.parent} (checkout)"
    )


def ontology_dir(root: Path | None = None) -> Path:
    return (root or data_root()) / "ontology"


def queries_dir(root: Path | None = None) -> Path:
    return (root or data_root()) / "queries"
