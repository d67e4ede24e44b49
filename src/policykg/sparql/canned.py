"""Canned SPARQL queries: the shipped ``queries/*.rq`` files and their headers.

A canned query runs as-is in any SPARQL tool. Its comment header says what
it is for::

    # title: Members of a partner program by role
    # description: Organizations in the program with their partner role.
    # param: program IRI type=org:OrganizationalCollaboration example=pkd:bj-gai-partnership-program-2023
    # cq: Which organizations are partners of the program, in which role?
    # fact: membership

Parameters appear in the body as ``$name`` (see :mod:`policykg.sparql.params`).
An IRI parameter's optional ``type=CURIE`` names the class its value should
have: a name typed in place of the IRI ("Beijing", "北京", "Baidu") is looked
up among the instances of that class (:func:`resolve_params`). ``fact:``
names the result columns that hold the nodes each row states facts about:
each column listed is one fact (``# fact: beijingObservation
shanghaiObservation``), and ``a|b`` takes the first of ``a`` and ``b`` that is
bound (``# fact: target|goal``). Pages link each such node and show its
evidence and source beside the row. Without the header, the first IRI column
whose node has ``pk:evidence`` is used.
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
from ..errors import AmbiguousNameError, EntityNotFoundError, ParameterError, PolicyKGError, QueryFileError
from ..namespaces import PKD, PREFIXES, shorten
from .params import (PARAM_TYPES, Param, bind_values, code_only, expand_iri, looks_like_iri, parameters_used,
                     query_form, substitute)

_HEADER_KEYS = ("title", "description", "param", "cq", "fact")


@dataclass(frozen=True)
class CannedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...]
    cq: str | None
    text: str
    #: The facts a row states (``# fact:``): for each, the result columns that may hold its node, first bound wins.
    facts: tuple[tuple[str, ...], ...] = ()

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
            pm = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\s+(\S+)(?:\s+type=(\S+))?(?:\s+example=(.+))?$", value)
            if not pm:
                raise QueryFileError(path, number, "param is 'NAME TYPE [type=CURIE] [example=VALUE]'")
            name, ptype, expects, example = pm.group(1), pm.group(2), pm.group(3), pm.group(4)
            if ptype not in PARAM_TYPES:
                raise QueryFileError(path, number, f"parameter type {ptype!r} is not one of {', '.join(PARAM_TYPES)}")
            if expects is not None:
                if ptype != "IRI":
                    raise QueryFileError(path, number, "type=CURIE applies to IRI parameters only")
                prefix, sep, local = expects.partition(":")
                if not sep or prefix not in PREFIXES or not local:
                    raise QueryFileError(path, number, f"type={expects}: not a CURIE with a known prefix")
                expects = PREFIXES[prefix] + local
            if name in declared_at:
                raise QueryFileError(path, number, f"parameter {name!r} declared twice")
            declared_at[name] = number
            params.append(Param(name, ptype, example.strip() if example else None, expects))
        elif key == "fact":
            if "fact" in fields:
                raise QueryFileError(path, number, "'fact' given twice")
            fields["fact"] = value
            if not re.fullmatch(r"[?A-Za-z0-9_|\s]+", value) or not value.strip():
                raise QueryFileError(path, number, "fact is 'COLUMN[|COLUMN...] ...' (result variables)")
            for var in re.split(r"[\s|]+", value.replace("?", "").strip()):
                if not re.search(r"[?$]" + var + r"\b", code_only(text)):
                    raise QueryFileError(path, number, f"fact column ?{var} does not occur in the query")
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
        facts=tuple(tuple(group.split("|")) for group in fields.get("fact", "").replace("?", "").split()),
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




def resolve_params(kg, query: CannedQuery, values: dict[str, str], *, lang: str = "en") -> dict[str, str]:
    """``values`` with every IRI parameter given as a name replaced by its entity's IRI.

    An IRI or CURIE must name something in the graph, else
    :class:`~policykg.errors.EntityNotFoundError` ("pkd:xyz is not in the
    graph"). A name ("Beijing", "北京", "通用人工智能") is matched against every
    label and alias in any language, among instances of the parameter's
    ``type=`` class when it has one: an exact name first, else the one entity
    whose name contains it. Several matches raise
    :class:`~policykg.errors.AmbiguousNameError` with the candidates.
    """
    out = dict(values)
    for p in query.params:
        if p.type != "IRI" or p.name not in values:
            continue
        value = (values[p.name] or "").strip()
        if not value:
            raise ParameterError(f"parameter {p.name}: give a name or an IRI (e.g. {p.example or 'pkd:…'})")
        out[p.name] = resolve_name(kg, value, expects=p.expects, lang=lang, param=p.name)
    return out


def resolve_name(kg, value: str, *, expects: str | None = None, lang: str = "en", param: str = "value") -> str:
    """The IRI for ``value``: an IRI or CURIE in the graph, or a name (see :func:`resolve_params`)."""
    import pyoxigraph as ox

    from ..rdf.labels import exists

    store, labels = kg.store, kg.labels
    if looks_like_iri(value):
        iri = expand_iri(value)
        try:
            node = ox.NamedNode(iri)
        except ValueError as e:
            raise ParameterError(f"parameter {param}: {value!r} is not a valid IRI ({e})") from None
        if not exists(store, node):
            raise EntityNotFoundError(f"{shorten(iri)} is not in the graph")
        return iri
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")

    def fits(iri: str) -> bool:
        if expects is None:
            return True
        return any(True for _ in store.quads_for_pattern(ox.NamedNode(iri), rdf_type, ox.NamedNode(expects),
                                                       ox.DefaultGraph()))

    exact = [iri for iri in sorted(labels.lookup(value)) if fits(iri)]
    # Instances before ontology terms and concepts of the same name.
    exact = [iri for iri in exact if iri.startswith(PKD)] or exact
    found = exact or [iri for iri in dict.fromkeys(h[0] for h in labels.search(value, 200)) if fits(iri)]
    if len(found) == 1:
        return found[0]
    among = f" among instances of {shorten(expects)}" if expects else ""
    if not found:
        raise EntityNotFoundError(f"parameter {param}: nothing{among} is called {value!r}")
    found = found[:20]
    candidates = [{"iri": iri, "short": shorten(iri), "label": labels.best(iri, lang),
                   "type": type_label(kg, iri, lang)} for iri in found]
    lines = "\n".join(f"  {c['short']} ({c['type']}): {c['label']}" for c in candidates)
    raise AmbiguousNameError(f"parameter {param}: {value!r} names {len(found)} entities{among}; give one of:\n"
                             + lines, candidates, param)


def type_label(kg, iri: str, lang: str = "en") -> str:
    """The label of ``iri``'s most specific types (policykg's own classes first), to tell candidates apart."""
    import pyoxigraph as ox

    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
    types = sorted(q.object.value for q in kg.store.quads_for_pattern(ox.NamedNode(iri), rdf_type, None,
                                                                     ox.DefaultGraph())
                   if isinstance(q.object, ox.NamedNode))
    own = [t for t in types if t.startswith(PREFIXES["pk"])][:2]
    if not own:  # the W3C class that says most: org: before foaf: and prov:
        own = sorted(types, key=lambda t: (not t.startswith(PREFIXES["org"]), t))[:1]
    return ", ".join(kg.labels.best(t, lang) for t in own) or "untyped"
