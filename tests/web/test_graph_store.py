"""The Graph Store HTTP Protocol at /rdf-graphs/service
(https://www.w3.org/TR/sparql11-http-rdf-update/), against a real server with an admin token
over this module's own copy of `small_store` (tests/data/edit/).

Reads are public, writes need the token. One test walks a graph through PUT, POST, GET and
DELETE.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic

from kg.store import read_manifest

TOKEN = "graph-store-admin-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
TURTLE = {"content-type": "text/turtle"}
DATA = Path(__file__).resolve().parents[1] / "data" / "update"
SERVICE = "/rdf-graphs/service"
STUDY = "https://w3id.org/partage/graph/study"
REVIEW = "https://example.org/graphs/review"
ORGANISATION = "https://w3id.org/partage/id/organisation/cooperative-de-test"


@pytest.fixture(scope="module")
def admin(own_store: Path, launch_for_module: Any) -> Any:
    return launch_for_module(own_store, "--workers", "1", "--admin-token", TOKEN)


@pytest.fixture
def http(admin: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=admin.url, timeout=300) as client:
        yield client


def content_hash(store: Path) -> str:
    return str(json.loads((store / "manifest.json").read_text())["content_hash"])


def turtle(response: httpx.Response) -> Graph:
    assert response.headers["content-type"].startswith("text/turtle"), response.text
    return Graph().parse(data=response.text, format="turtle")


def assert_isomorphic(got: Graph, expected: Graph) -> None:
    if not isomorphic(got, expected):
        _, missing, extra = graph_diff(expected, got)
        pytest.fail(f"missing:\n{missing.serialize()}\nextra:\n{extra.serialize()}")


def test_get_graph_without_admin_token_configured_403(strict_client: httpx.Client) -> None:
    assert strict_client.get(SERVICE, params={"graph": STUDY}).status_code == 403
    response = strict_client.put(
        SERVICE, params={"graph": REVIEW}, content=b"", headers={**TURTLE, **AUTH}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_write_graph_without_the_token_401(
    http: httpx.Client, own_store: Path, method: str
) -> None:
    before = content_hash(own_store)
    body = (DATA / "review-graph.ttl").read_bytes()
    response = http.request(method, SERVICE, params={"graph": STUDY}, content=body, headers=TURTLE)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer ")
    assert content_hash(own_store) == before


def test_get_graph_public_200(http: httpx.Client, own_store: Path) -> None:
    response = http.get(SERVICE, params={"graph": STUDY}, headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert len(turtle(response)) == read_manifest(own_store).triples[STUDY]
    assert response.headers["x-kg-content-hash"] == content_hash(own_store)


def test_get_graph_negotiates_n_triples(http: httpx.Client, own_store: Path) -> None:
    accept = {"accept": "application/n-triples;q=1, text/turtle;q=0.5"}
    response = http.get(SERVICE, params={"graph": STUDY}, headers=accept)
    assert response.headers["content-type"].startswith("application/n-triples")
    graph = Graph().parse(data=response.text, format="nt")
    assert len(graph) == read_manifest(own_store).triples[STUDY]


def test_get_graph_not_acceptable_406(http: httpx.Client) -> None:
    response = http.get(SERVICE, params={"graph": STUDY}, headers={"accept": "image/png"})
    assert response.status_code == 406


def test_head_graph_headers_without_body(http: httpx.Client) -> None:
    get = http.get(SERVICE, params={"graph": STUDY})
    head = http.head(SERVICE, params={"graph": STUDY})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == get.headers["content-type"]


def test_get_default_graph_is_the_union(http: httpx.Client, own_store: Path) -> None:
    response = http.get(
        SERVICE, params={"default": ""}, headers={"accept": "application/n-triples"}
    )
    assert response.status_code == 200
    lines = {line for line in response.text.splitlines() if line}
    triples = read_manifest(own_store).triples
    assert triples[STUDY] < len(lines) <= sum(triples.values())


def test_get_graph_missing_404(http: httpx.Client) -> None:
    assert http.get(SERVICE, params={"graph": "https://example.org/none"}).status_code == 404


@pytest.mark.parametrize(
    "params",
    [{}, {"graph": STUDY, "default": ""}, {"graph": "relative/iri"}, {"graph": "<x y>"}],
    ids=["neither", "both", "relative", "not-an-iri"],
)
def test_get_graph_unclear_target_400(http: httpx.Client, params: dict[str, str]) -> None:
    assert http.get(SERVICE, params=params).status_code == 400


def test_put_post_get_delete_graph_round_trip(http: httpx.Client, own_store: Path) -> None:
    first = (DATA / "review-graph.ttl").read_bytes()
    addition = (DATA / "review-graph-addition.ttl").read_bytes()
    before = content_hash(own_store)

    created = http.put(SERVICE, params={"graph": REVIEW}, content=first, headers={**TURTLE, **AUTH})
    assert created.status_code == 201, created.text
    assert created.headers["x-kg-content-hash"] == content_hash(own_store) != before
    read = http.get(SERVICE, params={"graph": REVIEW}, headers={"accept": "text/turtle"})
    assert_isomorphic(turtle(read), Graph().parse(data=first, format="turtle"))

    merged = http.post(
        SERVICE, params={"graph": REVIEW}, content=addition, headers={**TURTLE, **AUTH}
    )
    assert merged.status_code == 204, merged.text
    expected = Graph().parse(data=first, format="turtle").parse(data=addition, format="turtle")
    read = http.get(SERVICE, params={"graph": REVIEW}, headers={"accept": "text/turtle"})
    assert_isomorphic(turtle(read), expected)

    deleted = http.delete(SERVICE, params={"graph": REVIEW}, headers=AUTH)
    assert deleted.status_code == 204, deleted.text
    assert http.get(SERVICE, params={"graph": REVIEW}).status_code == 404
    assert REVIEW not in read_manifest(own_store).triples


def test_put_graph_malformed_turtle_400_names_the_line(http: httpx.Client, own_store: Path) -> None:
    before = content_hash(own_store)
    body = (DATA / "malformed.ttl").read_bytes()
    response = http.put(SERVICE, params={"graph": REVIEW}, content=body, headers={**TURTLE, **AUTH})
    assert response.status_code == 400
    assert "request body:7:" in response.text
    assert content_hash(own_store) == before


def test_put_graph_relative_iri_400(http: httpx.Client) -> None:
    body = b"<a> <b> <c> ."
    response = http.put(SERVICE, params={"graph": REVIEW}, content=body, headers={**TURTLE, **AUTH})
    assert response.status_code == 400
    assert "relative IRI" in response.text


@pytest.mark.parametrize("content_type", ["application/ld+json", "text/plain", ""])
def test_put_graph_unsupported_media_type_415(http: httpx.Client, content_type: str) -> None:
    headers = {**AUTH, "content-type": content_type} if content_type else AUTH
    response = http.put(SERVICE, params={"graph": REVIEW}, content=b"{}", headers=headers)
    assert response.status_code == 415


def test_put_graph_breaking_a_shape_422_with_json_report(
    http: httpx.Client, own_store: Path
) -> None:
    before = content_hash(own_store)
    body = (DATA / "organisation-without-english-label.ttl").read_bytes()
    graph = "https://example.org/graphs/organisations"

    response = http.put(
        SERVICE,
        params={"graph": graph},
        content=body,
        headers={**TURTLE, **AUTH, "accept": "application/json"},
    )

    assert response.status_code == 422, response.text
    report = response.json()
    assert report["conforms"] is False
    focus = {result["focusNode"] for result in report["results"]}
    assert f"<{ORGANISATION}>" in focus
    assert content_hash(own_store) == before
    assert http.get(SERVICE, params={"graph": graph}).status_code == 404


def test_delete_graph_study_403(http: httpx.Client, own_store: Path) -> None:
    before = content_hash(own_store)
    response = http.delete(SERVICE, params={"graph": STUDY}, headers=AUTH)
    assert response.status_code == 403
    assert STUDY in response.text
    assert content_hash(own_store) == before


@pytest.mark.parametrize("graph", ["entailments", "shapes"])
def test_put_graph_derived_403(http: httpx.Client, graph: str) -> None:
    body = (DATA / "review-graph.ttl").read_bytes()
    params = {"graph": f"https://w3id.org/partage/graph/{graph}"}
    response = http.put(SERVICE, params=params, content=body, headers={**TURTLE, **AUTH})
    assert response.status_code == 403


def test_put_default_graph_403(http: httpx.Client) -> None:
    body = (DATA / "review-graph.ttl").read_bytes()
    response = http.put(SERVICE, params={"default": ""}, content=body, headers={**TURTLE, **AUTH})
    assert response.status_code == 403
    assert "default graph" in response.text


def test_delete_graph_missing_404(http: httpx.Client) -> None:
    response = http.delete(SERVICE, params={"graph": "https://example.org/none"}, headers=AUTH)
    assert response.status_code == 404
