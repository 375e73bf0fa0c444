"""The release record: which release a remote store holds, in a graph of its own.

`https://w3id.org/partage/graph/release-record` (`RECORD_GRAPH`) holds, about itself:

    <record> a void:Dataset ; owl:versionInfo "0.1.0" ; dcterms:identifier "<content hash>" ;
        dcterms:modified "<when it was published>"^^xsd:dateTime ;
        void:triples 123 ; void:subset <graph> … .
    <graph> void:triples 45 .

It is rewritten by the same update request that moves the staging graphs live, so on an engine
with atomic updates the record always names the data beside it. A graph of its own rather than
the VoID description (`DESCRIPTION_GRAPH`): the description is part of the release and its
content hash, so it cannot name that hash, and the record must stay small enough for one
`INSERT DATA` on every engine. No blank nodes: Virtuoso refuses them in `INSERT DATA`.

Also here: the names of the store's private graphs, which never collide with a release's.
`urn:` names are never dereferenced, and `STRSTARTS` finds leftovers.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from kg.namespaces import BASE, GRAPH, VOID
from kg.remote.client import GraphStore, RemoteError

RECORD_GRAPH = GRAPH["release-record"]
NO_GRAPH = "urn:partage:no-graph"
"""A graph never written: the dataset of a query whose default graph or named graphs are
empty, since a protocol request naming no graph would get the engine's own default."""
STAGING = "urn:partage:staging:"
"""Prefix of staging graphs: `urn:partage:staging:<content hash, 16 digits>:<live graph IRI>`."""
GENID = BASE + ".well-known/genid/"
"""Skolem IRIs for blank nodes sent graph by graph (RDF 1.1 Concepts §3.5,
https://www.w3.org/TR/rdf11-concepts/#section-skolemization); turned back into blank nodes
when the graphs are read back (`kg.remote.check`)."""


@dataclass(frozen=True)
class ReleaseRecord:
    """A release as a remote store knows it: version, content hash, triples per graph.

    Attributes:
        triples: the release's graphs that hold triples (an empty graph does not exist in a
            quad store), by IRI.
        modified: when it was published (POSIX seconds), or None for a record written before
            records had one. `kg serve` gives it as Last-Modified, so replicas loaded from one
            dump agree; not compared, since engines may write a dateTime back otherwise.
    """

    version: str
    content_hash: str
    triples: Mapping[str, int]
    modified: float | None = field(default_factory=lambda: float(int(time.time())), compare=False)

    @property
    def label(self) -> str:
        """How messages name the release."""
        return f"{self.version} ({self.content_hash[:12]})"

    def insert(self) -> str:
        """The update operations that replace the live record with this one."""
        record = URIRef(RECORD_GRAPH).n3()
        lines = [
            f"{record} {RDF.type.n3()} {VOID.Dataset.n3()}",
            f"{record} {OWL.versionInfo.n3()} {Literal(self.version).n3()}",
            f"{record} {DCTERMS.identifier.n3()} {Literal(self.content_hash).n3()}",
            f"{record} {VOID.triples.n3()} {_integer(sum(self.triples.values()))}",
        ]
        if self.modified is not None:
            lines.append(f"{record} {DCTERMS.modified.n3()} {_date_time(self.modified)}")
        for name, count in sorted(self.triples.items()):
            graph = URIRef(name).n3()
            lines.append(f"{record} {VOID.subset.n3()} {graph}")
            lines.append(f"{graph} {VOID.triples.n3()} {_integer(count)}")
        body = " .\n".join(lines)
        return f"DROP SILENT GRAPH {record} ;\nINSERT DATA {{ GRAPH {record} {{\n{body} .\n}} }}"


def read_record(store: GraphStore) -> ReleaseRecord | None:
    """The release record live in `store`; None if it holds none.

    Raises:
        RemoteError: the record is there but not one we wrote (two versions, a count that is
            not a number).
    """
    record = URIRef(RECORD_GRAPH).n3()
    heads = store.select(
        f"SELECT ?version ?hash ?modified WHERE {{ GRAPH {record} {{ {record} "
        f"{OWL.versionInfo.n3()} ?version ; {DCTERMS.identifier.n3()} ?hash "
        f"OPTIONAL {{ {record} {DCTERMS.modified.n3()} ?modified }} }} }}"
    )
    if not heads:
        return None
    if len(heads) > 1:
        raise RemoteError(f"{store.location}: the release record names {len(heads)} releases")
    subsets = store.select(
        f"SELECT ?graph ?n WHERE {{ GRAPH {record} {{ {record} {VOID.subset.n3()} ?graph . "
        f"?graph {VOID.triples.n3()} ?n }} }}"
    )
    try:
        triples = {row["graph"]: int(row["n"]) for row in subsets}
    except (KeyError, ValueError) as error:
        raise RemoteError(f"{store.location}: the release record is malformed: {error}") from error
    head = heads[0]
    modified = _seconds(head["modified"]) if "modified" in head else None
    return ReleaseRecord(head["version"], head["hash"], dict(sorted(triples.items())), modified)


def graph_sizes(store: GraphStore) -> dict[str, int]:
    """Triples per named graph of the whole store (an engine's system graphs included)."""
    rows = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]: int(row["n"]) for row in rows}


def staging_name(content_hash: str, graph: str) -> str:
    """The staging graph of `graph` for the release whose content hash is `content_hash`."""
    return f"{STAGING}{content_hash[:16]}:{graph}"


def _date_time(seconds: float) -> str:
    stamp = datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Literal(stamp, datatype=XSD.dateTime).n3()


def _seconds(lexical: str) -> float | None:
    """POSIX seconds of an xsd:dateTime as an engine writes it back (None: unreadable)."""
    try:
        parsed = datetime.fromisoformat(lexical.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _integer(count: int) -> str:
    return Literal(count, datatype=XSD.integer).n3()
