"""``export`` is self-sufficient and ``push`` sends the same graph; ``push`` logs in by basic or digest
authentication from --user, ~/.netrc or the environment, never from the URL."""

from __future__ import annotations

import base64
import hashlib
import http.server
import re
import threading

import pyoxigraph as ox
import pytest

from policykg.cli import cli
from policykg.errors import EndpointError
from policykg.rdf.canonical import graph_triples
from policykg.sparql.canned import canned_queries
from policykg.sparql.evaluation import evaluate
from policykg.sparql.query import make_job
from policykg.sparql.remote import Credentials, credentials_for, push


def _answers(store, query):
    job = make_job(name=query.name, params={p.name: (p.example or "") for p in query.params}, format="json")
    reply = evaluate(store, job)
    assert reply[0] == "ok", reply
    return reply


@pytest.mark.parametrize("fmt, rdf_format", [("nt", ox.RdfFormat.N_TRIPLES), ("turtle", ox.RdfFormat.TURTLE),
                                             ("jsonld", ox.RdfFormat.JSON_LD)])
def test_a_store_loaded_from_the_export_answers_every_canned_query_like_the_embedded_one(kg, runner, fmt,
                                                                                         rdf_format):
    result = runner.invoke(cli, ["export", "--format", fmt])
    assert result.exit_code == 0, result.output
    store = ox.Store()
    store.load(result.stdout.encode("utf-8"), format=rdf_format)
    assert len(store) == len(kg.store)
    for query in canned_queries():
        assert _answers(store, query) == _answers(kg.store, query), query.name


def test_asserted_only_leaves_out_entailed_types_and_display_labels(kg, runner):
    full = runner.invoke(cli, ["export", "--format", "nt"]).stdout
    asserted = runner.invoke(cli, ["export", "--format", "nt", "--asserted-only"]).stdout
    assert "ontology#displayLabel> \"" in full and "ontology#displayLabel> \"" not in asserted
    assert len(asserted.splitlines()) == len(set(kg.triples())) < len(full.splitlines())


def test_the_export_keeps_lexical_forms(runner):
    out = runner.invoke(cli, ["export", "--format", "nt"]).stdout
    assert '"5610.60"^^<http://www.w3.org/2001/XMLSchema#decimal>' in out


# -- a Graph Store endpoint that wants a login ------------------------------------------------------

class _Store(http.server.BaseHTTPRequestHandler):
    scheme = "Basic"
    user, password, realm, nonce = "alice", "s3cret", "SPARQL", "abc123"
    received: list[bytes] = []

    def log_message(self, *args):
        pass

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if self.scheme == "Basic":
            return header == "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if not header.startswith("Digest "):
            return False
        f = dict(re.findall(r'(\w+)="?([^",]*)"?', header[7:]))
        ha1 = hashlib.md5(f"{self.user}:{self.realm}:{self.password}".encode()).hexdigest()
        ha2 = hashlib.md5(f"{self.command}:{f['uri']}".encode()).hexdigest()
        want = hashlib.md5(f"{ha1}:{self.nonce}:{f['nc']}:{f['cnonce']}:auth:{ha2}".encode()).hexdigest()
        return f.get("username") == self.user and f.get("response") == want

    def _challenge(self):
        self.send_response(401)
        if self.scheme == "Basic":
            self.send_header("WWW-Authenticate", f'Basic realm="{self.realm}"')
        else:
            self.send_header("WWW-Authenticate", f'Digest realm="{self.realm}", nonce="{self.nonce}", '
                                                  'qop="auth", algorithm="MD5"')
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def do_HEAD(self):
        if not self._authorised():
            return self._challenge()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self):
        if not self._authorised():
            return self._challenge()  # answered before the body is read, as Virtuoso does
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(body)
        if "default" in self.path.split("?", 1)[1].split("&"):
            message = b"the endpoint is not configured to have default graph"
            self.send_response(500)
            self.send_header("Content-Length", str(len(message)))
            self.end_headers()
            self.wfile.write(message)
            return
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(params=["Basic", "Digest"])
def guarded(request):
    handler = type("Handler", (_Store,), {"scheme": request.param, "received": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}/store"
    server.shutdown()
    server.server_close()


GRAPH = "https://w3id.org/policykg/graph/test"


def test_push_logs_in_with_the_password_from_the_environment(kg, runner, guarded, monkeypatch, tmp_path):
    handler, url = guarded
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("POLICYKG_PASSWORD", "s3cret")
    result = runner.invoke(cli, ["push", "--endpoint", url, "--graph", GRAPH, "--user", "alice"])
    assert result.exit_code == 0, result.output
    assert handler.received[-1].decode("utf-8") == ox.serialize(graph_triples(kg), format=ox.RdfFormat.N_TRIPLES).decode()
    assert b'"5610.60"' in handler.received[-1]
    assert "s3cret" not in result.output


def test_push_logs_in_from_netrc(runner, guarded, monkeypatch, tmp_path):
    handler, url = guarded
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login alice password s3cret\n")
    (tmp_path / ".netrc").chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("POLICYKG_PASSWORD", raising=False)
    result = runner.invoke(cli, ["push", "--endpoint", url, "--graph", GRAPH])
    assert result.exit_code == 0, result.output
    assert handler.received


def test_push_asks_for_a_missing_password(runner, guarded, monkeypatch, tmp_path):
    handler, url = guarded
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("POLICYKG_PASSWORD", raising=False)
    result = runner.invoke(cli, ["push", "--endpoint", url, "--graph", GRAPH, "--user", "alice"], input="s3cret\n")
    assert result.exit_code == 0, result.output
    assert handler.received


def test_push_without_a_login_says_how_to_give_one(runner, guarded, monkeypatch, tmp_path):
    _, url = guarded
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("POLICYKG_USER", raising=False)
    monkeypatch.delenv("POLICYKG_PASSWORD", raising=False)
    result = runner.invoke(cli, ["push", "--endpoint", url, "--graph", GRAPH])
    assert result.exit_code == 1
    assert "HTTP 401" in result.output and "--user" in result.output


def test_a_refused_default_graph_suggests_a_named_graph(runner, guarded, monkeypatch, tmp_path):
    _, url = guarded
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("POLICYKG_USER", "alice")
    monkeypatch.setenv("POLICYKG_PASSWORD", "s3cret")
    result = runner.invoke(cli, ["push", "--endpoint", url])
    assert result.exit_code == 1
    assert "not configured to have default graph" in result.output and "--graph" in result.output


def test_a_login_in_the_url_is_refused_and_not_echoed():
    with pytest.raises(EndpointError, match="--user") as e:
        push("http://alice:s3cret@127.0.0.1:1/store", [], graph=GRAPH)
    assert "s3cret" not in str(e.value)


def test_a_password_on_the_command_line_is_refused(tmp_path):
    with pytest.raises(EndpointError, match="process list"):
        credentials_for("http://127.0.0.1/store", "alice:s3cret", environ={}, netrc_file=tmp_path / "none")


def test_credentials_never_show_their_password():
    assert "s3cret" not in repr(Credentials("alice", "s3cret"))


class _Open(_Store):
    """A Graph Store endpoint that wants no login, and records any Authorization it is sent."""

    authorizations: list[str] = []

    def _authorised(self) -> bool:
        type(self).authorizations.append(self.headers.get("Authorization", ""))
        return True


def test_no_password_is_sent_to_a_server_that_does_not_ask_for_one(runner, monkeypatch, tmp_path):
    handler = type("Handler", (_Open,), {"received": [], "authorizations": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.setenv("POLICYKG_USER", "alice")
        monkeypatch.setenv("POLICYKG_PASSWORD", "s3cret")
        url = f"http://127.0.0.1:{server.server_address[1]}/store"
        result = runner.invoke(cli, ["push", "--endpoint", url, "--graph", GRAPH])
        assert result.exit_code == 0, result.output
        assert handler.received and not any(handler.authorizations)
    finally:
        server.shutdown()
        server.server_close()
