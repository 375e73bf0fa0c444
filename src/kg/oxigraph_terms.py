"""RDF terms between rdflib and pyoxigraph: the one conversion, for the store and validation.

rdflib keeps an RDF 1.1 simple literal apart from the same text typed xsd:string, Oxigraph does
not; converting back, a literal typed xsd:string becomes rdflib's plain literal, as it was read.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier, Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def to_oxigraph(node: Node) -> OxTerm:
    """The Oxigraph term of an rdflib IRI, blank node or literal.

    Raises:
        ValueError: a node of another kind (a variable, a graph), or a label pyoxigraph refuses.
    """
    if isinstance(node, URIRef):
        return ox.NamedNode(node)
    if isinstance(node, BNode):
        return ox.BlankNode(node)
    if isinstance(node, Literal):
        datatype = ox.NamedNode(node.datatype) if node.datatype is not None else None
        return ox.Literal(node, language=node.language, datatype=datatype)
    raise ValueError(f"no Oxigraph term for {node!r}")


def from_oxigraph(term: Any) -> Identifier:
    """The rdflib term of an Oxigraph IRI, blank node or literal.

    Raises:
        ValueError: an RDF 1.2 triple term, which rdflib has no term for.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = URIRef(term.datatype.value)
        return Literal(term.value, datatype=None if datatype == XSD.string else datatype)
    raise ValueError(f"no rdflib term for {term!r}")
