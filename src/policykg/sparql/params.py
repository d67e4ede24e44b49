"""Query parameters: their types, turning a value into an RDF term, binding.

Parameters appear in a query as ``$name`` variables (ordinary variables use
``?``). A value is first made into an RDF term of the parameter's declared
type (an IRI checked by Oxigraph's IRI parser, a literal whose text the term
serializer escapes), and only that term's canonical SPARQL form takes the
place of the ``$name`` *token*: never a ``$`` inside a string, IRI or
comment. A value can therefore never become query syntax.

This is SEP-0007 substitution done on tokens. Oxigraph's own
``substitutions=`` would do the same but accepts only projected variables,
and a remote endpoint has no such option at all; one mechanism serves both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import ParameterError
from ..namespaces import PREFIXES

#: ``lang`` is a reader language: one the graph keeps display labels in.
PARAM_TYPES = ("IRI", "string", "lang-string", "integer", "date", "lang")
READER_LANGS = ("en", "ja", "zh")
_XSD = PREFIXES["xsd"]

_STRIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^\s<>\"{}|^`]*>"
    r"|#[^\n]*",
)
_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


def code_only(text: str) -> str:
    """The query with strings, IRIs and comments blanked (offsets kept)."""
    return _STRIP.sub(lambda m: " " * len(m.group(0)), text)


def parameters_used(text: str) -> set[str]:
    return set(_DOLLAR.findall(code_only(text)))


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside strings and comments."""
    m = _FORM.search(code_only(text))
    return m.group(1).upper() if m else None


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    example: str | None = None
    #: For an IRI parameter, the full IRI of the class its value should have (``type=CURIE`` in the
    #: header): a name typed in its place is looked up among instances of that class only.
    expects: str | None = None


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


def looks_like_iri(value: str) -> bool:
    """Whether ``value`` is written as an IRI or a known CURIE rather than a name ("Beijing", "北京")."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return True
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return True
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:(//|[^\s:]*$)", value)) and " " not in value


def to_term(param: Param, value: str):
    """The RDF term of ``param``'s type for a value as a user typed it."""
    import datetime

    try:
        if param.type == "IRI":
            return ox.NamedNode(expand_iri(value))
        if param.type == "string":
            return ox.Literal(value)
        if param.type == "lang":
            if value not in READER_LANGS:
                raise ParameterError(f"parameter {param.name}: {value!r} is not one of {', '.join(READER_LANGS)}")
            return ox.Literal(value)
        if param.type == "lang-string":
            text, sep, lang = value.rpartition("@")
            if not sep or not re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", lang):
                raise ParameterError(f"parameter {param.name}: {value!r} is not TEXT@LANG (e.g. 百度@zh)")
            return ox.Literal(text, language=lang)
        if param.type == "integer":
            return ox.Literal(str(int(value, 10)), datatype=ox.NamedNode(_XSD + "integer"))
        if param.type == "date":
            return ox.Literal(datetime.date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(_XSD + "date"))
    except ValueError as e:
        if isinstance(e, ParameterError):
            raise
        raise ParameterError(f"parameter {param.name}: {value!r} is not a valid {param.type}") from None
    raise ParameterError(f"parameter {param.name}: unknown type {param.type}")


def bind_values(query_name: str, params: tuple[Param, ...], values: dict[str, str]) -> dict[str, object]:
    """``name -> RDF term`` for every declared parameter; missing or unknown names are errors."""
    unknown = sorted(set(values) - {p.name for p in params})
    if unknown:
        raise ParameterError(f"query {query_name!r} has no parameter {unknown[0]!r}; it takes: "
                             + (", ".join(p.name for p in params) or "none"))
    missing = [p for p in params if p.name not in values]
    if missing:
        hint = ", ".join(f"-p {p.name} {p.example or 'VALUE'}" for p in missing)
        raise ParameterError(f"query {query_name!r} needs parameter(s) "
                             f"{', '.join(p.name for p in missing)} ({hint})")
    return {p.name: to_term(p, values[p.name]) for p in params}


def substitute(text: str, terms: dict[str, object]) -> str:
    """``text`` with each ``$name`` token replaced by the SPARQL form of its term."""
    if not terms:
        return text
    values = {name: str(term) for name, term in terms.items()}
    out, last = [], 0
    for m in _DOLLAR.finditer(code_only(text)):
        if m.group(1) in values:
            out.append(text[last:m.start()])
            out.append(values[m.group(1)])
            last = m.end()
    out.append(text[last:])
    return "".join(out)
