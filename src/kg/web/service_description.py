"""The SPARQL 1.1 Service Description of the endpoint, answered to GET /sparql without a query.

https://www.w3.org/TR/sparql11-service-description/#accessing: "SPARQL services made available
via the SPARQL Protocol should return a service description document at the service endpoint
when dereferenced using the HTTP GET operation without any query parameter strings provided."
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from kg.engine.watcher import Release
from kg.formats import (
    DESCRIPTION_FORMATS,
    FORMATS_NS,
    GRAPH_FORMATS,
    RESULTS_FORMATS,
    by_media_type,
)
from kg.namespaces import SD


def describe(
    endpoint: str,
    release: Release,
    *,
    update: bool = False,
    service_allow: Iterable[str] = (),
    max_results: int,
    timeout: float,
) -> Graph:
    """The service description graph of the endpoint at `endpoint` serving `release`.

    Args:
        endpoint: the endpoint's URL (sd:endpoint).
        release: what the store holds: its named graphs become sd:namedGraph entries.
        update: whether SPARQL Update is accepted (sd:SPARQL11Update).
        service_allow: endpoints SERVICE may call (sd:BasicFederatedQuery if any).
        max_results: the row limit, described in a comment.
        timeout: the time limit in seconds, described in a comment.
    """
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (
        ("sd", SD),
        ("formats", Namespace(FORMATS_NS)),
        ("void", VOID),
        ("rdfs", RDFS),
    ):
        graph.bind(prefix, namespace)
    service = BNode("service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if update:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for fmt in (*RESULTS_FORMATS, *GRAPH_FORMATS):
        graph.add((service, SD.resultFormat, URIRef(fmt.iri)))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if any(True for _ in service_allow):
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    graph.add((service, RDFS.comment, Literal(_comment(release, max_results, timeout), lang="en")))
    _add_dataset(graph, service, release)
    # The VoID/DCAT description of the data (https://www.w3.org/TR/void/#well-known).
    void = URIRef(endpoint.removesuffix("/sparql") + "/.well-known/void")
    graph.add((service, RDFS.seeAlso, void))
    return graph


def _comment(release: Release, max_results: int, timeout: float) -> str:
    return (
        f"Release {release.version} (content hash {release.content_hash}), named in every "
        "response by the X-KG-Release and X-KG-Content-Hash headers. Without FROM, FROM NAMED, "
        "default-graph-uri or named-graph-uri, the default graph is the union of the named "
        f"graphs. Answers are cut at {max_results} rows or triples (the X-KG-Truncated "
        f"header says so); a query has {timeout:g} s; SERVICE calls only allowlisted endpoints."
    )


def _add_dataset(graph: Graph, service: BNode, release: Release) -> None:
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode("default")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, RDFS.comment, Literal("The union of the named graphs.", lang="en")))
    total = sum(count for _, count in release.graphs)
    graph.add((default, VOID.triples, Literal(total, datatype=XSD.integer)))
    for index, (name, count) in enumerate(release.graphs):
        named, described = BNode(f"named{index}"), BNode(f"graph{index}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(count, datatype=XSD.integer)))


def serialise(graph: Graph, media_type: str) -> bytes:
    """The description in one of `kg.formats.DESCRIPTION_FORMATS`, by its media type."""
    fmt = by_media_type(media_type, DESCRIPTION_FORMATS)
    if fmt is None:
        raise ValueError(f"{media_type} is not a description format")
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")
