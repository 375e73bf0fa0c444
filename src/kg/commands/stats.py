"""`kg stats`: what the built store holds, graph by graph and class by class."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from kg.commands import console, exit_codes, namespace_manager, settings, show_term
from kg.layout import read_manifest
from kg.store import statistics


def stats(
    store: Annotated[Path | None, typer.Option(help="Store directory. Default: KG_STORE.")] = None,
    root: Annotated[Path | None, typer.Option(help="Project root. Default: cwd.")] = None,
) -> None:
    """Show triples per named graph and instances per class, most numerous first."""
    config = settings(root, store)
    with exit_codes():
        manifest = read_manifest(config.store)
        numbers = statistics(config.store)
    graphs = Table("graph", "triples", title="Triples per graph")
    graphs.columns[1].justify = "right"
    for name, count in numbers.triples.items():
        graphs.add_row(Text(name), f"{count:,}")
    graphs.add_section()
    graphs.add_row("total", f"{sum(numbers.triples.values()):,}")
    names = namespace_manager()
    classes = Table("class", "instances", title="Instances per class (asserted or entailed)")
    classes.columns[1].justify = "right"
    for cls, count in numbers.classes:
        classes.add_row(Text(show_term(cls, names)), f"{count:,}")
    out = console()
    out.print(f"store {config.store}, version {manifest.version}")
    out.print(graphs)
    out.print(classes)
