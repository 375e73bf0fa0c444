"""Canonical blank-node labels (RGDA1), computed once per blank-node part of a graph.

A release relabels the blank nodes of each of its graphs canonically for its dumps, its sources
file and its content hash, so that the bytes do not depend on the parse. RGDA1 as rdflib
implements it (`rdflib.compare.to_canonical_graph`) colours blank nodes from the triples that
hold one and from nothing else: its initial colouring keeps only those triples' terms, and each
refinement reads the triples around a blank node. So a graph's labels are those of its
blank-node part, which is a fraction of it (in the study: the quotes' targets and selectors),
and which most edits leave as it was: an edit that names an organisation changes no label.

`canonical_graph` therefore runs RGDA1 (rdflib's own) on the blank-node part only, held in a
plain index rather than an rdflib graph (`_Index`), and keeps the result per
blank-node part (labels included, so the same input always gives the same output). A graph read
from a file a release wrote is canonical already (`remember_canonical`): it is its own result.

`nquads_lines` is the one writer of a graph's canonical N-Quads lines, which the dumps, the
sources file, the content hash and the store's snapshot are made of; the lines are kept per
(graph name, triples), so a release serialises again only the graphs that changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Graph, URIRef
from rdflib.compare import _TripleCanonicalizer
from rdflib.term import BNode, Node

from kg.recent import Recent

Triple = tuple[Node, Node, Node]
BlankPart = frozenset[Triple]

_CANONICAL: Recent[BlankPart, frozenset[Triple] | None] = Recent(64)
"""Canonical triples of each blank-node part seen last; None: the part is canonical as it is."""
_LINES: Recent[tuple[URIRef, frozenset[Triple]], tuple[str, ...]] = Recent(64)


def blank_part(triples: Iterable[Triple]) -> BlankPart:
    """The triples that hold a blank node: all that RGDA1 reads to label them."""
    return frozenset(
        t
        for t in triples
        if isinstance(t[0], BNode) or isinstance(t[2], BNode) or isinstance(t[1], BNode)
    )


def canonical_graph(graph: Graph) -> Graph:
    """`graph` with canonical blank-node labels (RGDA1); itself if they are already.

    The same as `rdflib.compare.to_canonical_graph(graph)`, triple for triple. Read the result,
    never change it: it may be `graph` itself, or shared with other callers.
    """
    part = blank_part(graph)
    if not part:
        return graph
    relabelled = canonical_part(part)
    if relabelled is None:
        return graph
    out = Graph()
    out.addN((*t, out) for t in graph if t not in part)
    out.addN((*t, out) for t in relabelled)
    return out


def canonical_part(part: BlankPart) -> frozenset[Triple] | None:
    """The canonical form of a blank-node part; None if it is canonical as it is."""
    return _CANONICAL.get(part, lambda: _relabelled(part))


def _relabelled(part: BlankPart) -> frozenset[Triple] | None:
    canonicaliser = _TripleCanonicalizer(_Index(part))  # type: ignore[arg-type]
    relabelled = frozenset(canonicaliser.canonical_triples())
    if relabelled == part:
        return None
    _CANONICAL.put(relabelled, None)  # the result is canonical as it is
    return relabelled


def nquads_lines(name: URIRef, graph: Graph) -> tuple[str, ...]:
    """The N-Quads lines (newline included, unsorted) of `graph`, canonically labelled, in the
    graph `name`: rdflib's N-Triples of `canonical_graph(graph)` with the graph name added."""
    return _LINES.get((name, frozenset(graph)), lambda: _lines(name, graph))


def _lines(name: URIRef, graph: Graph) -> tuple[str, ...]:
    ntriples = canonical_graph(graph).serialize(format="nt", encoding="utf-8").decode()
    # An N-Triples line ends with " ."; the graph name goes before the dot.
    return tuple(f"{line[:-1]}<{name}> .\n" for line in ntriples.splitlines() if line)


class _Index:
    """All of a graph that RGDA1 reads (`rdflib.compare._TripleCanonicalizer`, what
    `to_canonical_graph` runs): its triples, and those between two given nodes. Indexed in one
    dict, a third faster to canonicalise than an rdflib graph of the same triples, whose every
    lookup goes through its store's context bookkeeping."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self._triples = list(triples)
        self._between: dict[tuple[Node, Node], list[Triple]] = {}
        for triple in self._triples:
            self._between.setdefault((triple[0], triple[2]), []).append(triple)

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[Triple]:
        """The triples from `pattern`'s subject to its object, whatever the predicate: the only
        pattern RGDA1 asks (`Color.distinguish`)."""
        subject, predicate, obj = pattern
        if subject is None or predicate is not None or obj is None:
            raise NotImplementedError(f"RGDA1 asked for {pattern}")
        return iter(self._between.get((subject, obj), ()))


def remember_canonical(graph: Graph) -> None:
    """Record that `graph` already has canonical labels: it was read from a file a release
    wrote (its dumps and its sources are canonical, graph by graph), and RGDA1 gives a
    canonical graph its own labels back. An edit then relabels only the graphs whose blank
    nodes it changed."""
    part = blank_part(graph)
    if part:
        _CANONICAL.put(part, None)
