"""The ``policykg`` command: a thin layer over the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import PolicyKGError

DATA_DIR = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="A folder with graph/ (and optionally ontology/) to use instead of the shipped data.",
)


def _emit(text: str, output: Path | None) -> None:
    """Write to ``output`` atomically, or to stdout."""
    from .atomic import write_atomic

    if output:
        write_atomic(output, text)
    else:
        sys.stdout.write(text)


def _fail(e: Exception):
    if isinstance(e, OSError) and e.filename and e.strerror:
        raise click.ClickException(f"{e.filename}: {e.strerror}") from None  # "out.nt: File too large"
    raise click.ClickException(str(e)) from None


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


@cli.command()
@DATA_DIR
@click.option("--warnings/--no-warnings", default=True, help="Also list SHACL warnings.")
def validate(data_dir, warnings):
    """Check syntax (strict), SHACL shapes and stated-count consistency."""
    from .validation import validate as run_validation

    try:
        report = run_validation(data_dir)
    except PolicyKGError as e:
        _fail(e)
    for e in report.syntax_errors:
        click.echo(str(e), err=True)
    for v in report.errors + (report.warnings if warnings else []):
        click.echo(str(v), err=True)
    if not report.conforms:
        problems = len(report.syntax_errors) + len(report.errors)
        raise click.ClickException(f"invalid: {problems} problem(s)")
    click.echo(f"valid: {report.files} files, {report.triples} triples, "
               f"{len(report.warnings)} warning(s)")


@cli.command()
@DATA_DIR
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def stats(data_dir, as_json):
    """Triples per file, instances per class, evidence phrases."""
    from . import paths
    from .loading import load
    from .output import stats_text, to_json
    from .stats import compute

    try:
        s = compute(load(data_dir), root=data_dir or paths.data_root())
    except PolicyKGError as e:
        _fail(e)
    click.echo(to_json(s) if as_json else stats_text(s), nl=False)


@cli.command()
@DATA_DIR
@click.option("--format", "fmt", type=click.Choice(["turtle", "nt", "jsonld"]), default="turtle", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (atomically) instead of stdout.")
def export(data_dir, fmt, output):
    """The merged graph (ontology, vocabularies, data) in one file."""
    from .loading import load
    from .serialize import serialize

    try:
        text = serialize(load(data_dir).triples(), fmt)
        _emit(text, output)
    except (PolicyKGError, OSError) as e:
        _fail(e)


@cli.command()
@click.option("--source", "text_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The source's text, as a UTF-8 file.")
@click.option("--of", "source", default=None, help="Check only the phrases quoted from this source (IRI or pkd: name).")
@DATA_DIR
def evidence(text_file, source, data_dir):
    """List evidence phrases not found verbatim in a source text."""
    from .evidence import check_source
    from .loading import load

    try:
        result = check_source(load(data_dir), text_file, source)
    except PolicyKGError as e:
        _fail(e)
    for p in result.missing:
        click.echo(f"not found: {p.evidence} ({p.source}): {p.exact}")
    if not result.ok:
        raise click.ClickException(f"{len(result.missing)} of {result.checked} phrase(s) not found in {text_file}")
    click.echo(f"all {result.checked} phrase(s) of {result.source} found in {text_file}")


@cli.command()
@DATA_DIR
@click.option("--check", is_flag=True, help="Only report files that are not in canonical form; exit 1 if any.")
def fmt(data_dir, check):
    """Rewrite graph files in canonical (sorted, deterministic) Turtle."""
    from . import paths
    from .atomic import write_atomic
    from .loading import part_files
    from .serialize import canonical_file_text

    root = data_dir or paths.data_root()
    changed = []
    try:
        for path in part_files(root, "graph"):
            text = canonical_file_text(path)
            if text != path.read_text(encoding="utf-8"):
                changed.append(path)
                if not check:
                    write_atomic(path, text)
    except (PolicyKGError, OSError) as e:
        _fail(e)
    for path in changed:
        click.echo(f"{'would reformat' if check else 'reformatted'} {path}")
    if check and changed:
        raise click.ClickException(f"{len(changed)} file(s) not in canonical form; run 'policykg fmt'")
    if not changed:
        click.echo("all graph files are in canonical form")


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (atomically) instead of stdout.")
def diagram(output):
    """Graphviz DOT source of the ontology's classes and properties."""
    from .diagram import ontology_dot
    from .loading import load

    try:
        text = ontology_dot(load())
        _emit(text, output)
    except (PolicyKGError, OSError) as e:
        _fail(e)


@cli.command()
@click.argument("entity")
@click.option("--lang", type=click.Choice(["ja", "en", "zh"]), default="en", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@DATA_DIR
def links(entity, lang, fmt, data_dir):
    """Everything ENTITY (an IRI or any label: Baidu, 百度) is linked to, and how."""
    from .linking import links as find_links
    from .loading import load
    from .output import links_json, links_text

    try:
        report = find_links(load(data_dir), entity, lang=lang)
    except PolicyKGError as e:
        _fail(e)
    click.echo(links_json(report) if fmt == "json" else links_text(report), nl=False)


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option("--max-hops", type=click.IntRange(min=1), default=4, show_default=True)
@click.option("--k", "k", type=click.IntRange(min=1), default=3, show_default=True, help="How many paths.")
@click.option("--lang", type=click.Choice(["ja", "en", "zh"]), default="en", show_default=True)
@DATA_DIR
def path(a, b, max_hops, k, lang, data_dir):
    """The K shortest paths between A and B, each hop in words."""
    from .linking import paths
    from .loading import load

    try:
        found = paths(load(data_dir), a, b, max_hops=max_hops, k=k, lang=lang)
    except PolicyKGError as e:
        _fail(e)
    if not found:
        raise click.ClickException(f"no path of at most {max_hops} hops between {a!r} and {b!r}")
    for i, hops in enumerate(found, 1):
        click.echo(f"path {i} ({len(hops)} hop{'s' if len(hops) != 1 else ''}):")
        for hop in hops:
            click.echo(f"  {hop.words()}")


@cli.command()
@click.option("--class", "cls", help="List only this class (organization, government, person, policy, program).")
@click.option("--lang", type=click.Choice(["ja", "en", "zh"]), default="en", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--top", type=click.IntRange(min=1), default=None, help="Show the first N only.")
@DATA_DIR
def rank(cls, lang, fmt, top, data_dir):
    """Actors ranked by betweenness and degree centrality, with communities."""
    from .linking import rank as rank_actors
    from .loading import load
    from .namespaces import shorten
    from .output import table, to_json

    try:
        rows = rank_actors(load(data_dir), cls=cls, lang=lang)[:top]
    except PolicyKGError as e:
        _fail(e)
    if fmt == "json":
        click.echo(to_json([r.__dict__ for r in rows]), nl=False)
        return
    click.echo(table(["entity", "label", "class", "degree", "betweenness", "community"],
                     [[shorten(r.iri), r.label, r.cls, str(r.degree), f"{r.betweenness:.4f}", str(r.community)]
                      for r in rows]), nl=False)


@cli.command("export-network")
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "csv", "json"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output file (for csv: the prefix of -nodes.csv and -edges.csv).")
@click.option("--lang", type=click.Choice(["ja", "en", "zh"]), default="en", show_default=True,
              help="Language of the label attribute (label_ja/en/zh are always there).")
@DATA_DIR
def export_network_command(fmt, output, lang, data_dir):
    """The policy-actor network for Gephi, Cytoscape or igraph."""
    from .loading import load
    from .network import build_network
    from .network_export import export_network

    try:
        written = export_network(build_network(load(data_dir), lang=lang), fmt, output)
    except (PolicyKGError, OSError) as e:
        _fail(e)
    for p in written:
        click.echo(f"wrote {p}")


@cli.command("link")
@click.argument("document", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["auto", "ja", "zh", "en"]), default="auto", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--candidates", "candidates_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the candidate statements (Turtle) here instead of after the table.")
@DATA_DIR
def link_command(document, lang, fmt, candidates_out, data_dir):
    """Find entities the graph knows in a plain-text DOCUMENT."""
    from .atomic import write_atomic
    from .entity_linking import link_document, mention_rows
    from .loading import load
    from .output import table, to_json

    try:
        result = link_document(load(data_dir), document, lang=lang)
        if candidates_out:
            write_atomic(candidates_out, result.turtle)
    except (PolicyKGError, OSError) as e:
        _fail(e)
    if fmt == "json":
        click.echo(to_json({"document": result.document,
                            "mentions": [m.__dict__ for m in result.mentions],
                            "candidates": [{"subject": c.subject, "object": c.object, "kind": c.kind,
                                            "sentence": [c.sentence.start, c.sentence.end]}
                                           for c in result.candidates]}), nl=False)
        return
    click.echo(table(["start", "end", "text", "entity", "class"], mention_rows(result)), nl=False)
    click.echo(f"({len(result.mentions)} mentions, {len(result.candidates)} candidate statements)")
    if not candidates_out and result.candidates:
        click.echo()
        click.echo(result.turtle, nl=False)


@cli.command("queries")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_queries(as_json):
    """List the canned queries: name, title, parameters."""
    from .output import table, to_json
    from .queries import canned_queries

    try:
        queries = canned_queries()
    except PolicyKGError as e:
        _fail(e)
    if as_json:
        click.echo(to_json([{"name": q.name, "title": q.title, "description": q.description,
                             "params": [{"name": p.name, "type": p.type, "example": p.example} for p in q.params]}
                            for q in queries]), nl=False)
        return
    rows = [[q.name, q.title, " ".join(f"{p.name}:{p.type}" for p in q.params)] for q in queries]
    click.echo(table(["name", "title", "params"], rows), nl=False)


@cli.command()
@click.argument("source", required=False)
@click.option("-e", "--expr", "expression", help="Run this SPARQL text (standard prefixes predeclared).")
@click.option("-p", "--param", "params", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="Bind a parameter of a canned query (repeatable).")
@click.option("--lang", type=click.Choice(["ja", "en", "zh"]), default="en", show_default=True,
              help="Label language, where the query offers labels (falls back to any language).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "nt", "jsonld"]),
              default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (atomically).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Stop the query after this many seconds.")
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 endpoint instead of the embedded store.")
@click.option("--graph", "graph_iri", metavar="IRI", help="With --endpoint: query this named graph as the default graph.")
@DATA_DIR
def query(source, expression, params, lang, fmt, output, timeout, endpoint, graph_iri, data_dir):
    """Run a canned query (NAME), a query file (FILE.rq), stdin (-) or -e TEXT.

    \b
    policykg query members-by-role -p program pkd:bj-gai-partnership-program-2023
    policykg query my-query.rq --format csv -o out.csv
    policykg query -e 'SELECT ?p WHERE { ?p a pk:PolicyDocument } ORDER BY ?p'
    """
    from .atomic import write_atomic
    from .query import execute_isolated, prepare, read_query_source
    from .queries import find_query, parse_query_file

    try:
        if (source is None) == (expression is None):
            raise PolicyKGError("give exactly one of NAME, FILE.rq, - (stdin) or -e TEXT")
        values = dict(params)
        if expression is not None:
            prepared = prepare(expression, params=values)
        else:
            text, name = read_query_source(source)
            if name is not None:
                prepared = prepare(canned=find_query(name), params=values, lang=lang)
            elif text.lstrip().startswith("# title:") and source != "-":
                prepared = prepare(canned=parse_query_file(Path(source)), params=values, lang=lang, trusted=False)
            else:
                prepared = prepare(text, params=values)
        if endpoint:
            from .remote import query_endpoint
            from .results import format_result
            data = format_result(query_endpoint(endpoint, prepared, default_graph=graph_iri, timeout=timeout),
                                 fmt, lang=lang).encode("utf-8")
        else:
            from .loading import load
            data = execute_isolated(load(data_dir).store, prepared, fmt, timeout=timeout, lang=lang)
        if output:
            write_atomic(output, data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
    except (PolicyKGError, OSError) as e:
        _fail(e)


@cli.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="The server's Graph Store Protocol URL (for Oxigraph: http://HOST:PORT/store).")
@click.option("--graph", "graph_iri", metavar="IRI", help="Replace this named graph (default: the default graph).")
@click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True)
@DATA_DIR
def push(endpoint, graph_iri, timeout, data_dir):
    """Replace a graph on a SPARQL server with the policykg graph.

    Sends the graph as the embedded store holds it (asserted triples plus
    entailed types), so canned queries answer the same on the server.
    """
    from .loading import load
    from .remote import push as push_graph

    try:
        kg = load(data_dir)
        sent = push_graph(endpoint, (q.triple for q in kg.store), graph=graph_iri, timeout=timeout)
    except PolicyKGError as e:
        _fail(e)
    click.echo(f"pushed {sent} triples to {endpoint} ({'graph <' + graph_iri + '>' if graph_iri else 'default graph'})")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-e", "--expr", "expression", required=True, help="The SPARQL update (INSERT DATA, DELETE/INSERT WHERE ...).")
def update(file, expression):
    """Apply a SPARQL update to a Turtle FILE of your own (never the shipped graph)."""
    from .updating import update_file

    try:
        before, after = update_file(file, expression)
    except (PolicyKGError, OSError) as e:
        _fail(e)
    click.echo(f"{file}: {before} -> {after} triples")


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("policykg-network.html"),
              show_default=True, help="Write the page here (atomically).")
@click.option("--focus", metavar="IRI|LABEL", help="Show only the neighbourhood of this entity (any label, any language).")
@click.option("--depth", type=click.IntRange(min=0), default=2, show_default=True, help="Hops around --focus.")
@click.option("--include", "include", multiple=True, metavar="CLASS",
              help="Only nodes of this class (repeatable): program, policy, government, organization, person, goal, "
                   "target, direction, statement, report, observation, place, category.")
@click.option("--lang", type=click.Choice(["ja", "en", "zh"]), default="en", show_default=True,
              help="Language of node and edge labels (falls back to any language).")
@DATA_DIR
def viz(output, focus, depth, include, lang, data_dir):
    """An interactive, self-contained HTML page of the policy-actor network.

    \b
    policykg viz -o network.html
    policykg viz --focus 百度 --depth 1 --lang zh -o baidu.html
    """
    from .loading import load
    from .namespaces import shorten
    from .network import build_network, neighbourhood, resolve_entity
    from .viz import write_network_html

    try:
        kg = load(data_dir)
        net = build_network(kg, lang=lang, include=set(include) if include else None)
        title = "policykg network"
        focus_iri = None
        if focus:
            focus_iri = resolve_entity(kg, focus, lang=lang)
            net = neighbourhood(net, focus_iri, depth)
            title = f"policykg network around {net.label(focus_iri)} ({depth} hop{'s' if depth != 1 else ''})"
        write_network_html(output, net, title=title, lang=lang, focus=focus_iri)
    except (PolicyKGError, OSError) as e:
        _fail(e)
    click.echo(f"wrote {output}: {net.graph.number_of_nodes()} nodes, {net.graph.number_of_edges()} links"
               + (f" around {shorten(focus_iri)}" if focus_iri else ""))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Stop a query after this many seconds (its worker is killed and replaced).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Query worker processes, each holding the store.")
@DATA_DIR
def serve(host, port, timeout, workers, data_dir):
    """Web pages and a read-only SPARQL 1.1 endpoint (/sparql) over the graph.

    The data is validated first (strict syntax, SHACL shapes): a syntax error
    or a shape violation is printed and the server does not start.
    """
    try:
        import uvicorn

        from .validation import validate as run_validation
        from .web import create_app

        report = run_validation(data_dir)
        if not report.conforms:
            for e in report.syntax_errors:
                click.echo(str(e), err=True)
            for v in report.errors:
                click.echo(str(v), err=True)
            problems = len(report.syntax_errors) + len(report.errors)
            raise PolicyKGError(f"not serving {data_dir or 'the shipped data'}: invalid data, "
                                f"{problems} problem(s); fix them ('policykg validate') and start again")

        app = create_app(data_dir, query_timeout=timeout, workers=workers)
    except (PolicyKGError, ImportError, OSError) as e:
        _fail(e)
    click.echo(f"policykg: serving http://{host}:{port}/ (SPARQL endpoint /sparql, read-only)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def main():  # pragma: no cover - console entry point
    cli()
