"""Edits of a built store, each one transaction: SPARQL 1.1 Update
(https://www.w3.org/TR/sparql11-update/) and the writes of the Graph Store Protocol
(https://www.w3.org/TR/sparql11-http-rdf-update/#http-put and the sections after it).

An edit never touches the store in place. Under the store's write lock (`kg.lock`, which
`kg build` and `kg load` take too) it reads the release's published graphs, applies the edit to
them in memory, carries what the edit added to and removed from each graph over to the release's
source graphs (`kg.layout.SOURCES`), and makes the release again from those sources
(`kg.release.make`: derived graphs, validation, report, description, dumps). Only if no
sh:Violation is found is the new store written, swapped in whole: the query worker reopens it
when its manifest changes. A failure anywhere, a violation included, leaves the store as it was.

The published graphs are read from the N-Quads dump the release publishes with the store, not
from Oxigraph: Oxigraph stores integers of a derived datatype (xsd:positiveInteger...) as
xsd:integer, which the shapes then reject. A store with no sources or no dump (one `kg load`
made from nothing) cannot be edited.

The engine is rdflib's: a WHERE clause reads the union of the published named graphs, as queries
on /sparql do. INSERT DATA, DELETE DATA and the Graph Store writes need no engine: they are
applied to the graphs' triples (`GraphsEdit`). Updates are parsed through `kg.sparql_grammar`,
one at a time, since rdflib's parser breaks when two threads use it at once.

Which graphs an edit may change: the ontology, the study and the linksets (the release's
sources; the ontology and the study may not be emptied) and graphs outside `kg.namespaces.GRAPH`.
The entailments, the interpretations, the shapes, the description and the report are derived
or govern the edit itself; the default graph is the union of the named graphs. Deleting a claim
retracts the triple it asserts; deleting only the asserted triple does nothing, since the claim
asserts it again.
"""

from __future__ import annotations

import gzip
import hashlib
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kg import collector, dumps, release
from kg.build import LINKS
from kg.config import Settings
from kg.errors import KGError, NotConforming, QueryError, SourceError, UsageError
from kg.layout import Manifest, read_manifest
from kg.lock import LOCK_WAIT, write_lock
from kg.namespaces import (
    DESCRIPTION_GRAPH,
    ENTAILMENT_GRAPH,
    GRAPH,
    INTERPRETATION_GRAPH,
    ONTOLOGY_GRAPH,
    SHAPES_GRAPH,
    STUDY_GRAPH,
    VALIDATION_GRAPH,
)
from kg.sources import parse_rdf
from kg.store import Progress, load_records, parse_quads, read_file
from kg.validate import learn

Graphs = dict[URIRef, Graph]
RENEWED = (DESCRIPTION_GRAPH, VALIDATION_GRAPH)
"""Graphs every release writes anew (its own description and report): an edit that changed
nothing else has changed nothing."""
Triples = frozenset[tuple[Node, Node, Node]]
"""A graph's triples, as an edit compares them."""


@dataclass(frozen=True)
class GraphsEdit:
    """An edit worked out on the graphs' triples, with no Dataset: INSERT DATA, DELETE DATA,
    a Graph Store PUT, POST or DELETE, which is most edits. Filling an rdflib Dataset with the
    whole release for rdflib's update engine costs ~0.1 s of an edit; these need none of it.

    Attributes:
        change: the graphs after the edit, from the graphs before it; raises a KGError to
            refuse.
    """

    change: Callable[[Mapping[URIRef, Triples]], dict[URIRef, Triples]]


Edit = Callable[[Dataset], None] | GraphsEdit
"""Changes the graphs of a release: loaded as a Dataset (a SPARQL Update with a WHERE, `kg
load`), or as triples (`GraphsEdit`); raises a KGError to refuse."""
Writer = Callable[[release.Release, Path, Sequence[dict[str, str]]], Manifest]
"""Writes a release made by an edit as the store: (release, store, loaded records)."""

DUMP = Path(dumps.NQUADS_PATH)
"""The build's N-Quads dump, relative to the store: every graph but the description."""
KEPT = (ONTOLOGY_GRAPH, STUDY_GRAPH)
READ_ONLY = {
    ENTAILMENT_GRAPH: "derived by the build from the ontology, the study and the linksets",
    INTERPRETATION_GRAPH: "derived by the build from the study's interpretation claims",
    SHAPES_GRAPH: "the shapes every edit is validated against: edit shapes/ and rebuild",
    DESCRIPTION_GRAPH: "the description of the release, written with it",
    VALIDATION_GRAPH: "the SHACL report of the release, written with it",
}
DEFAULT_GRAPH = "the default graph is the union of the named graphs: name the graph to write"


class ReadOnlyGraphError(KGError):
    """The edit would change a graph that no edit may change (see the module's docstring)."""


class GraphNotFoundError(KGError):
    """The graph the edit names does not exist."""


class NotEditableError(KGError):
    """The store cannot be edited: it has no dump of its graphs, or the dump is not its own."""


@dataclass(frozen=True)
class Outcome:
    """What an edit did: the store's manifest afterwards, and the graphs it changed.

    Attributes:
        existed: the named graphs of the release the edit started from.
    """

    manifest: Manifest
    changed: frozenset[URIRef]
    existed: frozenset[URIRef]


def put_graph(name: URIRef | None, content: Graph, merge: bool = False) -> Edit:
    """Replace the graph `name` by `content` (PUT), or add `content` to it (POST).

    Raises:
        ReadOnlyGraphError: `name` is None, the default graph.
    """
    if name is None:
        raise ReadOnlyGraphError(DEFAULT_GRAPH)

    def change(graphs: Mapping[URIRef, Triples]) -> dict[URIRef, Triples]:
        kept = graphs.get(name, frozenset()) if merge else frozenset()
        return {**graphs, name: kept | frozenset(content)}

    return GraphsEdit(change)


def delete_graph(name: URIRef | None) -> Edit:
    """Remove the graph `name` (DELETE); GraphNotFoundError, when applied, if it does not exist.

    Raises:
        ReadOnlyGraphError: `name` is None, the default graph.
    """
    if name is None:
        raise ReadOnlyGraphError(DEFAULT_GRAPH)

    def change(graphs: Mapping[URIRef, Triples]) -> dict[URIRef, Triples]:
        if name not in graphs:
            raise GraphNotFoundError(f"there is no graph <{name}>")
        return {other: triples for other, triples in graphs.items() if other != name}

    return GraphsEdit(change)


def parse_graph(data: bytes, suffix: str) -> Graph:
    """Parse a request body in the syntax of the file suffix `suffix` (`kg.sources`'s table).

    Raises:
        SourceError: the body is not well-formed; it names the line and column in the body.
    """
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"body{suffix}"
        path.write_bytes(data)
        try:
            graph = parse_rdf(path)
        except SourceError as error:
            raise SourceError("request body", error.detail, error.line, error.column) from error
    # The parser resolved relative IRIs against the file: there is no base to resolve them by.
    here = Path(directory).as_uri()
    if any(isinstance(term, URIRef) and term.startswith(here) for t in graph for term in t):
        raise SourceError("request body", "a relative IRI has no base here: write absolute IRIs")
    return graph


def edit_store(store: Path, edit: Edit, base_iri: str, wait: float = LOCK_WAIT) -> Outcome:
    """Apply `edit` to the store's graphs and write the result, if it conforms, as a new store.

    Args:
        store: the store directory.
        edit: the change (`run_update`, `put_graph`, `delete_graph`).
        base_iri: where the release description's IRIs live (`Settings.base_iri`).
        wait: seconds to wait for the store's write lock.

    Raises:
        NotConforming: the edited graphs violate the shapes; carries the report.
        ReadOnlyGraphError, GraphNotFoundError, QueryError: the edit is refused.
        NotEditableError, StoreBusyError: the store cannot be edited now, or at all.
    """
    with write_lock(store, "an edit through the endpoint", wait):
        return apply_edit(store, edit, base_iri)


def edit_served_store(settings: Settings, edit: Edit, wait: float = LOCK_WAIT) -> Outcome:
    """`edit_store` on the store `kg serve` serves: with a remote store (KG_STORE_URL), the new
    release is published there before the local store is written (`kg.remote.publish`).

    The remote goes first because it is what queries answer from and what other publishers
    check against: when it refuses (another release went live meanwhile, it is unreachable, a
    swap failed and changed nothing) nothing changed anywhere, and the local store still holds
    what is live. The other order would leave the pages, dumps and the next edit's base ahead of
    what queries see. The publish is based on the local store's release, so an edit made on a
    release that is no longer live is refused (`StaleReleaseError`).

    Raises:
        as `edit_store`; and `StaleReleaseError`, `RemoteError`, `SwapStateUnknownError`
        (`kg.remote.publish.publish`).
    """
    if not settings.store_url:
        return edit_store(settings.store, edit, settings.base_iri, wait)
    from kg.remote.client import RemoteStore
    from kg.remote.publish import publish

    with write_lock(settings.store, "an edit through the endpoint", wait):
        based_on = read_manifest(settings.store).content_hash
        with RemoteStore.of(settings) as remote:

            def write(
                made: release.Release, store: Path, loaded: Sequence[dict[str, str]]
            ) -> Manifest:
                return publish(made, remote, store, based_on, loaded)

            return apply_edit(settings.store, edit, settings.base_iri, write=write)


def prepare_edits(store: Path, base_iri: str) -> bool:
    """Make the store's release once in memory, so that the first edit starts warm.

    An edit validates only the shapes its change can affect, starting from the last validation
    this process made (`kg.validate.validate`'s `incremental`), and renders again only the
    graphs it changed (`kg.canonical`, `kg.jsonld` keep the rest); a server that has made no
    release yet would pay for all of it on its first edit. `kg serve` calls this at start-up
    when edits are enabled. It takes no lock and writes nothing: what it keeps holds for the
    release it read, whatever is published meanwhile, and an edit starts from it all the same.

    Returns:
        False when the store keeps no sources (it cannot be edited): nothing was made.
    """
    sources = release.read_sources(store)
    if sources is None:
        return False
    made = release.make(sources, read_manifest(store).version, base_iri, docs_from=store)
    learn(made.graphs[SHAPES_GRAPH])
    return True


@collector.paused()
def apply_edit(
    store: Path,
    edit: Edit,
    base_iri: str,
    loaded: Sequence[dict[str, str]] = (),
    write: Writer = release.write,
) -> Outcome:
    """`edit_store` for a caller that already holds the store's write lock (`kg load`).

    Args:
        loaded: records of files the edit loads (`kg.store.load_records`), added to the
            manifest's list.
        write: writes the new release (`kg.release.write`; `edit_served_store` publishes
            it to a remote store first).
    """
    manifest = read_manifest(store)
    sources = release.read_sources(store)
    if sources is None:
        raise NotEditableError(f"{store} keeps no sources of its release: build it with `kg build`")
    before = read_graphs(store, manifest)
    after = _edited(before, edit)
    changed = _changed(before, after)
    check_writable(changed, after)
    check_terms(changed, after)
    edited = carried_over(sources, before, after, changed)
    if not _changed(
        {n: _triples(sources[n]) for n in changed if n in sources},
        {n: _triples(edited[n]) for n in changed if n in edited},
    ):
        # nothing, or only triples that the claims assert again
        return Outcome(manifest, frozenset(), frozenset(before))
    docs_from = store if not {ONTOLOGY_GRAPH, SHAPES_GRAPH} & changed else None
    try:
        made = release.make(edited, manifest.version, base_iri, docs_from)
    except NotConforming as error:
        message = "the edit breaks the shapes: nothing was written"
        raise NotConforming(error.report, message) from None
    written = write(made, store, [*manifest.loaded, *loaded])
    published = {n: frozenset(g) for n, g in made.graphs.items() if n not in RENEWED}
    return Outcome(written, _changed(_without(before, RENEWED), published), frozenset(before))


def load_into_release(
    files: Sequence[Path],
    store: Path,
    graph: str | None,
    base_iri: str,
    progress: Progress | None = None,
) -> Manifest:
    """`kg load` into a store that keeps its release's sources: an edit that adds the files.

    The files' triples join the release's sources, so the store stays servable and editable,
    its derived graphs, report, description and dumps are made again, and the next edits keep
    what was loaded (a `kg build` starts again from the project's files). The caller holds the
    store's write lock. Every file is parsed before anything is changed.

    Args:
        graph: the graph the files' triples go to (a quad's own graph is kept); required, since
            a release's default graph is the union of its named graphs.

    Raises:
        UsageError: no `graph`, or one that no edit may change.
        SourceError: a file does not parse (names file, line and column).
        NotConforming: the loaded triples break the shapes: nothing was loaded.
    """
    report: Progress = progress or (lambda _stage, _path: None)
    if graph is None:
        raise UsageError(
            f"{store} holds a release, whose default graph is the union of its named graphs:"
            " name the graph to load into with --graph"
        )
    target = URIRef(graph)
    content: dict[URIRef, Graph] = {}
    for path in files:
        for name, parsed in read_file(path).items():
            into = content.setdefault(name or target, Graph())
            into += parsed
        report("checked", path)

    def edit(dataset: Dataset) -> None:
        for name, triples in content.items():
            into = dataset.graph(name)
            into += triples

    try:
        outcome = apply_edit(store, edit, base_iri, load_records(files, graph))
    except ReadOnlyGraphError as error:
        raise UsageError(f"cannot load into <{target}>: {error}") from error
    for path in files:
        report("loaded", path)
    return outcome.manifest


def carried_over(
    sources: Mapping[URIRef, Graph],
    before: Mapping[URIRef, Graph | Triples],
    after: Mapping[URIRef, Graph | Triples],
    changed: frozenset[URIRef],
) -> Graphs:
    """The source graphs with what the edit added to and removed from each graph it changed.

    A triple the edit removed goes from the graph's source if it is there (a derived triple,
    say the one a claim asserts, is not, and is derived again); a triple it added joins the
    source; a graph it removed is removed. `sources` is left as it was.
    """
    edited = dict(sources)
    for name in changed:
        if name not in after:
            edited.pop(name, None)
            continue
        old, new = _triples(before.get(name, frozenset())), _triples(after[name])
        removed, added = old - new, new - old
        source = Graph(identifier=name)
        source.addN((*t, source) for t in sources.get(name, ()) if t not in removed)
        source.addN((*t, source) for t in added)
        edited[name] = source
    return dict(sorted(edited.items()))


def check_writable(changed: frozenset[URIRef], after: Mapping[URIRef, Triples]) -> None:
    """Refuse changes to derived graphs and the emptying of the ontology or the study.

    Raises:
        ReadOnlyGraphError: naming the first graph refused.
    """
    for name in sorted(changed):
        if name in READ_ONLY:
            raise ReadOnlyGraphError(f"<{name}> cannot be edited: it is {READ_ONLY[name]}")
        if name.startswith(GRAPH) and name not in KEPT and not name.startswith(LINKS):
            raise ReadOnlyGraphError(f"<{name}> cannot be edited: {GRAPH} names the build's graphs")
        if name in KEPT and not len(after.get(name, ())):
            raise ReadOnlyGraphError(f"<{name}> can be edited but not emptied or removed")


def check_terms(changed: frozenset[URIRef], after: Mapping[URIRef, Triples]) -> None:
    """Refuse triples that are not RDF (a variable, a literal subject), which rdflib's update
    engine lets through: https://www.w3.org/TR/rdf11-concepts/#section-triples.

    Raises:
        QueryError: naming the first such triple.
    """
    for name in sorted(changed):
        for s, p, o in after.get(name, ()):
            if not (isinstance(s, URIRef | BNode) and isinstance(p, URIRef)) or isinstance(
                o, Variable
            ):
                triple = " ".join(term.n3() for term in (s, p, o))
                raise QueryError(f"<{name}> would hold {triple}, which is not an RDF triple")


def read_graphs(store: Path, manifest: Manifest) -> dict[URIRef, Triples]:
    """The triples of each of the release's graphs as the build made them, from its N-Quads
    dump, checked against the manifest; graphs the manifest lists as empty are there too.

    Sets rather than rdflib graphs: an edit compares them and copies them into its Dataset,
    and a set is many times cheaper to build than a graph.

    Raises:
        NotEditableError: there is no dump, or it is not the one the manifest lists.
    """
    digest = manifest.files.get(DUMP.as_posix())
    try:
        data = (store / DUMP).read_bytes()
    except OSError:
        data = b""
    if digest is None or hashlib.sha256(data).hexdigest() != digest:
        raise NotEditableError(
            f"{store} has no dump of its graphs ({DUMP}): build it with `kg build`"
        )
    graphs: dict[URIRef, set[tuple[Node, Node, Node]]] = {}
    for s, p, o, graph in parse_quads(gzip.decompress(data)):
        if graph is not None:
            graphs.setdefault(graph, set()).add((s, p, o))
    for name, count in manifest.triples.items():
        if count == 0 and ":" in name:
            graphs.setdefault(URIRef(name), set())
    return {name: frozenset(graphs[name]) for name in sorted(graphs)}


def _edited(before: dict[URIRef, Triples], edit: Edit) -> dict[URIRef, Triples]:
    """The graphs after `edit`: worked out on their triples, or on a Dataset filled with them."""
    if isinstance(edit, GraphsEdit):
        return edit.change(before)
    dataset = Dataset(default_union=True)
    for name, triples in before.items():
        graph = dataset.graph(name)
        dataset.addN((s, p, o, graph) for s, p, o in triples)
    edit(dataset)
    if len(dataset.default_graph):
        raise ReadOnlyGraphError(DEFAULT_GRAPH)
    return _named_graphs(dataset)


def _named_graphs(dataset: Dataset) -> dict[URIRef, Triples]:
    return {
        graph.identifier: frozenset(graph)
        for graph in dataset.graphs()
        if isinstance(graph.identifier, URIRef) and graph.identifier != DATASET_DEFAULT_GRAPH_ID
    }


def _changed(
    before: Mapping[URIRef, Triples], after: Mapping[URIRef, Triples]
) -> frozenset[URIRef]:
    """The graphs added, removed, or whose triples differ."""
    return frozenset(n for n in {*before, *after} if before.get(n) != after.get(n))


def _triples(graph: Graph | Triples) -> Triples:
    return graph if isinstance(graph, frozenset) else frozenset(graph)


def _without(graphs: Mapping[URIRef, Triples], names: tuple[URIRef, ...]) -> dict[URIRef, Triples]:
    return {name: graph for name, graph in graphs.items() if name not in names}
