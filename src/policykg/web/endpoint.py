"""The /sparql endpoint: the W3C SPARQL 1.1 Protocol, read-only.

Queries come as GET ``?query=``, POST form-encoded ``query=`` or POST
``application/sparql-query``; the dataset as ``default-graph-uri`` and
``named-graph-uri`` (only graphs the store holds: nothing is ever fetched).
Updates are refused with 403. Results are negotiated by ``Accept`` (or a
``format=``, ``output=`` or ``results=`` parameter, as SPARQLWrapper, Fuseki
and download links send them), evaluated by the worker pool; 406 when no
acceptable format can hold the result. HEAD is answered as GET. Without a
query, GET gives the service description: Turtle, JSON-LD, RDF/XML,
N-Triples or an HTML page, by ``Accept``.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..errors import (EvaluationFailed, PolicyKGError, PoolBusy, QuerySyntaxError, QueryTimeout, ResultTooLarge,
                      UnsafeQueryError, UpdateRefusedError)
from ..namespaces import PREFIXES
from ..sparql.evaluation import SERVER_RESULT_BYTES, Job
from ..sparql.formats import MEDIA_TYPES, content_type
from ..sparql.params import query_form
from ..sparql.safety import precheck
from .scheduling import client_of

MAX_BODY_BYTES = 1 << 20  # 1 MB
BODY_TIMEOUT = 30.0  # seconds for a whole request body
# Media types (and the other names clients use for them) in the server's order of preference.
_RESULT_ALIASES = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
                   "text/csv": "csv", "text/tab-separated-values": "tsv", "application/json": "json",
                   "application/xml": "xml", "text/xml": "xml"}
_GRAPH_ALIASES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "jsonld",
                  "application/rdf+xml": "rdfxml", "application/x-turtle": "turtle", "text/n3": "turtle",
                  "text/rdf+n3": "turtle", "text/plain": "nt", "application/json": "jsonld",
                  "application/xml": "rdfxml", "text/xml": "rdfxml"}
#: Names of a format in ``format=`` (and ``output=``, ``results=``): ``(SELECT/ASK format, graph format)``.
#: The names SPARQLWrapper, Fuseki, Virtuoso and YASGUI send, and every media type above. N3 gets
#: Turtle (which is N3); ``xml`` and ``rdf`` mean RDF/XML for a graph, as in SPARQLWrapper.
_FORMAT_PARAM = {"json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None), "tsv": ("tsv", None),
                 "turtle": (None, "turtle"), "ttl": (None, "turtle"), "n3": (None, "turtle"), "nt": (None, "nt"),
                 "ntriples": (None, "nt"), "n-triples": (None, "nt"), "jsonld": (None, "jsonld"),
                 "json-ld": (None, "jsonld"), "rdf": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"),
                 "rdfxml": (None, "rdfxml"), "application/x-json+ld": (None, "jsonld"),
                 "application/turtle": (None, "turtle")}
for _media, _key in _RESULT_ALIASES.items():
    _FORMAT_PARAM[_media] = (_key, _FORMAT_PARAM[_media][1] if _media in _FORMAT_PARAM else None)
for _media, _key in _GRAPH_ALIASES.items():
    _FORMAT_PARAM[_media] = (_FORMAT_PARAM.get(_media, (None, None))[0], _key)
#: Parameters clients use to name a result format (SPARQLWrapper sends all three, sometimes twice each).
FORMAT_PARAMS = ("format", "output", "results")
#: The service description's formats: media type -> pyoxigraph RDF format (or "html" for the page).
_DESCRIPTION_FORMATS = {"text/turtle": "TURTLE", "application/ld+json": "JSON_LD", "application/rdf+xml": "RDF_XML",
                        "application/n-triples": "N_TRIPLES", "text/html": "html", "application/xhtml+xml": "html",
                        "application/x-turtle": "TURTLE", "text/plain": "N_TRIPLES", "application/json": "JSON_LD",
                        "application/xml": "RDF_XML", "text/xml": "RDF_XML"}


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Acceptable media ranges of an Accept header, best first (q, then specificity, then order)."""
    ranges = [(m, q, 0 if m == "*/*" else 1 if m.endswith("/*") else 2, i)
              for i, (m, q) in enumerate(_ranges(header or ""))]
    ranges.sort(key=lambda r: (-r[1], -r[2], r[3]))
    return [(m, q) for m, q, _, _ in ranges if q > 0]


def _ranges(header: str) -> list[tuple[str, float]]:
    """Every media range of an Accept header with its quality, q=0 included."""
    out = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(f[2:])))
                except ValueError:
                    q = 0.0
        out.append((media, q))
    return out


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """The quality the most specific matching range gives ``media`` (RFC 9110, 12.5.1)."""
    kind = media.split("/")[0] + "/*"
    for wanted in (media, kind, "*/*"):
        qs = [q for m, q in ranges if m == wanted]
        if qs:
            return max(qs)
    return 0.0


def negotiate(header: str | None, candidates: dict[str, str], default: str) -> str | None:
    """The format key of the acceptable media type with the highest quality.

    ``candidates`` maps media types to format keys in the server's order of
    preference, which breaks ties. No Accept header means ``default``;
    None means nothing acceptable can be produced (406).
    """
    if not header or not header.strip():
        return default
    ranges = _ranges(header)
    best = None
    for media, key in candidates.items():
        q = _quality(media, ranges)
        if q > 0 and (best is None or q > best[0]):
            best = (q, key)
    return best[1] if best else None


def _one(values: dict[str, list[str]], name: str) -> str | None:
    got = values.get(name, [])
    if len(got) > 1:
        raise ProtocolError(400, f"more than one '{name}' parameter")
    return got[0] if got else None


def _media_type(request: Request) -> tuple[str, dict[str, str]]:
    header = request.headers.get("content-type", "")
    fields = [f.strip() for f in header.split(";")]
    params = {}
    for f in fields[1:]:
        k, _, v = f.partition("=")
        params[k.strip().lower()] = v.strip().strip('"').lower()
    return fields[0].lower(), params


async def _read_body(request: Request) -> bytes:
    """The request body, at most MAX_BODY_BYTES, and only if it arrives within BODY_TIMEOUT."""
    import asyncio

    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise ProtocolError(413, f"request body over the limit of {MAX_BODY_BYTES} bytes")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise ProtocolError(413, f"request body over the limit of {MAX_BODY_BYTES} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise ProtocolError(408, f"the request body did not arrive within {BODY_TIMEOUT:g} s",
                            {"Connection": "close"}) from None
    return b"".join(chunks)


def _decode(body: bytes, params: dict[str, str]) -> str:
    charset = params.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"charset {charset} is not supported: send the query as UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not UTF-8") from None


async def read_operation(request: Request) -> tuple[str | None, list[str], list[str], dict[str, list[str]]]:
    """``(query text or None, default graphs, named graphs, every parameter)``; raises ProtocolError (update: 403).

    HEAD is read as GET.
    """
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method in ("GET", "HEAD"):
        values = url_params
        if "update" in values:
            raise ProtocolError(403, "updates are refused: this endpoint is read-only "
                                     "(and SPARQL updates are never sent with GET)")
        query = _one(values, "query")
    else:
        media, params = _media_type(request)
        body = await _read_body(request)
        if media == "application/x-www-form-urlencoded":
            text = _decode(body, params)
            form = parse_qs(text, keep_blank_values=True)
            if "update" in form or "update" in url_params:
                raise ProtocolError(403, "updates are refused: this endpoint is read-only")
            values = {k: form.get(k, []) + url_params.get(k, []) for k in set(form) | set(url_params)}
            query = _one(values, "query")
            if query is None:
                raise ProtocolError(400, "the form has no 'query' field")
        elif media == "application/sparql-query":
            values = url_params
            if "query" in values:
                raise ProtocolError(400, "a query in the body and in the URL")
            query = _decode(body, params)
        elif media == "application/sparql-update":
            raise ProtocolError(403, "updates are refused: this endpoint is read-only")
        elif not media:
            raise ProtocolError(415, "a POST needs Content-Type application/x-www-form-urlencoded "
                                     "or application/sparql-query")
        else:
            raise ProtocolError(415, f"unsupported Content-Type {media}: use application/x-www-form-urlencoded "
                                     "or application/sparql-query")
    return query, values.get("default-graph-uri", []), values.get("named-graph-uri", []), values


def requested_format(values: dict[str, list[str]], form: str) -> tuple[str | None, str | None] | None:
    """The ``(select format, graph format)`` the ``format``/``output``/``results`` parameters ask for, or None.

    Clients repeat them (SPARQLWrapper sends ``format=tsv&format=text/tab-separated-values``
    and the same under ``output`` and ``results``): every value must be a known
    name, and the first that gives the query's form a format wins.
    """
    given = [part.strip().lower() for name in FORMAT_PARAMS for v in values.get(name, [])
             for part in v.split(",") if part.strip()]  # SPARQLWrapper: format=application/ld+json,application/x-json+ld
    if not given:
        return None
    pairs = []
    for value in given:
        pair = _FORMAT_PARAM.get(value.split(";")[0].strip())
        if pair is None:
            if "/" in value and pairs:
                continue  # an alternative media type after one we know
            names = ", ".join(k for k in _FORMAT_PARAM if "/" not in k)
            raise ProtocolError(400, f"unknown format {value!r}; use a media type or one of {names}")
        pairs.append(pair)
    index = 1 if form in ("CONSTRUCT", "DESCRIBE") else 0
    return next((p for p in pairs if p[index]), pairs[0])


def formats_for(request: Request, values: dict[str, list[str]], form: str) -> tuple[str, str]:
    """(select format, graph format) from ``format=`` (or its synonyms) or Accept; 406 if the form gets none."""
    accept = request.headers.get("accept")
    select_fmt = negotiate(accept, _RESULT_ALIASES, "json")
    graph_fmt = negotiate(accept, _GRAPH_ALIASES, "turtle")
    requested = requested_format(values, form)
    if requested:
        s, g = requested
        select_fmt, graph_fmt = s or select_fmt or "json", g or graph_fmt or "turtle"
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if (graph_fmt if graph else select_fmt) is None:
        offered = ", ".join(dict.fromkeys(_GRAPH_ALIASES if graph else _RESULT_ALIASES))
        raise ProtocolError(406, f"none of the accepted media types can hold this result; offered: {offered}")
    return select_fmt or "json", graph_fmt or "turtle"


def check_dataset(default_graphs: list[str], named_graphs: list[str], held: frozenset[str]) -> None:
    for iri in default_graphs + named_graphs:
        if iri not in held:
            raise ProtocolError(400, f"graph <{iri}> is not in this store, and the endpoint never fetches one "
                                     "(default-graph-uri and named-graph-uri may name only graphs it holds)")


def error_status(e: Exception) -> int:
    if isinstance(e, UpdateRefusedError):
        return 403
    if isinstance(e, (QuerySyntaxError, UnsafeQueryError, ResultTooLarge)):
        return 400
    if isinstance(e, (QueryTimeout, PoolBusy)):
        return 503
    if isinstance(e, EvaluationFailed):
        return 500
    return 400


def service_description(endpoint: str, held: frozenset[str], fmt: str = "TURTLE") -> bytes:
    """The SPARQL 1.1 Service Description of this endpoint, in ``fmt`` (a pyoxigraph RdfFormat name).

    Built as triples and written by pyoxigraph, so any IRI (an endpoint URL
    with ``&`` in its query string, say) comes out as that IRI.
    """
    import pyoxigraph as ox

    sd = "http://www.w3.org/ns/sparql-service-description#"
    formats = "http://www.w3.org/ns/formats/"
    a = ox.NamedNode(PREFIXES["rdf"] + "type")
    service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(service, a, ox.NamedNode(sd + "Service")),
        ox.Triple(service, ox.NamedNode(sd + "endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
        ox.Triple(service, ox.NamedNode(PREFIXES["dct"] + "description"), ox.Literal(
            "policykg: a read-only knowledge graph of public policies. "
            "Updates, SERVICE, LOAD and remote graphs are refused.")),
        ox.Triple(service, ox.NamedNode(sd + "defaultDataset"), dataset),
        ox.Triple(dataset, a, ox.NamedNode(sd + "Dataset")),
        ox.Triple(dataset, ox.NamedNode(sd + "defaultGraph"), default),
        ox.Triple(default, a, ox.NamedNode(sd + "Graph")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        triples.append(ox.Triple(service, ox.NamedNode(sd + "resultFormat"), ox.NamedNode(formats + name)))
    for index, iri in enumerate(sorted(held)):
        graph = ox.BlankNode(f"graph{index}")
        triples += [ox.Triple(dataset, ox.NamedNode(sd + "namedGraph"), graph),
                    ox.Triple(graph, a, ox.NamedNode(sd + "NamedGraph")),
                    ox.Triple(graph, ox.NamedNode(sd + "name"), ox.NamedNode(iri))]
    rdf_format = getattr(ox.RdfFormat, fmt)
    prefixes = {"sd": sd, "formats": formats, "dct": PREFIXES["dct"]}
    if rdf_format == ox.RdfFormat.N_TRIPLES:
        return ox.serialize(triples, format=rdf_format)
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes)


def describe_service(request: Request) -> Response:
    """The service description, negotiated: Turtle (default), JSON-LD, RDF/XML, N-Triples or an HTML page."""
    state = request.app.state
    key = negotiate(request.headers.get("accept"), _DESCRIPTION_FORMATS, "TURTLE")
    if key is None:
        raise ProtocolError(406, "the service description is offered as "
                                 + ", ".join(m for m in _DESCRIPTION_FORMATS if m != "application/xhtml+xml"))
    headers = {"Vary": "Accept"}
    if key == "html":
        from ..sparql.formats import GRAPH_FORMATS, SELECT_FORMATS

        rows = [("SELECT, ASK", MEDIA_TYPES[f], f) for f in SELECT_FORMATS if f != "table"] + \
               [("CONSTRUCT, DESCRIBE", MEDIA_TYPES[f], f) for f in GRAPH_FORMATS if f != "table"]
        page = state.site.env.get_template("service.html").render(
            endpoint=endpoint_url(request), formats=rows, graphs=sorted(state.held_graphs),
            rdf_media=[m for m, k in _DESCRIPTION_FORMATS.items() if k != "html"][:4])
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)
    body = service_description(endpoint_url(request), state.held_graphs, key)
    media = next(m for m, k in _DESCRIPTION_FORMATS.items() if k == key)
    return Response(body, media_type=content_type(media), headers=headers)


def endpoint_url(request: Request) -> str:
    """This endpoint's URL: the service description's sd:endpoint and the queries' base IRI."""
    return str(request.url.replace(query="", fragment="")).rstrip("?")


async def sparql_endpoint(request: Request) -> Response:
    state = request.app.state
    try:
        query, default_graphs, named_graphs, values = await read_operation(request)
        if query is None:
            if request.method in ("GET", "HEAD"):
                return describe_service(request)
            raise ProtocolError(400, "no query given")
        form, refusal = SCREENED.screen(query)
        select_fmt, graph_fmt = formats_for(request, values, form)
        check_dataset(default_graphs, named_graphs, state.held_graphs)
        if refusal is not None:
            raise ProtocolError(400, refusal)
        job = Job(text=query, select_format=select_fmt, graph_format=graph_fmt,
                  default_graphs=tuple(default_graphs), named_graphs=tuple(named_graphs),
                  allowed_graphs=state.held_graphs, base_iri=endpoint_url(request), max_bytes=SERVER_RESULT_BYTES)
        try:
            form, fmt, data = await state.scheduler.run(job, state.query_timeout, client_of(request), request=request)
        except PolicyKGError as e:
            status = error_status(e)
            headers = {"Retry-After": "5"} if status == 503 else {}
            return PlainTextResponse(str(e) + "\n", status_code=status, headers=headers)
    except ProtocolError as e:
        return PlainTextResponse(e.message + "\n", status_code=e.status, headers=e.headers)
    media = MEDIA_TYPES[fmt]
    if not state.held_results.take(len(data)):
        return PlainTextResponse("the server is busy sending other large results; try again later\n",
                                 status_code=503, headers={"Retry-After": "5"})
    return PacedResponse(data, state.held_results, state.send_timeout, media_type=content_type(media),
                         headers={"Vary": "Accept"})


class Screened:
    """What :func:`precheck` and :func:`query_form` say of a query text, remembered per text.

    Both scan the whole text in Python, which was a third of the server
    process's time per request for a repeated query; both depend on the text
    alone, so a text seen before is not scanned again. Texts of up to
    ``max_item`` characters are kept, ``max_chars`` in all, least recently
    used first out.
    """

    def __init__(self, max_chars: int = 4 << 20, max_item: int = 64 << 10):
        import collections

        self.max_chars, self.max_item = max_chars, max_item
        self.size = 0
        self._seen: collections.OrderedDict[str, tuple[str, str | None]] = collections.OrderedDict()

    def screen(self, text: str) -> tuple[str, str | None]:
        """``(form, refusal)``: SELECT, ASK, CONSTRUCT or DESCRIBE (SELECT when none is found: the parser
        then says what is wrong), and why :func:`precheck` refuses the text, or None."""
        found = self._seen.get(text)
        if found is not None:
            self._seen.move_to_end(text)
            return found
        try:
            precheck(text)
            refusal = None
        except UnsafeQueryError as e:
            refusal = str(e)
        found = (query_form(text) or "SELECT", refusal)
        if len(text) <= self.max_item:
            self._seen[text] = found
            self.size += len(text)
            while self.size > self.max_chars:
                old, _ = self._seen.popitem(last=False)
                self.size -= len(old)
        return found


#: One per process: the check depends on the text alone, whatever app serves it.
SCREENED = Screened()


class HeldResults:
    """Bytes of results the server holds while clients read them, against a budget."""

    def __init__(self, budget: int = 256 << 20):
        self.budget = budget
        self.held = 0

    def take(self, n: int) -> bool:
        if self.held and self.held + n > self.budget:
            return False
        self.held += n
        return True

    def give(self, n: int) -> None:
        self.held -= n


class SlowReader(Exception):
    """A client that stopped reading its result; the connection is dropped."""


class PacedResponse(Response):
    """A response sent in chunks, each of which the client must take within ``deadline`` seconds.

    A client that stops reading holds the result only until then, and never
    more of it than the budget of :class:`HeldResults` allows in all.
    """

    CHUNK = 64 << 10

    def __init__(self, content: bytes, held: HeldResults, deadline: float, **kwargs):
        super().__init__(content, **kwargs)
        self.held_results, self.deadline, self.size = held, deadline, len(content)

    async def __call__(self, scope, receive, send) -> None:
        import asyncio

        body, self.body = self.body, b""
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            view = memoryview(body)
            for start in range(0, max(len(view), 1), self.CHUNK):
                chunk = body if len(body) <= self.CHUNK else bytes(view[start:start + self.CHUNK])
                more = start + self.CHUNK < len(view)
                try:
                    # asyncio.timeout, not wait_for: no task per chunk, the same cancellation at the deadline
                    async with asyncio.timeout(self.deadline):
                        await send({"type": "http.response.body", "body": chunk, "more_body": more})
                except TimeoutError:
                    raise SlowReader(f"a client read nothing for {self.deadline:g} s; dropped") from None
        finally:
            self.held_results.give(self.size)
