"""Canned SPARQL queries: the shipped ``queries/*.rq`` files and their headers.

A canned query runs as-is in any SPARQL tool. Its comment header says what
it is for::

    # title: Members of a partner program by role
    # description: Organizations in the program with their partner role.
    # param: program IRI example=pkd:bj-gai-partnership-program
    # cq: Which organizations are partners of the program, in which role?

Parameters appear in the body as ``$name`` (see :mod:`policykg.sparql.params`).
A query file of the user's has the same header format, but only files that
the package itself holds are *shipped*: trusted because tests walk every one
of them for SERVICE, LOAD and FROM, never because of what a file says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .. import paths
from ..errors import ParameterError, PolicyKGError, QueryFileError
from .params import PARAM_TYPES, Param, bind_values, code_only, parameters_used, query_form, substitute

_HEADER_KEYS = ("title", "description", "param", "cq")


@dataclass(frozen=True)
class CannedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...]
    cq: str | None
    text: str

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise ParameterError(f"query {self.name!r} has no parameter {name!r}")

    @cached_property
    def shipped(self) -> bool:
        """Whether the package holds this file (only then is it trusted)."""
        try:
            return self.path.resolve().parent == paths.queries_dir().resolve()
        except (OSError, FileNotFoundError):
            return False

    def bind(self, values: dict[str, str] | None = None, *, lang: str | None = None) -> str:
        """The query text with every parameter bound; ``lang`` fills a ``lang`` parameter not given."""
        values = dict(values or {})
        if lang and "lang" not in values and any(p.name == "lang" for p in self.params):
            values["lang"] = lang
        return substitute(self.text, bind_values(self.name, self.params, values))


_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.I)


def parse_query_file(path: Path) -> CannedQuery:
    """Parse a ``.rq`` file's header; errors name the file and line."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text() did
    except UnicodeDecodeError as e:
        raise QueryFileError(path, data[:e.start].count(b"\n") + 1, f"not UTF-8 text ({e.reason})") from None
    fields: dict[str, str] = {}
    params: list[Param] = []
    declared_at: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = re.match(r"#\s*([A-Za-z-]+)\s*:\s*(.*)$", line)
        if not m:
            continue  # a plain comment inside the header
        key, value = m.group(1).lower(), m.group(2).strip()
        if key not in _HEADER_KEYS:
            raise QueryFileError(path, number, f"unknown header key {key!r} (known: {', '.join(_HEADER_KEYS)})")
        if key == "param":
            pm = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\s+(\S+)(?:\s+example=(.+))?$", value)
            if not pm:
                raise QueryFileError(path, number, "param is 'NAME TYPE [example=VALUE]'")
            name, ptype, example = pm.group(1), pm.group(2), pm.group(3)
            if ptype not in PARAM_TYPES:
                raise QueryFileError(path, number, f"parameter type {ptype!r} is not one of {', '.join(PARAM_TYPES)}")
            if name in declared_at:
                raise QueryFileError(path, number, f"parameter {name!r} declared twice")
            declared_at[name] = number
            params.append(Param(name, ptype, example.strip() if example else None))
        elif key in fields:
            raise QueryFileError(path, number, f"{key!r} given twice")
        else:
            fields[key] = value
    for key in ("title", "description"):
        if not fields.get(key):
            raise QueryFileError(path, 1, f"missing '# {key}:' header")
    used = parameters_used(text)
    for p in params:
        if p.name not in used:
            raise QueryFileError(path, declared_at[p.name], f"parameter {p.name!r} is declared but not used as ${p.name}")
    undeclared = sorted(used - set(declared_at))
    if undeclared:
        line = next(i for i, l in enumerate(text.splitlines(), 1) if f"${undeclared[0]}" in l)
        raise QueryFileError(path, line, f"${undeclared[0]} is used but not declared with '# param:'")
    if query_form(text) == "SELECT" and not _ORDER_BY.search(code_only(text)):
        raise QueryFileError(path, 1, "a canned SELECT query needs ORDER BY (deterministic output)")
    return CannedQuery(
        name=path.stem, path=path, title=fields["title"], description=fields["description"],
        params=tuple(params), cq=fields.get("cq"), text=text,
    )


def canned_queries(root: Path | None = None) -> list[CannedQuery]:
    folder = paths.queries_dir(root)
    return [parse_query_file(p) for p in sorted(folder.glob("*.rq"))]


def find_query(name: str, root: Path | None = None) -> CannedQuery:
    """The shipped canned query called ``name`` (never a file in the working directory)."""
    path = paths.queries_dir(root) / f"{name}.rq"
    if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        known = ", ".join(q.name for q in canned_queries(root))
        raise PolicyKGError(f"no canned query {name!r}; known: {known}")
    return parse_query_file(path)


