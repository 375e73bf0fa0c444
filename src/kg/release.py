"""Making a release: the one path from source graphs to a published store.

`kg build` (the project's files), endpoint edits (`kg.updates`: the store's sources with the
edit applied), `kg load` into a release (the same, with the files added) and the test
fixtures all call `make` and then `write`:

    source graphs ─ kg.build.derive ─▶ published graphs ─ kg.validate ─▶ report
        ─ kg.describe, kg.dumps, kg.docs ─▶ description, dumps, docs ─ kg.store ─▶ store

Every derived graph (claims asserted, provenance, entailments, interpretations, the SHACL
report, the VoID/DCAT description) is computed from the sources alone, so nothing derived
before has to be subtracted, and after any release the report graph, the VoID counts, the dumps,
the pages and the content hash are those of its own state. The store keeps the sources
(`kg.layout.SOURCES`) beside what it publishes, so the next edit starts from them.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from kg import __version__, collector, docs, dumps, shacl_queries
from kg.build import content_hash, derive
from kg.canonical import remember_canonical
from kg.describe import describe
from kg.errors import NotConforming
from kg.layout import SOURCES, Manifest
from kg.namespaces import DESCRIPTION_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH, VALIDATION_GRAPH
from kg.store import Publish, read_quads, write_store
from kg.validate import Severity, ValidationReport, validate

Graphs = dict[URIRef, Graph]

NOT_PUBLISHED_DATA = (SHAPES_GRAPH, DESCRIPTION_GRAPH, VALIDATION_GRAPH)
"""The graphs that govern or describe the data rather than being it: never validated as data."""


@dataclass(frozen=True)
class Release:
    """A validated release, ready to be written as a store.

    Attributes:
        sources: the source graphs it was made from (kept in the store for the next edit).
        graphs: every published graph, the report and the description included.
        report: the SHACL report of its data (no sh:Violation; warnings may be there).
        publish: writes its dumps, docs and sources into a store directory.
        content_hash: `kg.build.content_hash` of `graphs`, computed once for the store's
            manifest, the archive's check and a remote release record.
    """

    version: str
    sources: Graphs
    graphs: Graphs
    report: ValidationReport
    publish: Publish
    content_hash: str


def data_of(graphs: Mapping[URIRef, Graph], into: Graph | None = None) -> Graph:
    """What the shapes validate: every graph but the shapes, the description and the report.

    The one definition, shared by `make` and `kg validate`, so both give the same verdict.

    Args:
        into: the graph to add them to (by default a new one).
    """
    data = Graph() if into is None else into
    for name, graph in graphs.items():
        if name not in NOT_PUBLISHED_DATA:
            data += graph
    return data


def check(
    sources: Mapping[URIRef, Graph], version: str = __version__, incremental: bool = False
) -> tuple[Graphs, ValidationReport]:
    """Derive the graphs of `sources` and validate them against the shapes among them.

    Args:
        incremental: validate only what changed since this process's last release
            (`kg.validate.validate`'s `incremental`): a server making one edit after another.
    """
    graphs = derive(sources, version)
    # Filled straight into a graph Oxigraph answers queries on, so validation copies nothing.
    data = data_of(graphs, shacl_queries.queryable_graph())
    return graphs, validate(data, graphs[SHAPES_GRAPH], incremental=incremental, in_place=True)


@collector.paused()
def make(
    sources: Mapping[URIRef, Graph],
    version: str,
    base_iri: str,
    docs_from: Path | None = None,
) -> Release:
    """The release of `sources`: derived, validated, described, with its files rendered.

    Args:
        sources: the source graphs (`kg.build.source_graphs` of a project, or a store's).
        version: the package version the release carries.
        base_iri: where the description's IRIs live (`Settings.base_iri`).
        docs_from: a store whose docs still fit (same ontology and shapes): copied instead of
            rendered again (pyLODE and the canonical serialisations take seconds).

    Raises:
        NotConforming: the data violates the shapes (the report is attached); nothing is made.
    """
    graphs, report = check(sources, version, incremental=True)
    if not report.conforms_at(Severity.VIOLATION):
        raise NotConforming(report, "the data breaks the shapes: nothing was written")
    data = {**graphs, VALIDATION_GRAPH: report.graph}
    files = dumps.render(data, version)
    description = describe(data, version, dumps.dataset_hash(files), base_iri, files)
    old_docs = docs_from / docs.DIRECTORY if docs_from is not None else None
    pages = None
    if old_docs is None or not old_docs.is_dir():
        pages = docs.documents(data[ONTOLOGY_GRAPH], data[SHAPES_GRAPH])
    kept = dict(sorted(sources.items()))
    source_file = dumps.gzipped_nquads(kept)

    def publish(directory: Path) -> None:
        dumps.write(files, description, directory / dumps.DIRECTORY)
        if pages is not None:
            docs.write(pages, directory)
        elif old_docs is not None:
            shutil.copytree(old_docs, directory / docs.DIRECTORY)
        (directory / SOURCES).write_bytes(source_file)

    published = {**data, DESCRIPTION_GRAPH: description}
    graphs_out = dict(sorted(published.items()))
    return Release(version, kept, graphs_out, report, publish, content_hash(graphs_out))


def write(release: Release, store: Path, loaded: Sequence[dict[str, str]] = ()) -> Manifest:
    """Write `release` as the store at `store`, swapped in whole (`kg.store.write_store`).

    The caller holds the store's write lock (`kg.lock.write_lock`).

    Args:
        loaded: the manifest's records of files `kg load` added to the release's sources.
    """
    return write_store(
        release.graphs, store, release.version, release.publish, loaded, release.content_hash
    )


def read_sources(store: Path) -> Graphs | None:
    """The source graphs the store's release was made from; None if it keeps none (a store
    `kg load` made, or one written before stores kept their sources)."""
    try:
        data = (store / SOURCES).read_bytes()
    except OSError:
        return None
    return named_graphs(read_quads(gzip.decompress(data)))


def named_graphs(parsed: Mapping[URIRef | None, Graph]) -> Graphs:
    """The named graphs of a file a release wrote, in IRI order, each known to be canonical
    (`kg.build.remember_canonical`) so that only what an edit changes is relabelled."""
    graphs: Graphs = {}
    for name in sorted(n for n in parsed if n is not None):
        remember_canonical(parsed[name])
        graphs[name] = parsed[name]
    return graphs
