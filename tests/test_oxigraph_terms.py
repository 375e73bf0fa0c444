"""Terms between rdflib and pyoxigraph (`kg.oxigraph_terms`), the one conversion both the store
and validation use."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.oxigraph_terms import from_oxigraph, to_oxigraph

TERMS = [
    URIRef("https://w3id.org/partage/id/org/x"),
    BNode("b0"),
    Literal("texte", lang="fr"),
    Literal("3", datatype=XSD.integer),
    Literal("plain"),
]


@pytest.mark.parametrize("term", TERMS, ids=repr)
def test_a_term_comes_back_as_it_went(term: object) -> None:
    assert from_oxigraph(to_oxigraph(term)) == term  # type: ignore[arg-type]


def test_an_xsd_string_literal_comes_back_plain() -> None:
    assert from_oxigraph(ox.Literal("a", datatype=ox.NamedNode(str(XSD.string)))) == Literal("a")


def test_a_triple_term_has_no_rdflib_term() -> None:
    iri = ox.NamedNode("urn:x")
    with pytest.raises(ValueError, match="no rdflib term"):
        from_oxigraph(ox.Triple(iri, iri, iri))


def test_the_store_reads_a_triple_term_in_its_n_triples_form() -> None:
    from kg.store import read_quads

    quad = b"<urn:a> <urn:b> <<( <urn:c> <urn:d> <urn:e> )>> <urn:g> .\n"
    graph = read_quads(quad)[URIRef("urn:g")]
    assert set(graph.objects()) == {Literal("<urn:c> <urn:d> <urn:e>")}
