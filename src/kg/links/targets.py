"""The datasets our linksets point into, and which triples of a linkset graph are links.

With kg.namespaces, the one place in src/ where other datasets' IRIs are written: their IRI
spaces (to tell which dataset a link goes to), home pages, and public SPARQL endpoints (which
`kg links check` and `kg links reconcile` ask, and the VoID description names).

A link (https://www.w3.org/TR/void/#linksets) is a triple of a linkset graph whose subject is
one of our IRIs, but not a pv:Claim (a claim's rdf:object is its reification, not a link), and
whose object is an IRI of another dataset; rdf:type is never a link.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.namespaces import BASE, ID, PV


@dataclass(frozen=True)
class Target:
    """A dataset our linksets point into.

    Attributes:
        key: short name, used in IRIs and by `kg links check --endpoint-for KEY=URL`.
        title: English name.
        uri_space: prefix of its resource IRIs; None for "the web" (any other http(s) IRI).
        homepage: its home page, if it has one we can name.
        endpoint: its public SPARQL endpoint, if it has one we can name.
    """

    key: str
    title: str
    uri_space: str | None
    homepage: str | None = None
    endpoint: str | None = None


TARGETS: tuple[Target, ...] = (
    Target(
        "dbpedia",
        "DBpedia",
        "http://dbpedia.org/resource/",
        "http://dbpedia.org/",
        "https://dbpedia.org/sparql",
    ),
    Target(
        "dbpedia-fr",
        "French DBpedia",
        "http://fr.dbpedia.org/resource/",
        "http://fr.dbpedia.org/",
        "http://fr.dbpedia.org/sparql",
    ),
    Target(
        "wikidata",
        "Wikidata",
        "http://www.wikidata.org/entity/",
        "https://www.wikidata.org/",
        "https://query.wikidata.org/sparql",
    ),
    Target(
        "wikipedia-en",
        "English Wikipedia",
        "https://en.wikipedia.org/wiki/",
        "https://en.wikipedia.org/",
    ),
    Target(
        "wikipedia-fr",
        "French Wikipedia",
        "https://fr.wikipedia.org/wiki/",
        "https://fr.wikipedia.org/",
    ),
    Target(
        "gleif-elf", "GLEIF ISO 20275 Entity Legal Forms", "https://rdf.gleif.org/EntityLegalForm/"
    ),
    Target(
        "eu-legal-form",
        "EU Publications Office legal forms (ISO 20275)",
        "http://data.europa.eu/ih3/legal-form/",
    ),
)
WEB = Target("web", "The web (organisations' own sites)", None)
"""The target of links to any other http(s) IRI: home pages."""


def target_of(iri: str) -> Target | None:
    """The target dataset an IRI belongs to: the longest matching uri_space, else the web.

    Returns None for our own IRIs and for IRIs that are not http(s) (not links).
    """
    if iri.startswith(BASE) or not iri.startswith(("http://", "https://")):
        return None
    matches = [t for t in TARGETS if t.uri_space is not None and iri.startswith(t.uri_space)]
    return max(matches, key=lambda t: len(t.uri_space or "")) if matches else WEB


Links = dict[tuple[Target, URIRef], set[tuple[URIRef, URIRef]]]
"""Links grouped by (target dataset, predicate): their (subject, object) pairs."""


def link_triples(graph: Graph) -> Links:
    """The links of a linkset graph, grouped by (target dataset, predicate)."""
    claims = set(graph.subjects(RDF.type, PV.Claim))
    links: dict[tuple[Target, URIRef], set[tuple[URIRef, URIRef]]] = defaultdict(set)
    for subject, predicate, obj in graph:
        if (
            isinstance(subject, URIRef)
            and isinstance(obj, URIRef)
            and isinstance(predicate, URIRef)
            and predicate != RDF.type
            and subject not in claims
            and str(subject).startswith(str(ID))
            and (target := target_of(str(obj))) is not None
        ):
            links[target, predicate].add((subject, obj))
    return dict(links)
