"""Canned SPARQL queries: their comment headers, parameters and binding.

A canned query is a ``queries/*.rq`` file that runs as-is in any SPARQL
tool. Its header says what it is for::

    # title: Members of a partner program by role
    # description: Organizations in the program with their partner role.
    # param: program IRI example=pkd:bj-gai-partnership-program
    # cq: Which organizations are partners of the program, in which role?

Parameters appear in the body as ``$name`` (ordinary variables use ``?``),
and are bound as RDF terms through Oxigraph's substitutions, never spliced
into the text, so a parameter value cannot change the query.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import paths
from .errors import PolicyKGError
from .namespaces import PREFIXES

PARAM_TYPES = ("IRI", "string", "lang-string", "integer", "date")
_HEADER_KEYS = ("title", "description", "param", "cq")
_XSD = PREFIXES["xsd"]


class QueryFileError(PolicyKGError):
    def __init__(self, path: Path, line: int, message: str):
        self.path, self.line = path, line
        super().__init__(f"{path}:{line}: {message}")


class ParameterError(PolicyKGError):
    """A parameter value that is missing or not of its declared type."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    example: str | None = None


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


_STRIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^\s<>\"{}|^`]*>"
    r"|#[^\n]*",
)
_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.I)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


def _code_only(text: str) -> str:
    """The query with strings, IRIs and comments blanked (keeps offsets)."""
    return _STRIP.sub(lambda m: " " * len(m.group(0)), text)


def parameters_used(text: str) -> set[str]:
    return set(_DOLLAR.findall(_code_only(text)))


def query_form(text: str) -> str | None:
    m = _FORM.search(_code_only(text))
    return m.group(1).upper() if m else None


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
    if query_form(text) == "SELECT" and not _ORDER_BY.search(_code_only(text)):
        raise QueryFileError(path, 1, "a canned SELECT query needs ORDER BY (deterministic output)")
    return CannedQuery(
        name=path.stem, path=path, title=fields["title"], description=fields["description"],
        params=tuple(params), cq=fields.get("cq"), text=text,
    )


def canned_queries(root: Path | None = None) -> list[CannedQuery]:
    folder = paths.queries_dir(root)
    return [parse_query_file(p) for p in sorted(folder.glob("*.rq"))]


def find_query(name: str, root: Path | None = None) -> CannedQuery:
    path = paths.queries_dir(root) / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(q.name for q in canned_queries(root))
        raise PolicyKGError(f"no canned query {name!r}; known: {known}")
    return parse_query_file(path)


def expand_iri(value: str) -> str:
    """``pkd:baidu`` or ``<https://...>`` or ``https://...`` to a full IRI."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        return value
    raise ParameterError(f"{value!r} is not an IRI (use a full IRI or a known prefix such as pkd:)")


def bind(param: Param, value: str):
    """Turn a command-line value into the RDF term of the parameter's type."""
    try:
        if param.type == "IRI":
            return ox.NamedNode(expand_iri(value))
        if param.type == "string":
            return ox.Literal(value)
        if param.type == "lang-string":
            text, sep, lang = value.rpartition("@")
            if not sep or not re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", lang):
                raise ParameterError(f"parameter {param.name}: {value!r} is not TEXT@LANG (e.g. 百度@zh)")
            return ox.Literal(text, language=lang)
        if param.type == "integer":
            return ox.Literal(str(int(value, 10)), datatype=ox.NamedNode(_XSD + "integer"))
        if param.type == "date":
            return ox.Literal(_dt.date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(_XSD + "date"))
    except ValueError as e:
        if isinstance(e, ParameterError):
            raise
        raise ParameterError(f"parameter {param.name}: {value!r} is not a valid {param.type}") from None
    raise ParameterError(f"parameter {param.name}: unknown type {param.type}")


def substitutions(query: CannedQuery, values: dict[str, str]) -> dict:
    unknown = sorted(set(values) - {p.name for p in query.params})
    if unknown:
        raise ParameterError(f"query {query.name!r} has no parameter {unknown[0]!r}; it takes: "
                             + (", ".join(p.name for p in query.params) or "none"))
    missing = [p.name for p in query.params if p.name not in values]
    if missing:
        hint = ", ".join(f"-p {p.name} {p.example or 'VALUE'}" for p in query.params if p.name in missing)
        raise ParameterError(f"query {query.name!r} needs parameter(s) {', '.join(missing)} ({hint})")
    return {ox.Variable(p.name): bind(p, values[p.name]) for p in query.params}
