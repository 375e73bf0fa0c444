"""Publishing a release to a remote store: staged whole, counts checked, swapped in one update.

    release ─ stage: every graph into `urn:partage:staging:<hash>:<graph>` (one N-Quads request
              where the engine takes one, so a blank node two graphs share stays one; else
              skolemised, graph by graph), triples counted against the release
            ─ swap: one SPARQL Update: MOVE each staging graph to its live name, DROP the last
              release's graphs this one no longer has, rewrite the release record
            ─ verify: the live record and counts are the new release's

A publish states the release it is based on (`based_on`: the content hash live when it
started, or None for a store with no release): if another one is live by the time it swaps, it
is refused (`StaleReleaseError`) before anything live changes.

On an engine whose updates are atomic (Oxigraph, the embedded store) a failed swap changes
nothing and the staging graphs are dropped. On one whose updates are not (Virtuoso), a failed or
partial swap raises `SwapStateUnknownError`: live graphs may mix two releases, so the staging graphs
are kept for whoever finishes the swap (publishing the same release again) or rolls it back
(publishing the previous one, which the local store still holds). Staging graphs are never in an
answer of ours: queries name their dataset, and staging names are not release graphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kg import release as releases
from kg.errors import KGError, UsageError
from kg.layout import SNAPSHOT, Manifest, read_manifest
from kg.remote.client import GraphStore, RemoteError
from kg.remote.record import (
    GENID,
    STAGING,
    ReleaseRecord,
    graph_sizes,
    read_record,
    staging_name,
)
from kg.store import read_quads


class StaleReleaseError(UsageError):
    """The remote store holds another release than the one this publish was based on."""


class SwapStateUnknownError(KGError):
    """A swap failed part-way on an engine without atomic updates: live may mix two releases.

    Attributes:
        record: the release that was being published.
        staging: the staging graphs kept, by live graph.
        problems: what the store showed after the failure.
    """

    def __init__(
        self, location: str, record: ReleaseRecord, staging: Mapping[str, str], problems: list[str]
    ) -> None:
        self.record = record
        self.staging = dict(staging)
        self.problems = problems
        super().__init__(
            f"state unknown: the swap to release {record.label} on {location} failed part-way,"
            " and this engine's updates are not atomic: live graphs may mix two releases ("
            + "; ".join(problems)
            + f"). Staging graphs not yet moved ({STAGING}{record.content_hash[:16]}:…) are"
            " kept."
        )


@dataclass(frozen=True)
class Content:
    """What a publish sends: a release's graphs, version and content hash."""

    version: str
    content_hash: str
    graphs: Mapping[URIRef, Graph]

    @classmethod
    def of_release(cls, made: releases.Release) -> Content:
        return cls(made.version, made.content_hash, made.graphs)

    @classmethod
    def of_store(cls, store: Path) -> Content:
        """The release a local store directory holds, from its snapshot and manifest.

        Raises:
            UsageError: `store` is not a store, or holds files `kg load` added without a
                release (no content hash to publish under).
        """
        manifest: Manifest = read_manifest(store)
        if manifest.content_hash is None:
            raise UsageError(f"{store} holds no release (kg load made it): nothing to publish")
        parsed = read_quads((store / SNAPSHOT).read_bytes())
        graphs = {name: graph for name, graph in parsed.items() if name is not None}
        return cls(manifest.version, manifest.content_hash, graphs)

    @property
    def record(self) -> ReleaseRecord:
        triples = {str(name): len(graph) for name, graph in self.graphs.items() if len(graph)}
        return ReleaseRecord(self.version, self.content_hash, dict(sorted(triples.items())))


@dataclass(frozen=True)
class Staged:
    """A release loaded into staging graphs whose counts were checked: ready to swap."""

    record: ReleaseRecord
    staging: Mapping[str, str]
    """Staging graph by live graph, for every graph that holds triples."""


def publish(
    made: releases.Release,
    store: GraphStore,
    store_dir: Path,
    based_on: str | None,
    loaded: Sequence[dict[str, str]] = (),
) -> Manifest:
    """Publish `made` to `store`, then write it as the local store at `store_dir`.

    The remote goes first: if it refuses, the local store keeps the release that is still live
    there. The caller holds `kg.lock.write_lock(store_dir)`.

    Args:
        based_on: the content hash of the release the publisher started from (None: none).
        loaded: the manifest's records of files `kg load` added (`kg.release.write`).

    Raises:
        StaleReleaseError: another release than `based_on` is live.
        RemoteError: the store refused a request; nothing live changed.
        SwapStateUnknownError: see the module's docstring.
    """
    publish_content(Content.of_release(made), store, based_on)
    return releases.write(made, store_dir, loaded)


def publish_content(content: Content, store: GraphStore, based_on: str | None) -> ReleaseRecord:
    """Stage, swap and verify `content` (`publish` without the local store)."""
    check_fresh(store, based_on)
    swap(stage(content, store), store, based_on)
    return content.record


def check_fresh(store: GraphStore, based_on: str | None) -> ReleaseRecord | None:
    """The live record, if it is the release `based_on` names.

    Raises:
        StaleReleaseError: it is not.
    """
    live = read_record(store)
    if (live.content_hash if live else None) != based_on:
        now = live.label if live else "no release"
        then = based_on[:12] if based_on else "no release"
        raise StaleReleaseError(
            f"{store.location} holds {now}, not {then} that this publish started from:"
            " someone published meanwhile; start again from what is live"
        )
    return live


def stage(content: Content, store: GraphStore) -> Staged:
    """Load `content` into staging graphs and check every graph's count.

    Raises:
        RemoteError: a request failed or a count differs (the staging graphs are dropped).
    """
    record = content.record
    staging = {name: staging_name(content.content_hash, name) for name in record.triples}
    graphs = {name: graph for name, graph in content.graphs.items() if len(graph)}
    try:
        if store.capabilities.nquads_load:
            drop(store, staging.values())  # a POST adds: clear what a failed run left
            store.post_quads(b"".join(_nquads(g, staging[str(n)]) for n, g in graphs.items()))
        else:
            for name, graph in graphs.items():
                store.put_graph(staging[str(name)], _ntriples(skolemised(graph)))
        sizes = graph_sizes(store)
        wrong = [
            f"<{name}> {sizes.get(staging[name], 0)} of {count}"
            for name, count in record.triples.items()
            if sizes.get(staging[name], 0) != count
        ]
        if wrong:
            raise RemoteError(f"{store.location} staged the wrong counts: {', '.join(wrong)}")
    except RemoteError:
        drop(store, staging.values())
        raise
    return Staged(record, staging)


def swap(staged: Staged, store: GraphStore, based_on: str | None) -> None:
    """Move `staged` live and write its release record, in one update request.

    Raises:
        StaleReleaseError, RemoteError, SwapStateUnknownError: as `publish`.
    """
    live = check_fresh(store, based_on)
    gone = sorted(set(live.triples if live else ()) - set(staged.record.triples))
    operations = [f"DROP SILENT GRAPH <{name}>" for name in gone]
    operations += [f"MOVE GRAPH <{s}> TO GRAPH <{name}>" for name, s in staged.staging.items()]
    operations.append(staged.record.insert())
    failure: RemoteError | None = None
    try:
        store.update(" ;\n".join(operations))
    except RemoteError as error:
        failure = error
    problems = drift(store, staged.record)
    if not problems:
        return  # published (if the answer was lost, the store shows it was done)
    if store.capabilities.atomic_update or (live is not None and not drift(store, live)):
        drop(store, staged.staging.values())
        cause = f": {failure}" if failure else ""
        now = live.label if live else "no release"
        raise RemoteError(f"the swap failed and changed nothing; {now} is still live{cause}")
    if failure is not None:
        problems.append(f"the update failed: {failure}")
    raise SwapStateUnknownError(store.location, staged.record, staged.staging, problems)


def drift(store: GraphStore, expected: ReleaseRecord) -> list[str]:
    """How the store's live record and graph sizes differ from `expected` ([] if they don't)."""
    problems: list[str] = []
    live = read_record(store)
    if live != expected:
        problems.append(f"the release record names {live.label if live else 'no release'}")
    sizes = graph_sizes(store)
    problems += [
        f"<{name}> holds {sizes.get(name, 0)} triples, not {count}"
        for name, count in expected.triples.items()
        if sizes.get(name, 0) != count
    ]
    return problems


def drop(store: GraphStore, graphs: Iterable[str]) -> None:
    """Drop graphs in one request (`SILENT`: missing ones and Virtuoso's implicit ones)."""
    names = sorted(graphs)
    if names:
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in names))


def skolemised(graph: Graph) -> Graph:
    """`graph` with each blank node replaced by a Skolem IRI under `GENID` from its label, the
    same in every graph, so a blank node two graphs share is still one node once they are sent
    one by one."""
    out = Graph()
    for s, p, o in graph:
        out.add((_skolem(s), p, _skolem(o)))
    return out


def _skolem(term: Node) -> Node:
    return URIRef(GENID + str(term)) if isinstance(term, BNode) else term


def _ntriples(graph: Graph) -> bytes:
    return graph.serialize(format="nt", encoding="utf-8")


def _nquads(graph: Graph, name: str) -> bytes:
    """`graph` as N-Quads lines in the graph `name` (N-Triples lines end with " .\\n")."""
    suffix = f"<{name}> .\n".encode()
    lines = _ntriples(graph).splitlines(keepends=True)
    return b"".join(line[:-2] + suffix for line in lines if line.strip())
