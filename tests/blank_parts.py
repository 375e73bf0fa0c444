"""Isomorphism of graphs with many blank nodes, part by part.

Two graphs are isomorphic exactly when their triples without blank nodes are the same set and
the connected parts of their other triples (blank nodes joined by the triples they share) have
the same canonical forms (RGDA1), counted with multiplicity: an isomorphism maps each part onto
one of the other graph's. Labelling many small parts one by one is far faster than labelling
all the blank-node triples at once (the project's ~200 quote targets: a tenth of a second, not
seconds), which is what `rdflib.compare.isomorphic` does on both sides every time.
"""

from __future__ import annotations

from collections import Counter

from rdflib import Graph
from rdflib.compare import to_canonical_graph
from rdflib.term import BNode, Node

from kg.canonical import blank_part

Triple = tuple[Node, Node, Node]


def blank_form(graph: Graph) -> tuple[set[Triple], Counter[frozenset[Triple]]]:
    """The triples without blank nodes, and the canonical form of each connected part of the
    others (blank nodes joined by the triples they share)."""
    part = blank_part(graph)
    ground = {t for t in graph if t not in part}
    return ground, Counter(frozenset(to_canonical_graph(piece)) for piece in pieces(part))


def pieces(part: frozenset[Triple]) -> list[Graph]:
    """The connected parts of `part`, each a graph: union-find over its blank nodes."""
    parent: dict[BNode, BNode] = {}

    def root(node: BNode) -> BNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in part:
        blanks = [n for n in triple if isinstance(n, BNode)]
        for node in blanks[1:]:
            parent[root(node)] = root(blanks[0])
    graphs: dict[BNode, Graph] = {}
    for triple in part:
        first = next(n for n in triple if isinstance(n, BNode))
        graphs.setdefault(root(first), Graph()).add(triple)
    return list(graphs.values())
