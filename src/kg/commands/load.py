"""`kg load`: load RDF files into a store, all or nothing.

Every file is parsed before anything is written, so a batch with one bad file loads nothing and
the error names the file and line. Into a store that holds a release (`kg build` made it), the
files join the release's sources and the release is made again (`kg.updates.load_into_release`):
validated, its dumps and pages renewed, still editable. Into an empty directory or a store
`kg load` made, they are bulk-loaded into Oxigraph as they are (`kg.store.load_files`): no
shapes, no release, nothing to edit.

With --store-url (or KG_STORE_URL), the release the local store then holds is published to that
remote SPARQL store (`kg.remote.publish`); with no files, the local store's release is published
as it is, which is also how a remote store is rolled back to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from kg.commands import EXIT_INTERNAL, console, exit_codes, settings
from kg.config import Settings
from kg.errors import UsageError
from kg.layout import SOURCES, read_manifest
from kg.lock import write_lock
from kg.remote.client import RemoteError, RemoteStore
from kg.remote.options import STORE_URL_HELP, recovery, remote_settings
from kg.remote.publish import Content, SwapStateUnknownError, check_fresh, publish_content
from kg.remote.record import read_record
from kg.store import load_files
from kg.updates import load_into_release


def load(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="RDF files; the syntax comes from the suffix. None with --store-url: publish"
            " the store's release as it is (e.g. to roll a remote store back to it)."
        ),
    ] = None,
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
    store_url: Annotated[str | None, typer.Option(help=STORE_URL_HELP)] = None,
) -> None:
    """Load RDF files into the store; nothing is loaded if any file fails to parse."""
    config = settings(root, store)
    remote = remote_settings(config, store_url)
    if remote is not None:
        with exit_codes():
            _load_remote(files or [], graph, remote)
        return
    with exit_codes():
        if not files:
            raise UsageError("name the RDF files to load")
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


def _load_remote(files: list[Path], graph: str | None, config: Settings) -> None:
    """`kg load --store-url`: add files to the local store's release and publish it, or
    (no files) publish the local store's release as it is.

    A load starts from the local store's release, so it is refused if the remote store holds
    another one (`StaleReleaseError`). The local store is written first (the edit is made
    there, `kg.updates.load_into_release`): should the remote then refuse, the error says how
    to publish what the local store now holds.
    """
    with write_lock(config.store, "kg load"), RemoteStore.of(config) as remote:
        if not files:
            live = read_record(remote)
            based_on = live.content_hash if live else None
        else:
            if not (config.store / SOURCES).is_file():
                raise UsageError(f"{config.store} holds no release to load into: run kg build")
            based_on = read_manifest(config.store).content_hash
            check_fresh(remote, based_on)
            load_into_release(files, config.store, graph, config.base_iri)
        again = f"kg load --store-url {config.store_url} --store {config.store}"
        try:
            record = publish_content(Content.of_store(config.store), remote, based_on)
        except SwapStateUnknownError as error:
            typer.echo(recovery(error, config, again), err=True)
            raise typer.Exit(EXIT_INTERNAL) from None
        except RemoteError as error:
            if files:
                raise RemoteError(
                    f"{error}\n{config.store} holds the loaded release: {again}"
                ) from error
            raise
    console().print(
        f"published {record.label} to {config.store_url}: {sum(record.triples.values()):,} triples"
    )
