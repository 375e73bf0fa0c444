"""`kg validate --store-url`: validate what is live in a remote store, and find its drift.

pySHACL's own remote mode cannot be used (it crashes with rdflib 7.6, and its focus-node
queries do not finish on a real endpoint: remote-stores.md §4.4), so the live graphs the
release record lists are pulled with GSP GET, Skolem IRIs turned back into blank nodes, and
validated here with the live release's own shapes, as `kg build` validated them.

Drift is anything that makes the store differ from its release record: a graph missing or
with another count, staging graphs left by a failed swap. Not the content hash: engines
normalise literals as they store them (Oxigraph, embedded or server, keeps
`"1"^^xsd:nonNegativeInteger` as `"1"^^xsd:integer`), so what they give back never hashes to
the release's hash, though it means the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kg import formats
from kg.errors import UsageError
from kg.namespaces import SHAPES_GRAPH
from kg.release import Graphs, data_of
from kg.remote.client import GraphStore
from kg.remote.record import GENID, STAGING, ReleaseRecord, graph_sizes, read_record
from kg.store import read_quads
from kg.validate import ValidationReport, validate


@dataclass(frozen=True)
class LiveRelease:
    """What a remote store holds: its record, the graphs it lists, and how they drift."""

    record: ReleaseRecord
    graphs: Graphs
    drift: list[str]


def pull(store: GraphStore) -> LiveRelease:
    """Read the live release of `store` into memory and compare it with its record.

    Raises:
        UsageError: the store holds no release record (nothing was published to it).
        RemoteError: a request failed.
    """
    record = read_record(store)
    if record is None:
        raise UsageError(f"{store.location} holds no release record: publish one first")
    graphs: Graphs = {}
    drift: list[str] = []
    for name, count in record.triples.items():
        data = store.get_graph(name)
        if data is None:
            drift.append(f"<{name}> is missing")
            continue
        parsed = read_quads(data, formats.NTRIPLES).get(None, Graph())
        graph = graphs[URIRef(name)] = unskolemised(parsed)
        if len(graph) != count:
            drift.append(f"<{name}> holds {len(graph)} triples, the record says {count}")
    leftovers = sorted(name for name in graph_sizes(store) if name.startswith(STAGING))
    if leftovers:
        drift.append(f"{len(leftovers)} staging graph(s) left by a failed swap: <{leftovers[0]}>…")
    return LiveRelease(record, graphs, drift)


def validate_live(live: LiveRelease, shapes: Graph | None = None) -> ValidationReport:
    """Validate the live graphs against `shapes`, by default the live release's own.

    Raises:
        UsageError: no shapes given and none live.
    """
    if shapes is None:
        if SHAPES_GRAPH not in live.graphs:
            raise UsageError("the live release has no shapes graph: pass --shapes")
        shapes = Graph()  # a copy: pySHACL adds triples to the shapes graph it is given
        shapes += live.graphs[SHAPES_GRAPH]
    return validate(data_of(live.graphs), shapes)


def unskolemised(graph: Graph) -> Graph:
    """`graph` with our Skolem IRIs (`GENID`) back as the blank nodes they stood for."""
    out = Graph()
    for s, p, o in graph:
        out.add((_blank(s), p, _blank(o)))
    return out


def _blank(term: Node) -> Node:
    if isinstance(term, URIRef) and term.startswith(GENID):
        return BNode(term[len(GENID) :])
    return term
