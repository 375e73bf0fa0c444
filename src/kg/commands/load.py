"""`kg load`: load RDF files into a store, all or nothing.

Every file is parsed before anything is written, so a batch with one bad file loads nothing and
the error names the file and line. Into a store that holds a release (`kg build` made it), the
files join the release's sources and the release is made again (`kg.updates.load_into_release`):
validated, its dumps and pages renewed, still editable. Into an empty directory or a store
`kg load` made, they are bulk-loaded into Oxigraph as they are (`kg.store.load_files`): no
shapes, no release, nothing to edit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from kg.commands import console, exit_codes, settings
from kg.layout import SOURCES
from kg.lock import write_lock
from kg.store import load_files
from kg.updates import load_into_release


def load(
    files: Annotated[
        list[Path], typer.Argument(help="RDF files; the syntax comes from the suffix.")
    ],
    store: Annotated[
        Path | None, typer.Option(help="Store directory, created if missing. Default: KG_STORE.")
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option(
            help="Named graph IRI for triples. Default: the default graph (not for a release)."
        ),
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
            if (config.store / SOURCES).is_file():
                manifest = load_into_release(files, config.store, graph, config.base_iri, advance)
            else:
                manifest = load_files(files, config.store, graph, advance)
    total = sum(manifest.triples.values())
    console().print(f"loaded {len(files)} file(s) into {config.store}: {total:,} triples in all")
