"""`kg build`: read the project, assemble the graphs, validate them, write the store.

The store is only written once validation passes, and is swapped in whole, so a failed build
(a parse error, a violation) leaves the previous store as it was. What the build publishes
with the store (dumps/: the dumps and the VoID/DCAT description; docs/: the ontology's page and
the vocabulary files) is written into the new store directory before the swap, so it is swapped
in with the store it was made from.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rdflib import Graph, URIRef
from rich.table import Table

from kg import __version__, updates
from kg.build import assemble
from kg.commands import EXIT_NOT_CONFORMING, console, exit_codes, settings
from kg.config import Settings
from kg.namespaces import SHAPES_GRAPH, VALIDATION_GRAPH
from kg.report import render
from kg.sources import load_project
from kg.store import Manifest, Publish, write_lock, write_store
from kg.validate import Severity, ValidationReport, validate


def build(
    store: Annotated[
        Path | None, typer.Option(help="Store directory. Default: KG_STORE or ROOT/.kg/store.")
    ] = None,
    root: Annotated[
        Path | None, typer.Option(help="Project root (ontology/, data/, shapes/). Default: cwd.")
    ] = None,
) -> None:
    """Build the store from ontology/, data/ and shapes/; exit 1 if the shapes are violated."""
    config = settings(root, store)
    with exit_codes():
        started = time.perf_counter()
        sources = load_project(config.root)
        graphs = assemble(sources)
        shapes = Graph()  # a copy: pySHACL adds triples to the shapes graph it is given
        shapes += graphs[SHAPES_GRAPH]
        report = validate(_published(graphs), shapes)
        if not report.conforms_at(Severity.VIOLATION):
            typer.echo(render(report, "text", sources=sources.files), nl=False)
            typer.echo("build failed: the store was not written", err=True)
            raise typer.Exit(EXIT_NOT_CONFORMING)
        graphs, publish = publication(with_report(graphs, report), config)
        with write_lock(config.store, "kg build"):
            manifest = write_store(graphs, config.store, publish=publish)
        _summarise(manifest, config.store, time.perf_counter() - started)


def _published(graphs: dict[URIRef, Graph]) -> Graph:
    """Every graph but the shapes': what the store publishes, so what must conform.

    The same data `kg validate` checks, so both commands give the same verdict.
    """
    data = Graph()
    for name, graph in graphs.items():
        if name != SHAPES_GRAPH:
            data += graph
    return data


def with_report(graphs: dict[URIRef, Graph], report: ValidationReport) -> dict[URIRef, Graph]:
    """The graphs with the validation report as VALIDATION_GRAPH: conformance per resource.

    Its blank nodes are canonicalised by the content hash and the dumps, so the same sources
    still give the same release.
    """
    return {**graphs, VALIDATION_GRAPH: report.graph}


# --- Publication: description graph, dumps, docs ----------------------------------------------


def publication(
    graphs: dict[URIRef, Graph], config: Settings
) -> tuple[dict[URIRef, Graph], Publish]:
    """The graphs with the description added, and what writes the dumps and docs.

    The same publication an edit through the endpoint makes (`kg.updates.publication`), so a
    build and an update give the same release for the same graphs.
    """
    return updates.publication(graphs, __version__, config.base_iri)


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
