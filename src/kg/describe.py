"""The release described in VoID, DCAT 3 and SPARQL Service Description: pure, graphs in, graph out.

What the description says (every number is counted from the graphs, none is written by hand):

* the dataset (https://www.w3.org/TR/void/#dataset, https://www.w3.org/TR/vocab-dcat-3/#Class:Dataset):
  titles and descriptions in French and English, publisher, source (the study), licence,
  version, void:triples, void:entities, void:classes, void:properties, void:vocabulary, example
  resources, the SPARQL endpoint, the dumps, void:uriSpace (https://www.w3.org/TR/void/#pattern);
* one subset per named graph (https://www.w3.org/TR/void/#subset), with its statistics
  (https://www.w3.org/TR/void/#statistics), tied to the graph's name the way SPARQL Service
  Description does (https://www.w3.org/TR/sparql11-service-description/#sd-namedGraph);
* in each linkset graph, one void:Linkset per target dataset and link predicate: VoID asks for
  one predicate per linkset (https://www.w3.org/TR/void/#linksets);
* the catalog, one dcat:Distribution per dump with its SHA-256
  (https://www.w3.org/TR/vocab-dcat-3/#Property:distribution_checksum), and the SPARQL endpoint
  as a dcat:DataService (https://www.w3.org/TR/vocab-dcat-3/#Class:Data_Service).

Counting rules. The dataset is every named graph but the description (it cannot count itself,
see kg.dumps). void:triples of the dataset counts distinct triples of the union of its graphs
(the lines of the N-Triples dump); of a subset, the triples of its graph. void:entities counts
distinct IRI subjects inside void:uriSpace, since VoID's uriSpace says every entity IRI starts
with it; void:distinctSubjects counts every subject. Links are what `kg.links.targets` calls
links, and their target datasets its TARGETS.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, XSD
from rdflib.term import Node

from kg.dumps import Dump
from kg.links.targets import Target, link_triples
from kg.namespaces import (
    BASE,
    DCAT,
    DESCRIPTION_GRAPH,
    GRAPH,
    IANA_MEDIA_TYPES,
    ID,
    PREFIXES,
    PV,
    SD,
    SPDX,
    VOID,
)

Triples = frozenset[tuple[Node, Node, Node]]

DATASET_SLUG = "partage-kg"
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
STUDY = ID["study/partage-pouvoir-valeur"]
PUBLISHER = "Partage KG developers"
EXAMPLES = 3

TITLES = {
    "fr": "Partage KG : le partage du pouvoir et de la valeur dans les plateformes",
    "en": "Partage KG: sharing power and value in platform organisations",
}
DESCRIPTIONS = {
    "fr": "Graphe de connaissances tiré de l'étude « Le partage du pouvoir et de la valeur : du "
    "dogme à la biodiversité » : les organisations qu'elle nomme, leurs pratiques de partage du "
    "pouvoir et de la valeur et les modèles qu'elle en tire, chaque fait relié au passage de "
    "l'étude qui le dit ; avec l'ontologie, les formes SHACL et des liens vers d'autres jeux de "
    "données.",
    "en": "Knowledge graph drawn from the study « Le partage du pouvoir et de la valeur : du "
    "dogme à la biodiversité »: the organisations it names, their practices of power and value "
    "sharing and the models it draws from them, each fact tied to the passage of the study "
    "that states it; with the ontology, the SHACL shapes and links to other datasets.",
}


def describe(
    graphs: Mapping[URIRef, Graph],
    version: str,
    content_hash: str,
    base_iri: str = BASE,
    dumps: Sequence[Dump] = (),
) -> Graph:
    """Describe the release: the dataset, its subsets and linksets, catalog, dumps, endpoint.

    Args:
        graphs: the release's named graphs; DESCRIPTION_GRAPH, if there, is left out.
        version: the release version (pyproject.toml).
        content_hash: SHA-256 of the dataset as sorted canonical N-Quads (kg.build.content_hash
            of `graphs` without the description): the decompressed N-Quads dump's checksum.
        base_iri: where the description's own IRIs, the dumps and the endpoint live.
        dumps: the dump files, to list with their URLs and checksums.
    """
    data = {name: graph for name, graph in sorted(graphs.items()) if name != DESCRIPTION_GRAPH}
    # counted from sets of triples: iterating an rdflib graph once is cheaper than querying it
    triples = {name: frozenset(graph) for name, graph in data.items()}
    here = Namespace(base_iri)
    dataset = here[f"id/dataset/{DATASET_SLUG}"]
    out = Graph(bind_namespaces="none")
    for prefix, namespace in _bindings().items():
        out.bind(prefix, namespace)
    _describe_document(out, dataset)
    _describe_dataset(out, dataset, here, version, content_hash)
    _describe_statistics(out, dataset, frozenset().union(*triples.values()))
    for name, graph in data.items():
        _describe_graph(out, dataset, name, graph, triples[name])
    _describe_distributions(out, dataset, here, dumps)
    _describe_catalog(out, dataset, here)
    return out


def _describe_document(out: Graph, dataset: URIRef) -> None:
    """The description graph is the VoID description document (https://www.w3.org/TR/void/#void-file)."""
    out.add((DESCRIPTION_GRAPH, RDF.type, VOID.DatasetDescription))
    out.add((DESCRIPTION_GRAPH, FOAF.primaryTopic, dataset))
    out.add((DESCRIPTION_GRAPH, DCTERMS.title, Literal("Description of Partage KG", lang="en")))
    out.add((DESCRIPTION_GRAPH, DCTERMS.title, Literal("Description de Partage KG", lang="fr")))


def _describe_dataset(
    out: Graph, dataset: URIRef, here: Namespace, version: str, content_hash: str
) -> None:
    publisher = here[f"id/agent/{DATASET_SLUG}-developers"]
    for kind in (VOID.Dataset, DCAT.Dataset, SD.Dataset):
        out.add((dataset, RDF.type, kind))
    for lang, title in TITLES.items():
        out.add((dataset, DCTERMS.title, Literal(title, lang=lang)))
        out.add((dataset, DCTERMS.description, Literal(DESCRIPTIONS[lang], lang=lang)))
    out.add((dataset, DCTERMS.publisher, publisher))
    out.add((publisher, RDF.type, FOAF.Agent))
    out.add((publisher, FOAF.name, Literal(PUBLISHER)))
    out.add((dataset, DCTERMS.source, STUDY))
    out.add((dataset, DCTERMS.license, LICENCE))
    out.add((dataset, OWL.versionInfo, Literal(version)))
    out.add((dataset, DCAT.version, Literal(version)))
    out.add((dataset, VOID.uriSpace, Literal(str(ID))))
    out.add((dataset, VOID.sparqlEndpoint, here.sparql))
    # The dataset's own checksum: that of its decompressed N-Quads dump (see kg.dumps).
    _add_checksum(out, dataset, content_hash)


def _describe_statistics(out: Graph, dataset: URIRef, union: Triples) -> None:
    _add_counts(out, dataset, union)
    for namespace in sorted(_vocabularies(union)):
        out.add((dataset, VOID.vocabulary, URIRef(namespace)))
    organisations = sorted(
        {s for s, p, o in union if p == RDF.type and o == PV.Organisation and isinstance(s, URIRef)}
    )
    for example in organisations[:EXAMPLES]:
        out.add((dataset, VOID.exampleResource, example))


def _describe_graph(
    out: Graph, dataset: URIRef, name: URIRef, graph: Graph, triples: Triples
) -> None:
    """One subset per named graph; linksets inside the graphs under graph/links/."""
    subset = URIRef(f"{dataset}/graph/{str(name).removeprefix(str(GRAPH))}")
    named = _bnode("named-graph", subset)
    out.add((dataset, VOID.subset, subset))
    out.add((subset, RDF.type, VOID.Dataset))
    out.add((subset, RDF.type, SD.Graph))
    out.add((dataset, SD.namedGraph, named))
    out.add((named, RDF.type, SD.NamedGraph))
    out.add((named, SD.name, name))
    out.add((named, SD.graph, subset))
    _add_counts(out, subset, triples)
    if str(name).startswith(str(GRAPH["links/"])):
        for (target, predicate), links in sorted(link_triples(graph).items(), key=_link_key):
            _describe_linkset(out, dataset, subset, target, predicate, len(links))


def _describe_linkset(
    out: Graph,
    dataset: URIRef,
    subset: URIRef,
    target: Target,
    predicate: URIRef,
    count: int,
) -> None:
    local = str(predicate).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    linkset = URIRef(f"{subset}/{target.key}/{local}")
    node = URIRef(f"{dataset.removesuffix(DATASET_SLUG)}{target.key}")
    out.add((subset, VOID.subset, linkset))
    out.add((linkset, RDF.type, VOID.Linkset))
    out.add((linkset, VOID.linkPredicate, predicate))
    out.add((linkset, VOID.subjectsTarget, dataset))
    out.add((linkset, VOID.objectsTarget, node))
    out.add((linkset, VOID.triples, Literal(count)))
    out.add((node, RDF.type, VOID.Dataset))
    out.add((node, DCTERMS.title, Literal(target.title, lang="en")))
    if target.uri_space:
        out.add((node, VOID.uriSpace, Literal(target.uri_space)))
    if target.homepage:
        out.add((node, FOAF.homepage, URIRef(target.homepage)))
    if target.endpoint:
        out.add((node, VOID.sparqlEndpoint, URIRef(target.endpoint)))


def _describe_distributions(
    out: Graph, dataset: URIRef, here: Namespace, dumps: Sequence[Dump]
) -> None:
    """One dcat:Distribution per dump; the media type is the content's, gzip is the compression."""
    for dump in dumps:
        url = here[f"dumps/{dump.name}"]
        distribution = URIRef(f"{dataset}/distribution/{dump.name}")
        what = "each in its own named graph" if dump.quads else "merged into one graph"
        out.add((dataset, VOID.dataDump, url))
        out.add((dataset, DCAT.distribution, distribution))
        out.add((distribution, RDF.type, DCAT.Distribution))
        out.add((distribution, DCTERMS.title, Literal(dump.name)))
        out.add(
            (
                distribution,
                DCTERMS.description,
                Literal(f"The dataset's graphs (all but the description), {what}.", lang="en"),
            )
        )
        out.add((distribution, DCAT.downloadURL, url))
        out.add((distribution, DCAT.mediaType, IANA_MEDIA_TYPES[dump.media_type]))
        out.add((distribution, DCAT.compressFormat, IANA_MEDIA_TYPES["application/gzip"]))
        out.add(
            (distribution, DCAT.byteSize, Literal(len(dump.data), datatype=XSD.nonNegativeInteger))
        )
        out.add((distribution, DCTERMS.license, LICENCE))
        _add_checksum(out, distribution, dump.sha256)


def _describe_catalog(out: Graph, dataset: URIRef, here: Namespace) -> None:
    catalog = here["id/catalog/partage"]
    service = here["id/service/sparql"]
    out.add((catalog, RDF.type, DCAT.Catalog))
    for lang, title in TITLES.items():
        out.add((catalog, DCTERMS.title, Literal(title, lang=lang)))
        out.add((service, DCTERMS.title, Literal(f"{title} — SPARQL", lang=lang)))
    out.add((catalog, DCTERMS.publisher, here[f"id/agent/{DATASET_SLUG}-developers"]))
    out.add((catalog, DCAT.dataset, dataset))
    out.add((catalog, DCAT.service, service))
    out.add((service, RDF.type, DCAT.DataService))
    out.add((service, DCAT.endpointURL, here.sparql))
    out.add((service, DCAT.servesDataset, dataset))
    out.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))


def _add_counts(out: Graph, node: URIRef, triples: Triples) -> None:
    subjects = {s for s, _p, _o in triples}
    entities = {s for s in subjects if isinstance(s, URIRef) and str(s).startswith(str(ID))}
    classes = {o for _s, p, o in triples if p == RDF.type}
    properties = {p for _s, p, _o in triples}
    out.add((node, VOID.triples, Literal(len(triples))))
    out.add((node, VOID.entities, Literal(len(entities))))
    out.add((node, VOID.distinctSubjects, Literal(len(subjects))))
    out.add((node, VOID.classes, Literal(len(classes))))
    out.add((node, VOID.properties, Literal(len(properties))))


def _add_checksum(out: Graph, node: URIRef, sha256: str) -> None:
    """An spdx:Checksum, DCAT 3's form (https://www.w3.org/TR/vocab-dcat-3/#Property:distribution_checksum)."""
    checksum = _bnode("checksum", node)
    out.add((node, SPDX.checksum, checksum))
    out.add((checksum, RDF.type, SPDX.Checksum))
    out.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    out.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))


def _vocabularies(triples: Triples) -> set[str]:
    """Namespaces of the properties and classes used (https://www.w3.org/TR/void/#vocabularies)."""
    terms = {p for _s, p, _o in triples} | {o for _s, p, o in triples if p == RDF.type}
    namespaces = {_namespace(str(term)) for term in terms if isinstance(term, URIRef)}
    # A term with neither '#' nor '/' (urn:x:p, written by an update) names no vocabulary.
    namespaces.discard("")
    return namespaces


def _namespace(iri: str) -> str:
    """The namespace of a term: its IRI up to the last '#' or, failing that, the last '/'."""
    cut = iri.rfind("#") if "#" in iri else iri.rfind("/")
    return iri[: cut + 1]


def _bnode(kind: str, owner: URIRef) -> BNode:
    """A blank node labelled from its owner, so that equal inputs give equal graphs."""
    return BNode(f"{kind}-{hashlib.sha256(str(owner).encode()).hexdigest()[:16]}")


def _link_key(item: tuple[tuple[Target, URIRef], set[tuple[URIRef, URIRef]]]) -> tuple[str, str]:
    (target, predicate), _links = item
    return target.key, str(predicate)


def _bindings() -> dict[str, str]:
    """Our prefixes and those of the description's vocabularies, for readable Turtle."""
    return PREFIXES | {
        "void": str(VOID._NS),
        "dcat": str(DCAT._NS),
        "sd": str(SD._NS),
        "spdx": str(SPDX._NS),
    }
