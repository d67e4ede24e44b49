"""Talking to a SPARQL 1.1 server: the Protocol for queries, the Graph Store
HTTP Protocol for replacing a graph.

Only used when the user names an endpoint; the embedded store never makes a
request. Any SPARQL 1.1 server works (Oxigraph, Fuseki, Virtuoso, GraphDB).
A server that wants a login gets HTTP basic or digest authentication (the
server's challenge decides) with :class:`Credentials` from
:func:`credentials_for`: a user name given by the caller, ``~/.netrc``, or
the ``POLICYKG_USER``/``POLICYKG_PASSWORD`` environment variables; never
from the URL, so that no password sits in a command line or a log.
"""

from __future__ import annotations

import netrc
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

import pyoxigraph as ox

from ..errors import EndpointError
from ..namespaces import sparql_prefixes
from .evaluation import Job
from .params import query_form
from .query import QueryResult

_ACCEPT = {
    "SELECT": "application/sparql-results+json",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "application/n-triples",
    "DESCRIBE": "application/n-triples",
}


#: Environment variables for a login (``--user`` takes the password from the second one).
USER_VARIABLE, PASSWORD_VARIABLE = "POLICYKG_USER", "POLICYKG_PASSWORD"


@dataclass(frozen=True)
class Credentials:
    """A login for HTTP basic or digest authentication; the password never shows in ``repr``."""

    user: str
    password: str = field(repr=False)


def check_url(url: str) -> None:
    """Refuse an endpoint URL with a user or password in it (it would be shown and logged)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise EndpointError(f"{url}: only http and https endpoints are supported")
    if "@" in parts.netloc:
        raise EndpointError(f"{parts.scheme}://…@{parts.hostname}: a login in the URL is not used (it would "
                            f"show in the process list and in logs); give the user with --user and the password "
                            f"in ~/.netrc or {PASSWORD_VARIABLE}")


def credentials_for(url: str, user: str | None = None, *, environ: Mapping[str, str] | None = None,
                    netrc_file: Path | None = None, ask: Callable[[str], str] | None = None) -> Credentials | None:
    """The login to use for ``url``, or None.

    In order: ``user`` with the password of ``POLICYKG_PASSWORD`` or of the
    ``~/.netrc`` entry for the host (when its login is ``user``); the host's
    ``~/.netrc`` entry; ``POLICYKG_USER`` and ``POLICYKG_PASSWORD``. A
    ``user`` with no password anywhere is asked for with ``ask(prompt)``, or
    without ``ask`` is an :class:`EndpointError`.
    """
    environ = os.environ if environ is None else environ
    check_url(url)
    host = urllib.parse.urlsplit(url).hostname or ""
    entry = None
    path = netrc_file if netrc_file is not None else Path(os.path.expanduser("~/.netrc"))
    if path.is_file():
        try:
            entry = netrc.netrc(str(path)).authenticators(host)
        except (netrc.NetrcParseError, OSError) as e:
            raise EndpointError(f"{path}: {e}") from None
    if user is not None:
        if ":" in user:
            raise EndpointError("--user takes a user name only: a password on the command line shows in the "
                                f"process list; put it in ~/.netrc or {PASSWORD_VARIABLE}")
        if environ.get(PASSWORD_VARIABLE):
            return Credentials(user, environ[PASSWORD_VARIABLE])
        if entry and entry[0] == user and entry[2] is not None:
            return Credentials(user, entry[2])
        if ask is not None:
            return Credentials(user, ask(f"password for {user} at {host}"))
        raise EndpointError(f"no password for {user!r} at {host}: put it in ~/.netrc or {PASSWORD_VARIABLE}")
    if entry and entry[0] and entry[2] is not None:
        return Credentials(entry[0], entry[2])
    if environ.get(USER_VARIABLE) and environ.get(PASSWORD_VARIABLE):
        return Credentials(environ[USER_VARIABLE], environ[PASSWORD_VARIABLE])
    return None


def _authorization(opener, request: urllib.request.Request, auth: Credentials, timeout: float) -> str | None:
    """The Authorization header for ``request``, from the challenge of a bodiless HEAD to the same URL.

    Asked first, and the login checked with a second HEAD, because a server
    may refuse a large body unread (Virtuoso answers 401 and closes the
    connection while a PUT is still sending, which the client sees only as a
    broken pipe). Digest when the server asks for it, else basic; None (no
    password sent) when the server does not answer the probe with 401.
    """
    import base64

    def head(header: str | None):
        probe = urllib.request.Request(request.full_url, method="HEAD")
        if header:
            probe.add_unredirected_header("Authorization", header)
        try:
            with opener.open(probe, timeout=timeout):
                return None
        except urllib.error.HTTPError as e:
            return e
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise EndpointError(f"{request.full_url}: {getattr(e, 'reason', e)}") from None

    refused = head(None)
    if refused is None or refused.code != 401:
        return None  # the server did not ask for a login: send none
    challenges = refused.headers.get_all("WWW-Authenticate") or []
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, request.full_url, auth.user, auth.password)
    digest = None
    for challenge in challenges:
        scheme, _, rest = challenge.partition(" ")
        if scheme.lower() == "digest":
            digest = (urllib.request.HTTPDigestAuthHandler(passwords),
                      urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(rest))))
            break

    def header_for(req) -> str:
        if digest:
            answer = digest[0].get_authorization(req, digest[1])
            if answer is None:
                raise EndpointError(f"{request.full_url}: the server's digest challenge is not one urllib "
                                    f"can answer (algorithm {digest[1].get('algorithm', 'MD5')})")
            return "Digest " + answer
        return "Basic " + base64.b64encode(f"{auth.user}:{auth.password}".encode("utf-8")).decode("ascii")

    check = head(header_for(urllib.request.Request(request.full_url, method="HEAD")))
    if check is not None and check.code == 401:
        raise EndpointError(f"{request.full_url}: HTTP 401: the server refused the login of {auth.user!r} "
                            "(wrong user name or password?)")
    return header_for(request)


def _prepare(request: urllib.request.Request, timeout: float, auth: Credentials | None):
    """Check the URL, log in if ``auth`` is given; the opener to send ``request`` with.

    No proxies from the environment: the user named this endpoint, nothing else.
    """
    check_url(request.full_url)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    if auth is not None:
        header = _authorization(opener, request, auth, timeout)
        if header:
            request.add_unredirected_header("Authorization", header)
    return opener


def _http_error(request: urllib.request.Request, status: int, body: bytes) -> EndpointError:
    text = body.decode("utf-8", "replace").strip()
    return EndpointError(f"{request.full_url}: HTTP {status}: {text[:500]}")


def _open(request: urllib.request.Request, timeout: float, auth: Credentials | None = None) -> bytes:
    opener = _prepare(request, timeout, auth)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as e:
        raise _http_error(request, e.code, e.read()) from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise EndpointError(f"{request.full_url}: {reason}") from None


def query_endpoint(url: str, job: Job, *, default_graph: str | None = None, timeout: float = 30.0,
                   auth: Credentials | None = None) -> QueryResult:
    """POST the job's query (SPARQL 1.1 Protocol); the answer in the job's format.

    The server's answer (SPARQL results JSON, or N-Triples for a graph) is
    read by pyoxigraph's parsers and written again by the same writers the
    embedded store's results use, so both give the same bytes.
    """
    from .formats import write

    form = query_form(job.text) or "SELECT"
    text = (sparql_prefixes() if job.predeclare else "") + job.text
    fields = [("query", text)] + ([("default-graph-uri", default_graph)] if default_graph else [])
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": _ACCEPT[form]})
    body = _open(request, timeout, auth)
    try:
        if form in ("CONSTRUCT", "DESCRIBE"):
            parsed = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            fmt = job.graph_format
        else:
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            fmt = job.select_format
    except (SyntaxError, ValueError) as e:
        raise EndpointError(f"{url}: the answer is not {_ACCEPT[form]}: {e}") from None
    form, data = write(parsed, fmt)
    return QueryResult(form, fmt, data)


def _put(request: urllib.request.Request, timeout: float, auth: Credentials | None) -> None:
    """Send ``request`` (a PUT with a body) and read the answer even if the server stopped reading early.

    A server may answer before it has read the body (Virtuoso's 500 for a
    default graph it does not have) and close the connection: urllib then
    reports only a broken pipe, while http.client can still read the answer.
    No proxies, as for every request here.
    """
    import http.client

    _prepare(request, timeout, auth)
    parts = urllib.parse.urlsplit(request.full_url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    headers = dict(request.header_items())
    try:
        try:
            connection.request("PUT", request.selector, body=request.data, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered without reading the whole body: read that answer
        response = connection.getresponse()
        answer = response.read()
    except (OSError, http.client.HTTPException) as e:
        raise EndpointError(f"{request.full_url}: {getattr(e, 'reason', e)}") from None
    finally:
        connection.close()
    if response.status >= 400:
        raise _http_error(request, response.status, answer)


def push(store_url: str, triples: Iterable[ox.Triple], *, graph: str | None = None,
         timeout: float = 120.0, auth: Credentials | None = None) -> int:
    """Replace a graph on a Graph Store Protocol endpoint (HTTP PUT); return triples sent.

    ``graph`` names the target graph; without it the server's default graph
    is replaced. Literals go as written (``"5610.60"`` stays ``"5610.60"``).
    Some servers refuse to replace their default graph (Virtuoso: "the
    endpoint is not configured to have default graph"); the error then says
    to name a graph.
    """
    body = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES)
    target = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    sep = "&" if "?" in store_url else "?"
    request = urllib.request.Request(f"{store_url}{sep}{target}", data=body, method="PUT",
                                     headers={"Content-Type": "application/n-triples; charset=utf-8"})
    try:
        _put(request, timeout, auth)
    except EndpointError as e:
        if graph is None and "default graph" in str(e).lower():
            raise EndpointError(f"{e}\nThe server will not replace its default graph (Virtuoso keeps no "
                                "default graph of its own: it is the union of all graphs). Name a graph with "
                                "--graph IRI, and query it with --graph IRI too.") from None
        if "HTTP 401" in str(e):
            raise EndpointError(f"{e}\nThe server wants a login: give --user NAME with the password in "
                                f"~/.netrc or {PASSWORD_VARIABLE} (basic and digest authentication work).") from None
        raise
    return body.count(b"\n")
