"""`kg build`: read the project and make a release of it (`kg.release`), then write the store.

The store is only written once validation passes, and is swapped in whole, so a failed build
(a parse error, a violation) leaves the previous store as it was. What the release publishes
with the store (dumps/: the dumps and the VoID/DCAT description; docs/: the ontology's page and
the vocabulary files; the sources an edit starts from) is written into the new store directory
before the swap, so it is swapped in with the store it was made from.

With --store-url (or KG_STORE_URL) the release is first published to that remote SPARQL store
(`kg.remote.publish`: staged, counted, swapped in one update with its release record), and the
local store is written only once it is live there, so the two hold the same release.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kg import __version__, release, releases
from kg.build import source_graphs
from kg.commands import EXIT_INTERNAL, EXIT_NOT_CONFORMING, console, exit_codes, settings
from kg.config import Settings
from kg.errors import NotConforming
from kg.layout import Manifest, archive_of
from kg.lock import write_lock
from kg.remote.client import RemoteStore
from kg.remote.options import STORE_URL_HELP, recovery, remote_settings
from kg.remote.publish import SwapStateUnknownError, publish
from kg.remote.record import read_record
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
    store_url: Annotated[str | None, typer.Option(help=STORE_URL_HELP)] = None,
) -> None:
    """Build the store from ontology/, data/ and shapes/; exit 1 if the shapes are violated."""
    config = settings(root, store)
    remote = remote_settings(config, store_url)
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
                releases.check_archivable(config.store, made.version, made.content_hash)
            if remote is None:
                manifest = release.write(made, config.store)
            else:
                manifest = _publish(made, remote)
            if publish_release:
                changelog = config.root / releases.CHANGELOG_FILE
                text = changelog.read_text(encoding="utf-8") if changelog.is_file() else None
                releases.archive(config.store, text)
        _summarise(manifest, config.store, time.perf_counter() - started)
        if publish_release:
            console().print(f"release {manifest.version} archived in {archive_of(config.store)}")


def _publish(made: release.Release, config: Settings) -> Manifest:
    """Publish `made` to the remote store, then write the local one (`kg.remote.publish`).

    The publish is based on the release live when it starts: a build replaces whatever is
    there, but not one that another publisher swaps in meanwhile.
    """
    with RemoteStore.of(config) as remote:
        live = read_record(remote)
        try:
            return publish(made, remote, config.store, live.content_hash if live else None)
        except SwapStateUnknownError as error:
            again = f"kg build --store-url {config.store_url} --store {config.store}"
            typer.echo(recovery(error, config, again), err=True)
            raise typer.Exit(EXIT_INTERNAL) from None


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
