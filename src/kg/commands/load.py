"""`kg load`: bulk-load RDF files into a store, all or nothing.

Every file is parsed before anything is written, so a batch with one bad file loads nothing and
the error names the file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from kg.commands import console, exit_codes, settings
from kg.store import load_files, write_lock


def load(
    files: Annotated[
        list[Path], typer.Argument(help="RDF files; the syntax comes from the suffix.")
    ],
    store: Annotated[
        Path | None, typer.Option(help="Store directory, created if missing. Default: KG_STORE.")
    ] = None,
    graph: Annotated[
        str | None, typer.Option(help="Named graph IRI for triples. Default: the default graph.")
    ] = None,
    root: Annotated[Path | None, typer.Option(help="Project root. Default: cwd.")] = None,
) -> None:
    """Load RDF files into the store; nothing is loaded if any file fails to parse."""
    config = settings(root, store)
    with exit_codes(), Progress(console=console(stderr=True), transient=True) as progress:
        task = progress.add_task("checking", total=2 * len(files))

        def advance(stage: str, path: Path) -> None:
            progress.update(task, advance=1, description=f"{stage} {path.name}")

        with write_lock(config.store, "kg load"):
            manifest = load_files(files, config.store, graph, advance)
    total = sum(manifest.triples.values())
    console().print(f"loaded {len(files)} file(s) into {config.store}: {total:,} triples in all")
