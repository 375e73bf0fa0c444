"""kg.jsonld: the dataset's JSON-LD put together graph by graph is rdflib's of the whole."""

from __future__ import annotations

import json

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, XSD

from kg.jsonld import dataset_jsonld, sorted_arrays
from kg.namespaces import PREFIXES

EX = "urn:test:jsonld:"


def whole_dataset(graphs: dict[URIRef, Graph]) -> bytes:
    """rdflib's JSON-LD of all the graphs at once, arrays sorted: what the dump must equal."""
    dataset = Dataset()
    for name, graph in graphs.items():
        named = dataset.graph(name)
        named += graph
    text = dataset.serialize(format="json-ld", context=PREFIXES, encoding="utf-8")
    ordered = sorted_arrays(json.loads(text))
    return (json.dumps(ordered, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def sample(index: int) -> Graph:
    """Literals of three kinds, a blank node, an RDF list and a type."""
    graph = Graph()
    subject = URIRef(f"{EX}s{index}")
    graph.add((subject, RDF.type, URIRef(f"{EX}Thing")))
    graph.add((subject, URIRef(f"{EX}label"), Literal(f"nom {index}", lang="fr")))
    graph.add((subject, URIRef(f"{EX}count"), Literal(index, datatype=XSD.integer)))
    graph.add((subject, URIRef(f"{EX}share"), Literal("30", datatype=XSD.decimal)))
    node, items = BNode(), BNode()
    graph.add((subject, URIRef(f"{EX}part"), node))
    graph.add((node, URIRef(f"{EX}order"), items))
    Collection(graph, items, [Literal("b"), Literal("a")])
    return graph


@pytest.mark.parametrize("count", [0, 1, 3])
def test_dataset_jsonld_is_rdflibs_serialisation_of_the_whole_dataset(count: int) -> None:
    graphs = {URIRef(f"{EX}g{index}"): sample(index) for index in range(count)}
    graphs[URIRef(f"{EX}empty")] = Graph()

    assert dataset_jsonld(graphs) == whole_dataset(graphs)


def test_a_graph_changed_after_a_first_dump_is_converted_again() -> None:
    graphs = {URIRef(f"{EX}g{index}"): sample(index) for index in range(3)}
    dataset_jsonld(graphs)
    graphs[URIRef(f"{EX}g1")].add((URIRef(f"{EX}s1"), URIRef(f"{EX}label"), Literal("added")))

    assert dataset_jsonld(graphs) == whole_dataset(graphs)
