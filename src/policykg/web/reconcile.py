"""An OpenRefine reconciliation service at /reconcile (Reconciliation Service API 0.2).

The W3C Entity Reconciliation Community Group's protocol, the one OpenRefine
speaks: a manifest (``GET /reconcile``), batches of queries with types,
properties and limits (``queries=``, GET or form POST), suggest for
entities, types and properties, an HTML preview and flyout, and data
extension (``extend=``) of the properties in :data:`EXTEND_PROPERTIES`.

Candidates are found and ranked by the search index over every
``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel`` and ``dct:title`` in
any language (:meth:`TextIndex.find <policykg.rdf.textindex.TextIndex.find>`
on names: exact names, names starting with or containing the text, names
holding its words, then close spellings), in the one ranking of search,
autocomplete, ``label-search`` and linking
(:func:`~policykg.rdf.textindex.rank_key`), so a batch of 500 rows never
scans the graph. Names are compared in a folded form: NFKC, case-folded,
punctuation and spaces dropped, Japanese shinjitai and traditional Chinese
turned into simplified Chinese (the shared normalisation), so 百度, ＢＡＩＤＵ
and 達摩院 / 达摩院 meet, and a name equal in that form ranks as exact. A
candidate's score is 100 for an exact folded match and otherwise the
similarity ratio of its closest name (at most 99); below 40 it is offered
only if a name holds every word of the text. With properties, candidates
that agree with more of them rank first. ``match`` is true only for an
unambiguous exact match: the one candidate scoring 100, and every given
property agrees. Suggest (``/reconcile/suggest/entity``) is the site's
autocomplete (:meth:`LabelIndex.complete <policykg.rdf.labels.LabelIndex.complete>`).

:class:`Reconciler` holds the work (pure functions of the graph, tested
without a server); the route handlers below are thin.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..namespaces import PKD, PREFIXES
from ..rdf.labels import normalise
from ..rdf.textindex import ALL_TERMS, EXACT_NAME, rank_key

RDF_TYPE = PREFIXES["rdf"] + "type"
ORG = PREFIXES["org"]
PK = PREFIXES["pk"]
DCT = PREFIXES["dct"]
RDFS = PREFIXES["rdfs"]
#: Candidates read from the index per query, beyond its limit, for the properties and scores to rank.
POOL = 50
#: The types offered first in OpenRefine's type list.
DEFAULT_TYPES = (ORG + "Organization", PK + "GovernmentBody", PK + "PolicyDocument", PK + "City", PK + "Place",
                 PK + "Technology")
#: Data extension: property id -> (name, description, path from the entity to the values: predicate
#: IRIs, "^" before one for the inverse direction).
EXTEND_PROPERTIES = {
    "role": ("partner role", "The roles of the organization in partner programs.", ("^" + ORG + "member", ORG + "role")),
    "program": ("partner program", "The programs the organization is a partner of.",
                ("^" + ORG + "member", ORG + "organization")),
    "issuer": ("issuer", "The body that issued the policy document.", (PK + "issuedBy",)),
    "date": ("date issued", "The date the policy document was issued.", (DCT + "issued",)),
    "city": ("based in", "The city (or other place) the organization is based in.", (PK + "basedIn",)),
}
DEFAULT_LIMIT = 5
MAX_LIMIT = 100
MAX_QUERIES = 500
MIN_SCORE = 40.0
QUERY_KEYS = {"query", "type", "limit", "properties", "type_strict"}
_DROP = re.compile(r"[\s\u3000]+")


class ReconcileError(Exception):
    """A request the service cannot answer: 400 with a JSON message."""


def fold(text: str) -> str:
    """The form names are compared in: the shared :func:`~policykg.rdf.labels.normalise` (NFKC,
    case-folded, simplified Chinese), without punctuation or spaces."""
    text = "".join(c for c in normalise(text) if not unicodedata.category(c).startswith(("P", "Z", "S")))
    return _DROP.sub("", text)


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    score: float
    match: bool
    types: tuple[tuple[str, str], ...]
    description: str
    features: tuple[tuple[str, float | bool], ...]

    def as_json(self) -> dict:
        out = {"id": self.id, "name": self.name, "score": self.score, "match": self.match,
               "type": [{"id": t, "name": n} for t, n in self.types],
               "features": [{"id": f, "value": v} for f, v in self.features]}
        if self.description:
            out["description"] = self.description
        return out


class Reconciler:
    """Reconciliation over one knowledge graph: candidates, suggestions, previews, extension."""

    def __init__(self, kg, lang: str = "en"):
        self.kg = kg
        self.store = kg.store
        self.labels = kg.labels
        self.lang = lang

    # -- what the graph offers ----------------------------------------------------------------

    @cached_property
    def types(self) -> dict[str, set[str]]:
        """Every named subject's types (entailed supertypes included), as IRIs."""
        out: dict[str, set[str]] = {}
        for q in self.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, ox.DefaultGraph()):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                out.setdefault(q.subject.value, set()).add(q.object.value)
        return out

    @cached_property
    def classes(self) -> list[str]:
        """Classes that have instances, sorted."""
        return sorted({t for ts in self.types.values() for t in ts if t in self.labels.labels})

    def folded_names(self, iri: str) -> list[tuple[str, str]]:
        """``[(folded name, name)]`` of an entity with a type (folded when first asked for: a query
        reads the few candidates the index gives, never every name)."""
        cache = self.__dict__.setdefault("_folded", {})
        found = cache.get(iri)
        if found is None:
            entries = self.labels.labels.get(iri, ()) if iri in self.types else ()
            found = cache[iri] = sorted({(fold(text), text) for text, _, _ in entries if fold(text)})
        return found

    def name(self, iri: str) -> str:
        return self.labels.best(iri, self.lang)

    def description(self, iri: str) -> str:
        comments = {}
        for q in self.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(RDFS + "comment"), None,
                                              ox.DefaultGraph()):
            if isinstance(q.object, ox.Literal):
                comments.setdefault(q.object.language or "", q.object.value)
        text = comments.get(self.lang) or comments.get("en") or next(iter(sorted(comments.items())), ("", ""))[1]
        return text if len(text) <= 200 else text[:199] + "…"

    def _type_list(self, iri: str) -> tuple[tuple[str, str], ...]:
        shown = sorted(t for t in self.types.get(iri, ()) if t in DEFAULT_TYPES) or \
            sorted(self.types.get(iri, ()))[:3]
        return tuple((t, self.name(t)) for t in shown)

    def values(self, iri: str, prop: str) -> list[ox.Term]:
        """The values of extension property ``prop`` for ``iri``, sorted."""
        nodes: set = {ox.NamedNode(iri)}
        graph = ox.DefaultGraph()
        for step in EXTEND_PROPERTIES[prop][2]:
            inverse, predicate = step.startswith("^"), ox.NamedNode(step.lstrip("^"))
            found = set()
            for node in nodes:
                if inverse:
                    found.update(q.subject for q in self.store.quads_for_pattern(None, predicate, node, graph))
                elif not isinstance(node, ox.Literal):
                    found.update(q.object for q in self.store.quads_for_pattern(node, predicate, None, graph))
            nodes = found
        return sorted(nodes, key=str)

    # -- reconciliation -----------------------------------------------------------------------

    def reconcile(self, queries: dict) -> dict:
        """The result batch for a query batch (``{"q0": {"query": ..., "type": ..., ...}}``)."""
        if not isinstance(queries, dict):
            raise ReconcileError("'queries' must be a JSON object of queries by key")
        if len(queries) > MAX_QUERIES:
            raise ReconcileError(f"at most {MAX_QUERIES} queries in a batch")
        return {key: {"result": [c.as_json() for c in self.candidates(q)]} for key, q in queries.items()}

    def candidates(self, query: dict) -> list[Candidate]:
        if not isinstance(query, dict):
            raise ReconcileError("each query must be a JSON object")
        unknown = set(query) - QUERY_KEYS
        if unknown:
            raise ReconcileError(f"unknown key(s) in a query: {', '.join(sorted(unknown))}; "
                                 f"a query has {', '.join(sorted(QUERY_KEYS))}")
        text = query.get("query", "")
        props = query.get("properties") or []
        if not isinstance(text, str) or not isinstance(props, list):
            raise ReconcileError("'query' must be a string and 'properties' a list")
        if not text.strip() and not props:
            raise ReconcileError("a query needs a non-empty 'query' or some 'properties'")
        wanted_types = query.get("type") or []
        wanted_types = [wanted_types] if isinstance(wanted_types, str) else list(wanted_types)
        strict = query.get("type_strict", "any")
        limit = query.get("limit", DEFAULT_LIMIT)
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 0:
            raise ReconcileError("'limit' must be a non-negative number")
        limit = min(int(limit), MAX_LIMIT)
        checks = [self._property_check(p) for p in props]
        wanted = fold(text)
        scored = []
        for iri, key in self._pool(text, wanted, wanted_types, limit):
            types = self.types.get(iri)
            if not types:
                continue
            if wanted_types:
                hits = [t in types for t in wanted_types]
                if not (all(hits) if strict == "all" else any(hits)):
                    continue
            names = self.folded_names(iri)
            name_score, exact = self._name_score(wanted, names) if wanted else (0.0, False)
            prop_hits = [check(iri) for check in checks]
            agreed = sum(prop_hits) / len(checks) if checks else 0.0
            # Name alone; name and properties 70:30; properties alone (no query text) never a match.
            score = name_score if not checks else round(0.7 * name_score + 30.0 * agreed, 1) if wanted else \
                round(100.0 * agreed, 1)
            # A name holding every word of the text is a candidate however long it is; the similarity
            # floor is for partial matches and close spellings.
            if score < MIN_SCORE and not (wanted and key[0] <= ALL_TERMS):
                continue
            features = (("name_similarity", round(name_score / 100, 3)), ("name_exact", exact)) + \
                tuple((f"property:{p.get('pid')}", hit) for p, hit in zip(props, prop_hits))
            # The index's rank, with a name equal but for punctuation and spaces taken as exact.
            rank = ((EXACT_NAME,) + key[1:]) if exact else key
            scored.append(((-agreed, rank), score, exact and all(prop_hits), iri, features))
        scored.sort(key=lambda s: s[0])
        exact = [s for s in scored if s[2]]
        instances = [s for s in exact if s[3].startswith(PKD)] or exact
        sure = instances[0][3] if len(instances) == 1 else None
        return [Candidate(iri, self.name(iri), score, iri == sure, self._type_list(iri), self.description(iri),
                          features) for _, score, _, iri, features in scored[:limit]]

    def _pool(self, text: str, wanted: str, wanted_types: list[str], limit: int) -> list[tuple[str, tuple]]:
        """``(iri, rank key)`` of the entities worth scoring: the index's best name matches for ``text``
        (of ``wanted_types``, if any); without text, every entity of those types."""
        labels = self.labels
        if wanted:
            index = labels.text_index
            hits = index.find(text, limit=limit + POOL, types=wanted_types or None, names_only=True)
            return [(hit.iri, hit.key) for hit in hits]
        if wanted_types:
            found = {labels.text_index.docs[n] for t in wanted_types for n in labels.text_index.by_type.get(t, ())}
        else:
            found = {iri for iri in self.types if iri in self.labels.labels}
        # No text to match: every candidate ties on it, and the rest of the one ranking orders them.
        return sorted(((iri, rank_key(EXACT_NAME, 0, 0, labels.priority.get(iri, 99), 0, iri)) for iri in found),
                      key=lambda e: e[1])

    @staticmethod
    def _name_score(wanted: str, names: list[tuple[str, str]]) -> tuple[float, bool]:
        best = 0.0
        for folded, _ in names:
            if folded == wanted:
                return 100.0, True
            ratio = difflib.SequenceMatcher(None, wanted, folded, autojunk=False).ratio()
            best = max(best, ratio)
        return min(99.0, round(100 * best, 1)), False

    def _property_check(self, prop: dict):
        if not isinstance(prop, dict) or "pid" not in prop or "v" not in prop:
            raise ReconcileError("a property needs 'pid' and 'v'")
        pid = prop["pid"]
        if pid not in EXTEND_PROPERTIES:
            raise ReconcileError(f"unknown property {pid!r}; known: {', '.join(EXTEND_PROPERTIES)}")
        given = prop["v"] if isinstance(prop["v"], list) else [prop["v"]]
        ids = {v["id"] for v in given if isinstance(v, dict) and "id" in v}
        names = {fold(str(v if not isinstance(v, dict) else v.get("name", ""))) for v in given} - {""}

        def check(iri: str) -> bool:
            for value in self.values(iri, pid):
                if isinstance(value, ox.NamedNode):
                    if value.value in ids or names & {f for f, _ in self.folded_names(value.value)}:
                        return True
                elif fold(value.value) in names:
                    return True
            return False
        return check

    # -- suggest ------------------------------------------------------------------------------

    def suggest_entities(self, prefix: str, types: list[str] | None = None, limit: int = 10) -> dict:
        """The site's autocomplete (:meth:`LabelIndex.complete <policykg.rdf.labels.LabelIndex.complete>`)
        in the shape of the Suggest API."""
        result = []
        for found in self.labels.complete(prefix, types=types or None, lang=self.lang, limit=limit):
            iri = found["iri"]
            entry = {"id": iri, "name": self.name(iri), "notable": [{"id": t, "name": n} for t, n in self._type_list(iri)]}
            if self.description(iri):
                entry["description"] = self.description(iri)
            result.append(entry)
        return {"result": result}

    def suggest_types(self, prefix: str, limit: int = 10) -> dict:
        wanted = fold(prefix)
        hits = sorted((not any(f.startswith(wanted) for f, _ in self.folded_names(c)), self.name(c), c)
                      for c in self.classes
                      if any(wanted in f for f, _ in self.folded_names(c) or [(fold(self.name(c)), "")]))
        return {"result": [{"id": c, "name": name} for _, name, c in hits[:limit]]}

    def suggest_properties(self, prefix: str, limit: int = 10) -> dict:
        wanted = fold(prefix)
        return {"result": [{"id": pid, "name": name, "description": description}
                           for pid, (name, description, _) in EXTEND_PROPERTIES.items()
                           if wanted in fold(pid) or wanted in fold(name)][:limit]}

    # -- data extension -----------------------------------------------------------------------

    def propose_properties(self, type_id: str | None, limit: int | None = None) -> dict:
        out = {"properties": [{"id": pid, "name": name, "description": description}
                              for pid, (name, description, _) in EXTEND_PROPERTIES.items()][:limit]}
        if type_id:
            out["type"] = type_id
        if limit is not None:
            out["limit"] = limit
        return out

    def extend(self, request: dict) -> dict:
        if not isinstance(request, dict) or not isinstance(request.get("ids"), list) \
                or not isinstance(request.get("properties"), list):
            raise ReconcileError("'extend' must be an object with 'ids' and 'properties' lists")
        pids = []
        for p in request["properties"]:
            pid = p.get("id") if isinstance(p, dict) else None
            if pid not in EXTEND_PROPERTIES:
                raise ReconcileError(f"unknown property {pid!r}; known: {', '.join(EXTEND_PROPERTIES)}")
            pids.append(pid)
        meta = [{"id": pid, "name": EXTEND_PROPERTIES[pid][0]} for pid in pids]
        rows = {}
        for iri in request["ids"]:
            if not isinstance(iri, str):
                raise ReconcileError("'ids' must be strings")
            known = iri in self.types
            rows[iri] = {pid: [self._cell(v) for v in self.values(iri, pid)] if known else [] for pid in pids}
        return {"meta": meta, "rows": rows}

    def _cell(self, term: ox.Term) -> dict:
        if isinstance(term, ox.NamedNode):
            return {"id": term.value, "name": self.name(term.value)}
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value if term.datatype else ""
            if datatype == PREFIXES["xsd"] + "date" and re.fullmatch(r"-?\d{4,}-\d\d-\d\d", term.value):
                return {"date": term.value + "T00:00:00Z"}
            if datatype == PREFIXES["xsd"] + "integer":
                return {"int": int(term.value)}
            if datatype in (PREFIXES["xsd"] + "decimal", PREFIXES["xsd"] + "double"):
                return {"float": float(term.value)}
            return {"str": term.value}
        return {"str": str(term)}

    # -- manifest -----------------------------------------------------------------------------

    def manifest(self, base: str) -> dict:
        """The service manifest; ``base`` is the server's URL (no trailing slash)."""
        service = base + "/reconcile"
        return {
            "versions": ["0.2"],
            "name": "policykg: public policies and the actors around them",
            "identifierSpace": PKD,
            "schemaSpace": PK,
            "documentation": base + "/sparql",
            "view": {"url": base + "/entity?iri={{id}}"},
            "preview": {"url": service + "/preview?id={{id}}", "width": 420, "height": 140},
            "defaultTypes": [{"id": t, "name": self.name(t)} for t in DEFAULT_TYPES if t in self.classes],
            "suggest": {
                "entity": {"service_url": service, "service_path": "/suggest/entity",
                           "flyout_service_path": "/flyout?id=${id}"},
                "type": {"service_url": service, "service_path": "/suggest/type"},
                "property": {"service_url": service, "service_path": "/suggest/property"},
            },
            "extend": {"propose_properties": {"service_url": service, "service_path": "/properties"},
                       "property_settings": []},
        }


# -- routes -------------------------------------------------------------------------------------

def _reconciler(request: Request) -> Reconciler:
    state = request.app.state
    if getattr(state, "reconciler", None) is None:
        state.reconciler = Reconciler(state.site.kg)
    return state.reconciler


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def _params(request: Request) -> dict[str, str]:
    """Query string and (for POST) the form, as OpenRefine sends them."""
    from urllib.parse import parse_qsl

    from .endpoint import ProtocolError, _media_type, _read_body

    values = dict(request.query_params)
    if request.method == "POST":
        media, params = _media_type(request)
        if media != "application/x-www-form-urlencoded":
            raise ReconcileError("POST a form (application/x-www-form-urlencoded) with 'queries' or 'extend'")
        try:
            body = await _read_body(request)
        except ProtocolError as e:
            raise ReconcileError(e.message) from None
        try:
            values.update(parse_qsl(body.decode(params.get("charset", "utf-8")), keep_blank_values=True))
        except (UnicodeDecodeError, LookupError):
            raise ReconcileError("the form is not UTF-8") from None
    return values


def _json(name: str, text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ReconcileError(f"'{name}' is not JSON: {e}") from None


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"status": "error", "message": message}, status_code=status)


async def reconcile(request: Request) -> Response:
    """The manifest, a batch of queries (``queries=``) or a data extension (``extend=``)."""
    from starlette.concurrency import run_in_threadpool

    rec = _reconciler(request)
    try:
        values = await _params(request)
        if "queries" in values:
            return JSONResponse(await run_in_threadpool(rec.reconcile, _json("queries", values["queries"])))
        if "extend" in values:
            return JSONResponse(await run_in_threadpool(rec.extend, _json("extend", values["extend"])))
    except ReconcileError as e:
        return _error(str(e))
    return JSONResponse(rec.manifest(_base(request)))


def _limit(request: Request, default: int = 10) -> int:
    try:
        return max(0, min(MAX_LIMIT, int(request.query_params.get("limit", default))))
    except ValueError:
        return default


async def suggest_entity(request: Request) -> Response:
    types = request.query_params.getlist("type")
    return JSONResponse(_reconciler(request).suggest_entities(request.query_params.get("prefix", ""), types,
                                                              _limit(request)))


async def suggest_type(request: Request) -> Response:
    return JSONResponse(_reconciler(request).suggest_types(request.query_params.get("prefix", ""), _limit(request)))


async def suggest_property(request: Request) -> Response:
    return JSONResponse(_reconciler(request).suggest_properties(request.query_params.get("prefix", ""),
                                                                _limit(request)))


async def properties(request: Request) -> Response:
    limit = request.query_params.get("limit")
    return JSONResponse(_reconciler(request).propose_properties(
        request.query_params.get("type"), int(limit) if limit and limit.isdigit() else None))


def _preview_html(request: Request, iri: str) -> str:
    rec = _reconciler(request)
    env = request.app.state.site.env
    return env.get_template("reconcile_preview.html").render(
        iri=iri, name=rec.name(iri), types=rec._type_list(iri), description=rec.description(iri),
        names=sorted({t for t in rec.labels.names(iri)} - {rec.name(iri)})[:6])


async def preview(request: Request) -> Response:
    iri = request.query_params.get("id", "")
    if iri not in _reconciler(request).types:
        return HTMLResponse("<p>Not in the graph.</p>", status_code=404)
    return HTMLResponse(_preview_html(request, iri))


async def flyout(request: Request) -> Response:
    iri = request.query_params.get("id", "")
    if iri not in _reconciler(request).types:
        return _error("not in the graph", 404)
    return JSONResponse({"id": iri, "html": _preview_html(request, iri)})


ROUTES = [
    ("/reconcile", reconcile, ["GET", "POST"]),
    ("/reconcile/suggest/entity", suggest_entity, ["GET"]),
    ("/reconcile/suggest/type", suggest_type, ["GET"]),
    ("/reconcile/suggest/property", suggest_property, ["GET"]),
    ("/reconcile/properties", properties, ["GET"]),
    ("/reconcile/preview", preview, ["GET"]),
    ("/reconcile/flyout", flyout, ["GET"]),
]
