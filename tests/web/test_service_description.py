"""SPARQL 1.1 Service Description at the endpoint:
https://www.w3.org/TR/sparql11-service-description/#accessing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID

from kg.store import read_manifest
from kg.web.negotiation import GRAPH_FORMATS, RESULTS_FORMATS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")


def description(client: httpx.Client, media_type: str, parser: str) -> Graph:
    response = client.get("/sparql", headers={"accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    return Graph().parse(data=response.content, format=parser)


@pytest.mark.parametrize(
    ("media_type", "parser"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_get_description_parses_in_each_format(
    client: httpx.Client, media_type: str, parser: str
) -> None:
    graph = description(client, media_type, parser)
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert service is not None
    assert graph.value(service, SD.endpoint) == URIRef(str(client.base_url.join("/sparql")))


def test_get_description_update_only_when_enabled(
    client: httpx.Client, strict_client: httpx.Client
) -> None:
    # The session server has an admin token, so updates; the strict server has none.
    for http, languages in (
        (client, {SD.SPARQL11Query, SD.SPARQL11Update}),
        (strict_client, {SD.SPARQL11Query}),
    ):
        graph = description(http, "text/turtle", "turtle")
        service = graph.value(predicate=RDF.type, object=SD.Service)
        assert set(graph.objects(service, SD.supportedLanguage)) == languages


def test_get_description_states_features_and_formats(client: httpx.Client) -> None:
    graph = description(client, "text/turtle", "turtle")
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert SD.UnionDefaultGraph in set(graph.objects(service, SD.feature))
    assert SD.BasicFederatedQuery not in set(graph.objects(service, SD.feature))
    formats = set(graph.objects(service, SD.resultFormat))
    assert {
        FORMATS.SPARQL_Results_JSON,
        FORMATS.SPARQL_Results_XML,
        FORMATS.SPARQL_Results_CSV,
        FORMATS.SPARQL_Results_TSV,
        FORMATS.Turtle,
        FORMATS["N-Triples"],
        FORMATS["JSON-LD"],
        FORMATS.RDF_XML,
        FORMATS["N-Quads"],
        FORMATS.TriG,
    } == formats
    assert len(formats) == len(RESULTS_FORMATS) + len(GRAPH_FORMATS)


def test_get_description_lists_the_store_named_graphs(
    client: httpx.Client, built_store: Path
) -> None:
    graph = description(client, "application/ld+json", "json-ld")
    service = graph.value(predicate=RDF.type, object=SD.Service)
    dataset = graph.value(service, SD.defaultDataset)
    named = {
        graph.value(entry, SD.name): graph.value(graph.value(entry, SD.graph), VOID.triples)
        for entry in graph.objects(dataset, SD.namedGraph)
    }
    manifest = read_manifest(built_store)
    assert named == {URIRef(name): Literal(count) for name, count in manifest.triples.items()}
    default = graph.value(dataset, SD.defaultGraph)
    assert "union of the named graphs" in str(
        graph.value(default, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"))
    )


def test_get_description_default_is_turtle(client: httpx.Client) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")


def test_get_description_browser_redirected_to_ui(client: httpx.Client) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert client.get("/", headers={"accept": accept}).status_code == 200


def test_get_description_nothing_acceptable_406(client: httpx.Client) -> None:
    assert client.get("/sparql", headers={"accept": "image/png"}).status_code == 406


def test_head_description_headers_without_body(client: httpx.Client) -> None:
    get = client.get("/sparql")
    head = client.head("/sparql")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["etag"] == get.headers["etag"]


def test_get_description_links_the_void_description_it_serves(client: httpx.Client) -> None:
    graph = description(client, "text/turtle", "turtle")
    void = URIRef(f"{str(client.base_url).rstrip('/')}/.well-known/void")
    assert (None, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), void) in graph
    assert client.get(str(void), headers={"Accept": "text/turtle"}).status_code == 200
