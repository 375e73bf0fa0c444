"""SPARQL 1.1 Protocol, query operation, point by point: https://www.w3.org/TR/sparql11-protocol/.

Each test names the section it checks. Clients: httpx, and SPARQLWrapper as a third party would.
"""

from __future__ import annotations

import re

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

PV_PLATFORM = URIRef("https://w3id.org/partage/ontology#Platform")
STUDY = "https://w3id.org/partage/graph/study"
ONTOLOGY = "https://w3id.org/partage/graph/ontology"
RESULTS_JSON = "application/sparql-results+json"
COUNT_PLATFORMS = "SELECT (COUNT(*) AS ?n) WHERE { ?o a pv:Platform }"
CLASS_DECLARED = "ASK { pv:Platform a owl:Class }"


def count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def boolean(response: httpx.Response) -> bool:
    assert response.status_code == 200, response.text
    value = response.json()["boolean"]
    assert isinstance(value, bool)
    return value


# 2.1.1 query via GET
def test_get_query_select_200_json(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": COUNT_PLATFORMS})
    assert response.headers["content-type"] == RESULTS_JSON
    assert count(response) == 7


# 2.1.2 query via POST with URL-encoded parameters
def test_post_form_query_select_200(client: httpx.Client) -> None:
    response = client.post("/sparql", data={"query": COUNT_PLATFORMS})
    assert count(response) == 7


# 2.1.3 query via POST directly
def test_post_direct_query_select_200(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content=COUNT_PLATFORMS.encode(),
        headers={"content-type": "application/sparql-query; charset=utf-8"},
    )
    assert count(response) == 7


# 2.1.4 dataset: default-graph-uri, named-graph-uri; by default, the union of the named graphs
def test_get_query_default_dataset_is_union_of_named_graphs(client: httpx.Client) -> None:
    assert boolean(client.get("/sparql", params={"query": CLASS_DECLARED}))
    assert count(client.get("/sparql", params={"query": COUNT_PLATFORMS})) == 7


def test_get_query_default_graph_uri_honoured(client: httpx.Client) -> None:
    params = {"default-graph-uri": STUDY}
    assert count(client.get("/sparql", params={**params, "query": COUNT_PLATFORMS})) == 5
    assert not boolean(client.get("/sparql", params={**params, "query": CLASS_DECLARED}))


def test_get_query_two_default_graph_uris_merge(client: httpx.Client) -> None:
    params = [("default-graph-uri", STUDY), ("default-graph-uri", ONTOLOGY)]
    assert boolean(client.get("/sparql", params=[*params, ("query", CLASS_DECLARED)]))


def test_get_query_named_graph_uri_honoured(client: httpx.Client) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query, "named-graph-uri": STUDY})
    assert response.status_code == 200
    graphs = [row["g"]["value"] for row in response.json()["results"]["bindings"]]
    assert graphs == [STUDY]
    empty_default = {"query": "ASK { ?s ?p ?o }", "named-graph-uri": STUDY}
    assert not boolean(client.get("/sparql", params=empty_default))


def test_post_form_query_dataset_in_body_honoured(client: httpx.Client) -> None:
    body = {"query": COUNT_PLATFORMS, "default-graph-uri": STUDY}
    assert count(client.post("/sparql", data=body)) == 5


def test_post_direct_query_dataset_in_url_honoured(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        params={"default-graph-uri": STUDY},
        content=COUNT_PLATFORMS,
        headers={"content-type": "application/sparql-query"},
    )
    assert count(response) == 5


def test_get_query_from_clause_keeps_its_dataset(client: httpx.Client) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{STUDY}> WHERE {{ ?o a pv:Platform }}"
    assert count(client.get("/sparql", params={"query": query})) == 5


def test_get_query_protocol_dataset_overrides_from(client: httpx.Client) -> None:
    query = f"ASK FROM <{STUDY}> {{ pv:Platform a owl:Class }}"
    params = {"query": query, "default-graph-uri": ONTOLOGY}
    assert boolean(client.get("/sparql", params=params))


def test_get_query_dataset_not_an_iri_400(client: httpx.Client) -> None:
    params = {"query": "ASK {}", "default-graph-uri": "not an iri"}
    response = client.get("/sparql", params=params)
    assert response.status_code == 400
    assert "IRI" in response.text


# 2.1.5 responses: malformed queries, and the protocol's own mistakes
def test_get_query_malformed_400_with_line_and_column(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT *\nWHERE {\n  ?s ?p \n}"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert re.search(r"\b4:\d+\b", response.text), response.text  # line 4, where ?o was due


def test_get_query_two_query_params_400(client: httpx.Client) -> None:
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400


def test_post_form_query_and_update_400(client: httpx.Client) -> None:
    data = {"query": "ASK {}", "update": "CLEAR DEFAULT"}
    assert client.post("/sparql", data=data).status_code == 400


def test_post_direct_query_plus_url_query_400(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        params={"query": "ASK {}"},
        content="ASK {}",
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 400


def test_get_update_refused_400(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"update": "CLEAR ALL"})
    assert response.status_code == 400
    assert "POST" in response.text


def test_post_update_not_enabled_403(strict_client: httpx.Client) -> None:
    # The strict server has no admin token: SPARQL Update is off.
    response = strict_client.post(
        "/sparql", content="CLEAR ALL", headers={"content-type": "application/sparql-update"}
    )
    assert response.status_code == 403
    form = strict_client.post("/sparql", data={"update": "CLEAR ALL"})
    assert form.status_code == 403


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/json", "", "application/sparql-query; charset=latin-1"],
)
def test_post_query_unknown_content_type_415(client: httpx.Client, content_type: str) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/sparql", content=b"ASK {}", headers=headers)
    assert response.status_code == 415


def test_post_direct_query_not_utf8_400(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content=b"ASK { ?s ?p '\xff' }",
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 400


def test_put_sparql_405(client: httpx.Client) -> None:
    assert client.put("/sparql", content=b"ASK {}").status_code == 405


def test_get_query_prefixes_predeclared_and_base_resolved(client: httpx.Client) -> None:
    query = "ASK { <id/organisation/la-ruche-qui-dit-oui> a pv:Platform }"
    assert boolean(client.get("/sparql", params={"query": query}))


# Third-party clients
def test_get_query_sparqlwrapper_json_select(server_endpoint: str) -> None:
    wrapper = SPARQLWrapper(server_endpoint)
    wrapper.setQuery("SELECT ?o WHERE { ?o a pv:Platform } ORDER BY ?o")
    wrapper.setReturnFormat(JSON)
    rows = wrapper.query().convert()["results"]["bindings"]  # type: ignore[index,call-overload]
    organisations = {row["o"]["value"] for row in rows}
    assert "https://w3id.org/partage/id/organisation/la-ruche-qui-dit-oui" in organisations


def test_get_query_sparqlwrapper_construct_to_rdflib(server_endpoint: str) -> None:
    wrapper = SPARQLWrapper(server_endpoint)
    wrapper.setQuery("CONSTRUCT { ?o a pv:Platform } WHERE { ?o a pv:Platform }")
    wrapper.setReturnFormat(TURTLE)
    graph = Graph().parse(data=wrapper.query().convert(), format="turtle")  # type: ignore[arg-type]
    assert len(set(graph.subjects(RDF.type, PV_PLATFORM))) == 7


def test_post_query_sparqlwrapper_post(server_endpoint: str) -> None:
    wrapper = SPARQLWrapper(server_endpoint)
    wrapper.setMethod(POST)
    wrapper.setQuery("ASK { ?o a pv:Platform }")
    wrapper.setReturnFormat(JSON)
    assert wrapper.query().convert()["boolean"] is True  # type: ignore[index,call-overload]


@pytest.fixture
def server_endpoint(server: object) -> str:
    return str(server.endpoint)  # type: ignore[attr-defined]
