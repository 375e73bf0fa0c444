"""`kg query`: run a SPARQL query on the built store and print the answer.

By default a SELECT is shown as a table and a CONSTRUCT or DESCRIBE as Turtle; --format picks
a standard serialisation instead (SPARQL results for SELECT/ASK, RDF for graphs).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rdflib.namespace import NamespaceManager
from rdflib.term import Node
from rich.table import Table
from rich.text import Text

from kg.commands import console, exit_codes, namespace_manager, settings, show_term
from kg.errors import UsageError
from kg.store import Answer, run_query


class QueryFormat(enum.StrEnum):
    """The names of `kg.store.QUERY_FORMATS` (a test keeps the two equal)."""

    table = "table"
    json = "json"
    xml = "xml"
    csv = "csv"
    tsv = "tsv"
    turtle = "turtle"
    ntriples = "ntriples"
    nquads = "nquads"
    trig = "trig"
    jsonld = "jsonld"
    rdfxml = "rdfxml"


def query(
    sparql: Annotated[str | None, typer.Argument(help="The SPARQL query.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the query from this file.")
    ] = None,
    fmt: Annotated[
        QueryFormat | None,
        typer.Option("--format", help="Output format. Default: table (SELECT), turtle (graphs)."),
    ] = None,
    store: Annotated[Path | None, typer.Option(help="Store directory. Default: KG_STORE.")] = None,
    root: Annotated[Path | None, typer.Option(help="Project root. Default: cwd.")] = None,
) -> None:
    """Run a SPARQL query over all graphs of the store (our prefixes are predeclared)."""
    config = settings(root, store)
    with exit_codes():
        text = _query_text(sparql, file)
        answer = run_query(config.store, text, fmt.value if fmt else None)
        _show(answer, fmt)


def _query_text(sparql: str | None, file: Path | None) -> str:
    if (sparql is None) == (file is None):
        raise UsageError("give the query either as an argument or with --file, not both")
    if file is None:
        assert sparql is not None
        return sparql
    try:
        return file.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{file}: {error.strerror}") from error


def _show(answer: Answer, fmt: QueryFormat | None) -> None:
    """Print a serialisation as is; lay out the rest: Turtle, or a table if asked."""
    names = namespace_manager()
    if answer.body is not None:
        typer.echo(answer.body, nl=False)
    elif answer.boolean is not None:
        typer.echo("true" if answer.boolean else "false")
    elif answer.graph is not None and fmt is not QueryFormat.table:
        answer.graph.namespace_manager = names
        typer.echo(answer.graph.serialize(format="turtle"), nl=False)
    elif answer.graph is not None:
        triples = sorted(answer.graph, key=lambda triple: tuple(map(str, triple)))
        _print_table(("subject", "predicate", "object"), triples, names)
    else:
        _print_table(answer.variables, answer.rows, names)


def _print_table(
    header: Sequence[str], rows: Sequence[Sequence[Node | None]], names: NamespaceManager
) -> None:
    table = Table(*header, caption=f"{len(rows)} row(s)")
    for row in rows:
        table.add_row(*(Text(show_term(term, names)) for term in row))
    console().print(table)
