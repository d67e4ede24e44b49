"""The ``policykg`` command: each command a few lines over the library.

Shared options are decorators defined once here, and :func:`command` turns
every library error (:class:`~policykg.errors.PolicyKGError`, and an
``OSError`` on a file the user named) into a one-line message, so no command
shows a traceback. Library modules are imported inside the commands: a
command pays only for what it uses.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__

LANGS = ("ja", "en", "zh")


def _fail(e: Exception):
    if isinstance(e, OSError) and e.filename and e.strerror:
        raise click.ClickException(f"{e.filename}: {e.strerror}") from None  # "out.nt: File too large"
    raise click.ClickException(str(e)) from None


def command(name: str | None = None, **kwargs):
    """``cli.command``, with library errors turned into ``click.ClickException``."""
    def decorate(fn):
        @functools.wraps(fn)
        def run(*args, **kw):
            from .errors import PolicyKGError

            try:
                return fn(*args, **kw)
            except (PolicyKGError, OSError) as e:
                _fail(e)
        return cli.command(name, **kwargs)(run)
    return decorate


def data_dir_option(fn):
    return click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="A folder with graph/ (and optionally ontology/) to use instead of the shipped data.")(fn)


def lang_option(help: str = "Label language (falls back to en, ja, zh).", choices=LANGS):
    return click.option("--lang", type=click.Choice(choices), default=choices[0] if choices[0] == "auto" else "en",
                        show_default=True, help=help)


def output_option(help: str = "Write here (atomically) instead of stdout.", **kwargs):
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=help, **kwargs)


def format_option(choices, default: str | None = None):
    if default is None:
        return click.option("--format", "fmt", type=click.Choice(choices), required=True)
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True)


class Seconds(click.ParamType):
    """A positive, finite number of seconds (nan, inf, 0 and negatives are refused)."""

    name = "seconds"

    def __init__(self, minimum: float = 0.1, maximum: float = 86_400.0):
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value, param, ctx):
        import math

        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or not self.minimum <= seconds <= self.maximum:
            self.fail(f"{value!r} is not between {self.minimum:g} and {self.maximum:g} seconds", param, ctx)
        return seconds


def timeout_option(default: float, help: str):
    return click.option("--timeout", type=Seconds(), default=default, show_default=True, help=help)


def emit(data: str | bytes, output: Path | None) -> None:
    """Write to ``output`` atomically, or to stdout."""
    from .atomic import write_atomic

    if output:
        write_atomic(output, data)
    elif isinstance(data, bytes):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        sys.stdout.write(data)


def _load(data_dir):
    from .rdf.loading import load

    return load(data_dir)


@click.group()
@click.version_option(__version__, prog_name="policykg")
def cli():
    """policykg: a knowledge graph of public policies and the actors around them."""
    import signal

    # Past a file-size limit (RLIMIT_FSIZE) write() should fail with EFBIG, which
    # becomes a one-line error, rather than SIGXFSZ killing the process. CPython
    # already ignores SIGXFSZ at start-up; this keeps it so whoever runs us.
    if hasattr(signal, "SIGXFSZ"):
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        except ValueError:  # not the main thread (the CLI invoked from a thread)
            pass


def _print_problems(report, warnings: bool = False) -> int:
    for e in report.syntax_errors:
        click.echo(str(e), err=True)
    for v in report.errors + (report.warnings if warnings else []):
        click.echo(str(v), err=True)
    return len(report.syntax_errors) + len(report.errors)


# ---------------------------------------------------------------- the RDF core

@command()
@data_dir_option
@click.option("--warnings/--no-warnings", default=True, help="Also list SHACL warnings.")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Reuse the verdict on the very same files (kept by content hash).")
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default=None,
              help="SHACL engine: the shapes compiled to SPARQL (fast, the default) or pyshacl, its reference.")
def validate(data_dir, warnings, cache, engine):
    """Check syntax (strict), SHACL shapes and stated-count consistency."""
    from .rdf.validation import validate as run_validation

    report = run_validation(data_dir, cache=cache, engine=engine)
    problems = _print_problems(report, warnings)
    if not report.conforms:
        raise click.ClickException(f"invalid: {problems} problem(s)")
    click.echo(f"valid: {report.files} files, {report.triples} triples, {len(report.warnings)} warning(s)")


@command()
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def stats(data_dir, as_json):
    """Triples per file, instances per class, evidence phrases."""
    from . import paths
    from .rdf.stats import compute
    from .terminal import stats_text, to_json

    s = compute(_load(data_dir), root=data_dir or paths.data_root())
    click.echo(to_json(s) if as_json else stats_text(s), nl=False)


def entailed_option(f):
    return click.option("--entailed/--asserted-only", default=True, show_default=True,
                        help="Include the types entailed by rdfs:subClassOf and the display labels the loader "
                             "computes (what the canned queries need), or only the triples the files assert.")(f)


@command()
@data_dir_option
@format_option(["turtle", "nt", "jsonld"], "turtle")
@output_option()
@entailed_option
def export(data_dir, fmt, output, entailed):
    """The merged graph (ontology, vocabularies, data) in one file.

    The same graph ``push`` sends: a store loaded from it answers the canned
    queries as the embedded one does. Literals keep their lexical forms.
    """
    from .rdf.canonical import graph_triples, serialize

    emit(serialize(graph_triples(_load(data_dir), entailed=entailed), fmt), output)


@command()
@click.option("--source", "text_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The source's text, as a UTF-8 file.")
@click.option("--of", "source", default=None, help="Check only the phrases quoted from this source (IRI or pkd: name).")
@data_dir_option
def evidence(text_file, source, data_dir):
    """List evidence phrases not found verbatim in a source text."""
    from .rdf.evidence import check_source

    result = check_source(_load(data_dir), text_file, source)
    for p in result.missing:
        click.echo(f"not found: {p.evidence} ({p.source}): {p.exact}")
    if not result.ok:
        raise click.ClickException(f"{len(result.missing)} of {result.checked} phrase(s) not found in {text_file}")
    click.echo(f"all {result.checked} phrase(s) of {result.source} found in {text_file}")


@command()
@data_dir_option
@click.option("--check", is_flag=True, help="Only report files that are not in canonical form; exit 1 if any.")
def fmt(data_dir, check):
    """Rewrite graph files in canonical (sorted, deterministic) Turtle."""
    from .rdf.canonical import canonicalize

    changed = canonicalize(data_dir, write=not check)
    for path in changed:
        click.echo(f"{'would reformat' if check else 'reformatted'} {path}")
    if check and changed:
        raise click.ClickException(f"{len(changed)} file(s) not in canonical form; run 'policykg fmt'")
    if not changed:
        click.echo("all graph files are in canonical form")


@command()
@output_option()
def diagram(output):
    """Graphviz DOT source of the ontology's classes and properties."""
    from .rdf.diagram import ontology_dot

    emit(ontology_dot(_load(None)), output)


# ---------------------------------------------------------------- the network

@command()
@click.argument("entity")
@lang_option()
@format_option(["table", "json"], "table")
@data_dir_option
def links(entity, lang, fmt, data_dir):
    """Everything ENTITY (an IRI or any label: Baidu, 百度) is linked to, and how."""
    from .network.analysis import links as find_links
    from .terminal import links_json, links_text

    report = find_links(_load(data_dir), entity, lang=lang)
    click.echo(links_json(report) if fmt == "json" else links_text(report), nl=False)


@command()
@click.argument("a")
@click.argument("b")
@click.option("--max-hops", type=click.IntRange(min=1), default=4, show_default=True)
@click.option("--k", "k", type=click.IntRange(min=1), default=3, show_default=True, help="How many paths.")
@lang_option()
@data_dir_option
def path(a, b, max_hops, k, lang, data_dir):
    """The K shortest paths between A and B, each hop in words."""
    from .network.analysis import find_paths
    from .terminal import paths_text

    found = find_paths(_load(data_dir), a, b, max_hops=max_hops, k=k, lang=lang)
    if not found:
        raise click.ClickException(f"no path of at most {max_hops} hops between {a!r} and {b!r}")
    click.echo(paths_text(found), nl=False)


@command()
@click.option("--class", "cls", help="List only this class (organization, government, person, policy, program).")
@lang_option()
@format_option(["table", "json"], "table")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Show the first N only.")
@data_dir_option
def rank(cls, lang, fmt, top, data_dir):
    """Actors ranked by betweenness and degree centrality, with communities."""
    from .network.analysis import rank as rank_actors
    from .terminal import rank_text, to_json

    rows = rank_actors(_load(data_dir), cls=cls, lang=lang)[:top]
    click.echo(to_json([r.__dict__ for r in rows]) if fmt == "json" else rank_text(rows), nl=False)


@command("export-network")
@format_option(["graphml", "gexf", "csv", "json", "cytoscape"])
@output_option("Output file (for csv: the prefix of -nodes.csv and -edges.csv).", required=True)
@lang_option("Language of the label attribute (label_ja/en/zh are always there).")
@data_dir_option
def export_network(fmt, output, lang, data_dir):
    """The policy-actor network for Gephi, Cytoscape or igraph."""
    from .network.export import export_network as write_network
    from .network.projection import build_network

    for p in write_network(build_network(_load(data_dir), lang=lang), fmt, output):
        click.echo(f"wrote {p}")


@command()
@output_option("Write the page here (atomically).", default=Path("policykg-network.html"), show_default=True)
@click.option("--focus", metavar="IRI|LABEL", help="Show only the neighbourhood of this entity (any label, any language).")
@click.option("--depth", type=click.IntRange(min=0), default=2, show_default=True, help="Hops around --focus.")
@click.option("--include", "include", multiple=True, metavar="CLASS",
              help="Only nodes of this class (repeatable): program, policy, government, organization, person, goal, "
                   "target, direction, statement, report, observation, place, category.")
@lang_option("Language of node and edge labels (falls back to en, ja, zh).")
@data_dir_option
def viz(output, focus, depth, include, lang, data_dir):
    """An interactive, self-contained HTML page of the policy-actor network.

    \b
    policykg viz -o network.html
    policykg viz --focus 百度 --depth 1 --lang zh -o baidu.html
    """
    from .network.view import write_view

    net, focus_iri = write_view(_load(data_dir), output, focus=focus, depth=depth,
                                include=set(include) or None, lang=lang)
    around = f" around {focus_iri}" if focus_iri else ""
    click.echo(f"wrote {output}: {net.graph.number_of_nodes()} nodes, {net.graph.number_of_edges()} links{around}")


# ---------------------------------------------------------------- text

@command()
@click.argument("document", type=click.Path(dir_okay=False, path_type=Path))
@lang_option("The document's language (names of every language are matched).", ("auto", "ja", "zh", "en"))
@format_option(["table", "json"], "table")
@click.option("--candidates", "candidates_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the candidate statements (Turtle) here instead of after the table.")
@click.option("--sheet", "sheet_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a draft fact sheet (YAML rows to review and complete for `policykg add`) here.")
@data_dir_option
def mentions(document, lang, fmt, candidates_out, sheet_out, data_dir):
    """Find the entities the graph knows in a plain-text DOCUMENT."""
    from .atomic import write_atomic
    from .mentions import link_document
    from .terminal import mentions_json, mentions_text

    if sheet_out:
        from .authoring.draft import draft_sheet

        write_atomic(sheet_out, draft_sheet(_load(data_dir), document, lang=lang))
        click.echo(f"wrote {sheet_out}: review it, fill the TODOs, then `policykg add {sheet_out} --source {document}`")
        return
    result = link_document(_load(data_dir), document, lang=lang)
    if candidates_out:
        write_atomic(candidates_out, result.turtle)
    if fmt == "json":
        click.echo(mentions_json(result), nl=False)
        return
    click.echo(mentions_text(result, with_turtle=not candidates_out), nl=False)


# The first release called `mentions` `link`, one letter from `links`.
cli.add_command(click.Command("link", params=mentions.params, callback=mentions.callback, hidden=True,
                              help="Old name of 'mentions'."))


# ---------------------------------------------------------------- follow-through

@command()
@click.argument("sheet", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", "source_text", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The text of the sheet's source document: every evidence phrase must be in it verbatim.")
@data_dir_option
def add(sheet, source_text, data_dir):
    """Compile a fact SHEET (YAML) into graph/<sheet>.ttl: checked, validated, or nothing written."""
    from .authoring import add_sheet

    click.echo(str(add_sheet(sheet, source_text, data_dir=data_dir)))


@command()
@click.argument("policy", required=False)
@lang_option()
@format_option(["table", "json"], "table")
@data_dir_option
def targets(policy, lang, fmt, data_dir):
    """Numeric targets (of POLICY, or all) against the latest figures: status and evidence."""
    from .followthrough.targets import targets as find_targets, targets_json, targets_text

    found = find_targets(_load(data_dir), policy, lang=lang)
    click.echo(targets_json(found) if fmt == "json" else targets_text(found, lang=lang), nl=False)


@command()
@click.argument("policy")
@lang_option()
@format_option(["table", "json"], "table")
@data_dir_option
def lineage(policy, lang, fmt, data_dir):
    """Which later policies carry POLICY out (by whom, when, at which level), and what it carries out."""
    from .followthrough.lineage import lineage as find_lineage, lineage_json, lineage_text

    found = find_lineage(_load(data_dir), policy, lang=lang)
    click.echo(lineage_json(found) if fmt == "json" else lineage_text(found), nl=False)


# ---------------------------------------------------------------- SPARQL

@command("queries")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_queries(as_json):
    """List the canned queries: name, title, parameters."""
    from .sparql.canned import canned_queries
    from .terminal import queries_json, queries_text

    queries = canned_queries()
    click.echo(queries_json(queries) if as_json else queries_text(queries), nl=False)


@command()
@click.argument("name", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Run the query in this file (a '# param:' header makes -p work for it).")
@click.option("-e", "--expr", "expression", help="Run this SPARQL text (standard prefixes predeclared).")
@click.option("-p", "--param", "params", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="Bind a parameter of a canned query or query file (repeatable); an IRI parameter also "
                   "takes a name in any language (-p city Beijing).")
@lang_option("Label language, where the query offers labels (falls back to en, ja, zh).")
@format_option(["table", "csv", "tsv", "json", "xml", "turtle", "nt", "jsonld"], "table")
@output_option()
@timeout_option(30.0, "Stop the query after this many seconds.")
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 endpoint instead of the embedded store.")
@click.option("--graph", "graph_iri", metavar="IRI", help="With --endpoint: query this named graph as the default graph.")
@click.option("--user", metavar="NAME",
              help="With --endpoint: log in as NAME, as for push (password from ~/.netrc or POLICYKG_PASSWORD).")
@data_dir_option
def query(name, query_file, expression, params, lang, fmt, output, timeout, endpoint, graph_iri, user, data_dir):
    """Run a canned query NAME, a query file (-f FILE), SPARQL text (-e TEXT) or stdin (-).

    \b
    policykg query members-by-role -p program pkd:bj-gai-partnership-program-2023
    policykg query city-indicators -p city 北京
    policykg query -f my-query.rq --format csv -o out.csv
    policykg query -e 'SELECT ?p WHERE { ?p a pk:PolicyDocument } ORDER BY ?p'
    echo 'ASK { ?s ?p ?o }' | policykg query -
    """
    if sum(x is not None for x in (name, query_file, expression)) != 1:
        raise click.UsageError("give exactly one of NAME, -f FILE, -e TEXT or - (stdin)")
    if name is not None and name != "-" and (name.endswith(".rq") or "/" in name):
        raise click.UsageError(f"NAME is a canned query ('policykg queries' lists them); for a file use -f {name}")
    sparql = sys.stdin.read() if name == "-" else expression
    source = {"sparql": sparql, "name": None if name == "-" else name, "path": query_file,
              "params": dict(params), "lang": lang, "format": fmt}
    if endpoint:
        from .sparql.query import make_job
        from .sparql.remote import credentials_for, query_endpoint

        auth = credentials_for(endpoint, user, ask=lambda prompt: click.prompt(prompt, hide_input=True, err=True))
        result = query_endpoint(endpoint, make_job(**source), default_graph=graph_iri, timeout=timeout, auth=auth)
    else:
        from .sparql.query import run_query

        result = run_query(_load(data_dir), **source, timeout=timeout)
    emit(result.data, output)


@command()
@click.option("--endpoint", required=True, metavar="URL",
              help="The server's Graph Store Protocol URL (for Oxigraph: http://HOST:PORT/store).")
@click.option("--graph", "graph_iri", metavar="IRI",
              help="Replace this named graph (default: the default graph; Virtuoso needs a named graph).")
@click.option("--user", metavar="NAME",
              help="Log in as NAME (basic or digest authentication); the password comes from ~/.netrc or "
                   "POLICYKG_PASSWORD, else it is asked for. Without --user: ~/.netrc, or POLICYKG_USER "
                   "and POLICYKG_PASSWORD, if set.")
@timeout_option(120.0, "Give up on the server after this many seconds.")
@entailed_option
@data_dir_option
def push(endpoint, graph_iri, user, timeout, entailed, data_dir):
    """Replace a graph on a SPARQL server with the policykg graph.

    Sends the graph ``export`` writes (asserted triples with their lexical
    forms, plus entailed types and display labels), so canned queries answer
    the same on the server. For Virtuoso: --endpoint http://HOST:8890/sparql-graph-crud-auth
    --user dba --graph IRI.
    """
    from .rdf.canonical import graph_triples
    from .sparql.remote import credentials_for
    from .sparql.remote import push as push_graph

    auth = credentials_for(endpoint, user, ask=lambda prompt: click.prompt(prompt, hide_input=True, err=True))
    sent = push_graph(endpoint, graph_triples(_load(data_dir), entailed=entailed), graph=graph_iri,
                      timeout=timeout, auth=auth)
    click.echo(f"pushed {sent} triples to {endpoint} ({'graph <' + graph_iri + '>' if graph_iri else 'default graph'})")


@command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-e", "--expr", "expression", required=True, help="The SPARQL update (INSERT DATA, DELETE/INSERT WHERE ...).")
def update(file, expression):
    """Apply a SPARQL update to a Turtle FILE of your own (never the shipped graph)."""
    from .sparql.update import update_file

    before, after = update_file(file, expression)
    click.echo(f"{file}: {before} -> {after} triples")


# ---------------------------------------------------------------- charts

@command("charts")
def list_charts():
    """List the charts: name, title, and the canned query each one draws."""
    from .charts import list_charts as charts
    from .terminal import table

    rows = [[c.name, c.text("title", "en"), c.query] for c in charts()]
    click.echo(table(["name", "title", "query"], rows), nl=False)


@command()
@click.argument("name")
@click.option("-p", "--param", "params", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="Override a parameter of the chart's canned query (repeatable).")
@lang_option("Language of titles and labels.")
@output_option("Write the chart here (atomically): .svg, .png or .html.", required=True)
@data_dir_option
def chart(name, params, lang, output, data_dir):
    """Draw chart NAME ('policykg charts' lists them) into -o FILE; the format comes from its extension.

    \b
    policykg chart city-comparison -o beijing-shanghai.svg
    policykg chart ranking-digital-tech-share --lang ja -o share.png
    policykg chart city-comparison -p b pkd:shenzhen -o beijing-shenzhen.html
    """
    from .charts import FORMATS, render_chart

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.UsageError(f"-o {output}: the file name must end in {', '.join('.' + f for f in FORMATS)}")
    emit(render_chart(_load(data_dir), name, dict(params), lang=lang, format=fmt), output)


# ---------------------------------------------------------------- web

@command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@timeout_option(30.0, "Stop a query after this many seconds (its worker is killed and replaced).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Query worker processes, each holding the store.")
@click.option("--max-connections", type=click.IntRange(1, 100_000), default=256, show_default=True,
              help="Open connections at most; past it requests get 503.")
@click.option("--header-timeout", type=Seconds(), default=10.0, show_default=True,
              help="Close a connection whose request headers take longer than this.")
@click.option("--send-timeout", type=Seconds(), default=30.0, show_default=True,
              help="Drop a client that reads nothing of its result for this long.")
@click.option("--allowed-hosts", metavar="HOST,...",
              help="Host header values to answer (against DNS rebinding); '*' for any. "
                   "Default: loopback names when bound to loopback, else any.")
@click.option("--named-graph", "named_graphs", type=(str, click.Path(dir_okay=False, exists=True, path_type=Path)),
              multiple=True, metavar="IRI FILE",
              help="Also serve FILE (.ttl, .nt, .rdf) as the named graph IRI, for FROM and default-graph-uri.")
@click.option("--cors", "cors", multiple=True, metavar="ORIGIN|*",
              help="Let pages from ORIGIN (e.g. https://yasgui.triply.cc; '*' for any) read /sparql and "
                   "/reconcile answers, preflight included. Repeatable. Default: no CORS headers.")
@data_dir_option
def serve(host, port, timeout, workers, max_connections, header_timeout, send_timeout, allowed_hosts, named_graphs, cors,
          data_dir):
    """Web pages and a read-only SPARQL 1.1 endpoint (/sparql) over the graph.

    The data is validated first (strict syntax, SHACL shapes): a syntax error
    or a shape violation is printed and the server does not start.
    """
    from .errors import PolicyKGError
    from .sparql.workers import start_forkserver

    start_forkserver()  # the workers' imports run in it while this process imports the web app and validates
    from .rdf.validation import validate as run_validation
    from .web import create_app
    from .web.server import default_allowed_hosts, serve_app

    report = run_validation(data_dir)
    if not report.conforms:
        problems = _print_problems(report)
        raise PolicyKGError(f"not serving {data_dir or 'the shipped data'}: invalid data, "
                            f"{problems} problem(s); fix them ('policykg validate') and start again")
    hosts = default_allowed_hosts(host) if allowed_hosts is None else \
        None if allowed_hosts.strip() == "*" else [h.strip() for h in allowed_hosts.split(",") if h.strip()]
    app = create_app(data_dir, query_timeout=timeout, send_timeout=send_timeout, workers=workers,
                     named_graphs=dict(named_graphs),
                     allowed_hosts=hosts, cors=list(cors) or None, warmup=True)
    click.echo(f"policykg: serving http://{host}:{port}/ (SPARQL endpoint /sparql, read-only)", err=True)
    try:
        serve_app(app, host=host, port=port, max_connections=max_connections, header_timeout=header_timeout)
    except KeyboardInterrupt:  # uvicorn has shut down cleanly and passes Ctrl-C on: a normal stop
        pass
