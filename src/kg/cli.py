"""The `kg` command: build | load | query | serve | stats | validate, a module each in kg.commands.

This module only assembles the Typer app; exit codes are defined in kg.commands.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kg import __version__
from kg.commands.build import build
from kg.commands.links import app as links_app
from kg.commands.load import load
from kg.commands.query import query
from kg.commands.serve import serve
from kg.commands.stats import stats
from kg.commands.validate import validate

app = typer.Typer(
    name="kg",
    help="Build, validate and query the Partage knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(build)
app.command()(load)
app.command()(query)
app.command()(serve)
app.command()(stats)
app.command()(validate)
app.add_typer(links_app)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Build, validate and query the Partage knowledge graph."""
