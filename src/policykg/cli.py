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


def _fail(e: Exception):
    raise click.ClickException(str(e)) from None


@click.group()
@click.version_option(__version__, prog_name="policykg")
def cli():
    """policykg: a knowledge graph of public policies and the actors around them."""


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
    from .atomic import write_atomic
    from .loading import load
    from .serialize import serialize

    try:
        text = serialize(load(data_dir).triples(), fmt)
        if output:
            write_atomic(output, text)
        else:
            sys.stdout.write(text)
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
    except PolicyKGError as e:
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
    from .atomic import write_atomic
    from .diagram import ontology_dot
    from .loading import load

    try:
        text = ontology_dot(load())
        if output:
            write_atomic(output, text)
        else:
            sys.stdout.write(text)
    except (PolicyKGError, OSError) as e:
        _fail(e)


def main():  # pragma: no cover - console entry point
    cli()
