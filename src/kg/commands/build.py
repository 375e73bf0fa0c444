"""`kg build`: read the project and make a release of it (`kg.release`), then write the store.

The store is only written once validation passes, and is swapped in whole, so a failed build
(a parse error, a violation) leaves the previous store as it was. What the release publishes
with the store (dumps/: the dumps and the VoID/DCAT description; docs/: the ontology's page and
the vocabulary files; the sources an edit starts from) is written into the new store directory
before the swap, so it is swapped in with the store it was made from.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kg import __version__, release, releases
from kg.build import content_hash, source_graphs
from kg.commands import EXIT_NOT_CONFORMING, console, exit_codes, settings
from kg.errors import NotConforming
from kg.layout import Manifest, archive_of
from kg.lock import write_lock
from kg.report import render
from kg.sources import load_project
from kg.validate import ValidationReport


def build(
    store: Annotated[
        Path | None, typer.Option(help="Store directory. Default: KG_STORE or ROOT/.kg/store.")
    ] = None,
    root: Annotated[
        Path | None, typer.Option(help="Project root (ontology/, data/, shapes/). Default: cwd.")
    ] = None,
    publish_release: Annotated[
        bool,
        typer.Option(
            "--release",
            help="Also archive this version, immutable, in STORE.releases/ (kg.releases).",
        ),
    ] = False,
) -> None:
    """Build the store from ontology/, data/ and shapes/; exit 1 if the shapes are violated."""
    config = settings(root, store)
    with exit_codes():
        started = time.perf_counter()
        sources = load_project(config.root)
        try:
            made = release.make(source_graphs(sources), __version__, config.base_iri)
        except NotConforming as error:
            assert isinstance(error.report, ValidationReport)
            typer.echo(render(error.report, "text", sources=sources.files), nl=False)
            typer.echo("build failed: the store was not written", err=True)
            raise typer.Exit(EXIT_NOT_CONFORMING) from None
        with write_lock(config.store, "kg build"):
            if publish_release:  # refused before the store is touched, if it must be
                releases.check_archivable(config.store, made.version, content_hash(made.graphs))
            manifest = release.write(made, config.store)
            if publish_release:
                changelog = config.root / releases.CHANGELOG_FILE
                text = changelog.read_text(encoding="utf-8") if changelog.is_file() else None
                releases.archive(config.store, text)
        _summarise(manifest, config.store, time.perf_counter() - started)
        if publish_release:
            console().print(f"release {manifest.version} archived in {archive_of(config.store)}")


def _summarise(manifest: Manifest, store: Path, seconds: float) -> None:
    table = Table("graph", "triples", title=f"Built {store}")
    table.columns[1].justify = "right"
    for name, count in manifest.triples.items():
        table.add_row(name, f"{count:,}")
    table.add_section()
    table.add_row("total", f"{sum(manifest.triples.values()):,}")
    out = console()
    out.print(table)
    out.print(f"version {manifest.version}, content hash {manifest.content_hash}")
    out.print(f"built in {seconds:.2f} s")
