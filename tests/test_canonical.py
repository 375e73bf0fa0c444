"""kg.canonical: RGDA1 labels computed on a graph's blank-node part, kept per part."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import to_canonical_graph

from kg.canonical import canonical_graph, nquads_lines, remember_canonical

EX = "urn:test:canonical:"


def graph_with_blank_nodes(extra: int = 0) -> Graph:
    """A quote-like shape: an IRI with a blank target holding a blank selector, plus IRIs."""
    graph = Graph()
    for index in range(3):
        quote, target, selector = URIRef(f"{EX}quote{index}"), BNode(), BNode()
        graph.add((quote, URIRef(f"{EX}hasTarget"), target))
        graph.add((target, URIRef(f"{EX}hasSelector"), selector))
        graph.add((selector, URIRef(f"{EX}exact"), Literal(f"text {index}")))
    for index in range(extra):
        graph.add((URIRef(f"{EX}org{index}"), URIRef(f"{EX}name"), Literal(f"org {index}")))
    return graph


def test_canonical_graph_is_rdflib_to_canonical_graph_triple_for_triple() -> None:
    graph = graph_with_blank_nodes(extra=5)

    assert set(canonical_graph(graph)) == set(to_canonical_graph(graph))


def test_a_triple_added_outside_the_blank_nodes_of_a_canonical_graph_relabels_nothing() -> None:
    graph = Graph()
    graph += to_canonical_graph(graph_with_blank_nodes())
    remember_canonical(graph)
    graph.add((URIRef(f"{EX}org"), URIRef(f"{EX}name"), Literal("added by an edit")))

    assert canonical_graph(graph) is graph


def test_nquads_lines_are_rdflibs_ntriples_of_the_canonical_graph_in_the_named_graph() -> None:
    graph = graph_with_blank_nodes(extra=2)
    name = URIRef(f"{EX}graph")
    ntriples = to_canonical_graph(graph).serialize(format="nt").splitlines()

    lines = nquads_lines(name, graph)

    assert sorted(lines) == sorted(f"{line[:-1]}<{name}> .\n" for line in ntriples if line)


def test_indistinguishable_blank_nodes_get_rdflibs_labels_too() -> None:
    """Two identical lists hanging off one IRI: RGDA1 has to individuate, not only refine."""
    graph = Graph()
    for _ in range(2):
        items = BNode()
        graph.add((URIRef(f"{EX}s"), URIRef(f"{EX}list"), items))
        Collection(graph, items, [Literal("a"), Literal("b")])

    assert set(canonical_graph(graph)) == set(to_canonical_graph(graph))
