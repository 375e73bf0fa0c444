"""SPARQL 1.1 Update through /sparql (https://www.w3.org/TR/sparql11-protocol/#update-operation),
against a real server with an admin token over this module's own copy of `small_store`, a small
project with the project's terms and shapes (tests/data/edit/).

Tests that write leave their change in that store, so each one checks its own change and none
depends on another's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

TOKEN = "update-admin-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
UPDATE = {"content-type": "application/sparql-update"}
DATA = Path(__file__).resolve().parents[1] / "data" / "update"
STUDY = "https://w3id.org/partage/graph/study"
RUCHE = URIRef("https://w3id.org/partage/id/organisation/la-ruche-qui-dit-oui")
NEW_ORGANISATION = URIRef("https://w3id.org/partage/id/organisation/cooperative-d-essai")


@pytest.fixture(scope="module")
def admin(own_store: Path, launch_for_module: Any) -> Any:
    """A server with an admin token (from KG_ADMIN_TOKEN, as advised) on the store above."""
    return launch_for_module(own_store, "--workers", "1", env={"KG_ADMIN_TOKEN": TOKEN})


@pytest.fixture
def http(admin: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=admin.url, timeout=300) as client:
        yield client


def post_update(http: httpx.Client, text: str, **headers: str) -> httpx.Response:
    return http.post("/sparql", content=text.encode(), headers={**UPDATE, **AUTH, **headers})


def ask(http: httpx.Client, query: str) -> bool:
    response = http.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def content_hash(store: Path) -> str:
    return str(json.loads((store / "manifest.json").read_text())["content_hash"])


@pytest.mark.parametrize(
    "headers",
    [{}, {"authorization": "Bearer wrong"}, {"authorization": f"Basic {TOKEN}"}, {"x": TOKEN}],
    ids=["none", "wrong", "basic", "elsewhere"],
)
def test_post_update_without_the_token_401(
    http: httpx.Client, own_store: Path, headers: dict[str, str]
) -> None:
    before = content_hash(own_store)
    text = (DATA / "insert-comment.ru").read_text()
    response = http.post("/sparql", content=text, headers={**UPDATE, **headers})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer ")
    assert content_hash(own_store) == before


def test_post_update_wrong_token_names_invalid_token(http: httpx.Client) -> None:
    response = post_update(http, "CLEAR ALL", authorization="Bearer wrong")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_post_update_without_admin_token_configured_403(strict_client: httpx.Client) -> None:
    response = strict_client.post("/sparql", content="CLEAR ALL", headers={**UPDATE, **AUTH})
    assert response.status_code == 403


def test_get_update_refused_400(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"update": "CLEAR ALL"}, headers=AUTH)
    assert response.status_code == 400
    assert "POST" in response.text


def test_post_update_insert_data_commits(http: httpx.Client, own_store: Path) -> None:
    comment = "ASK { ?o rdfs:comment 'Added through SPARQL Update by the tests.'@en }"
    before = http.get("/sparql", params={"query": comment})
    assert before.json()["boolean"] is False

    response = post_update(http, (DATA / "insert-comment.ru").read_text())

    assert response.status_code == 204, response.text
    new_hash = response.headers["x-kg-content-hash"]
    assert new_hash != before.headers["x-kg-content-hash"]
    assert new_hash == content_hash(own_store)
    after = http.get("/sparql", params={"query": comment})
    assert after.json()["boolean"] is True
    assert after.headers["x-kg-content-hash"] == new_hash
    in_study = f"ASK {{ GRAPH <{STUDY}> {{ <{RUCHE}> rdfs:comment ?c }} }}"
    assert ask(http, in_study)


def test_post_update_breaking_a_shape_422_with_report(http: httpx.Client, own_store: Path) -> None:
    before = content_hash(own_store)
    text = (DATA / "insert-organisation-without-english-label.ru").read_text()

    response = post_update(http, text, accept="text/turtle")

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    report = Graph().parse(data=response.text, format="turtle")
    assert (None, SH.conforms, Literal(False)) in report
    failing = set(report.subjects(SH.focusNode, NEW_ORGANISATION))
    assert any((result, SH.resultPath, RDFS.label) in report for result in failing)
    assert content_hash(own_store) == before
    assert not ask(http, f"ASK {{ <{NEW_ORGANISATION}> ?p ?o }}")


def test_post_form_update_changing_nothing_204(http: httpx.Client, own_store: Path) -> None:
    before = content_hash(own_store)
    existing = f"INSERT DATA {{ GRAPH <{STUDY}> {{ <{RUCHE}> a pv:Organisation }} }}"
    response = http.post("/sparql", data={"update": existing}, headers=AUTH)
    assert response.status_code == 204, response.text
    assert response.headers["x-kg-content-hash"] == before == content_hash(own_store)


@pytest.mark.parametrize(
    "text",
    [
        f"DROP GRAPH <{STUDY}>",
        f"DELETE WHERE {{ GRAPH <{STUDY}> {{ ?s ?p ?o }} }}",
        "CLEAR ALL",
        "DROP NAMED",
    ],
)
def test_post_update_emptying_the_study_403(http: httpx.Client, own_store: Path, text: str) -> None:
    before = content_hash(own_store)
    response = post_update(http, text)
    assert response.status_code == 403, response.text
    assert content_hash(own_store) == before
    assert ask(http, f"ASK {{ GRAPH <{STUDY}> {{ <{RUCHE}> a pv:Organisation }} }}")


@pytest.mark.parametrize("graph", ["entailments", "interpretation", "shapes", "description"])
def test_post_update_derived_graph_403(http: httpx.Client, graph: str) -> None:
    name = f"https://w3id.org/partage/graph/{graph}"
    text = f"INSERT DATA {{ GRAPH <{name}> {{ <{RUCHE}> rdfs:comment 'no'@en }} }}"
    response = post_update(http, text)
    assert response.status_code == 403, response.text
    assert name in response.text


@pytest.mark.parametrize(
    "text",
    [
        f"INSERT DATA {{ <{RUCHE}> rdfs:comment 'where?'@en }}",
        f"DELETE DATA {{ <{RUCHE}> a pv:Organisation }}",
        "CLEAR DEFAULT",
        "INSERT { ?s rdfs:comment 'x' } WHERE { ?s a pv:Platform }",
    ],
)
def test_post_update_default_graph_403(http: httpx.Client, text: str) -> None:
    response = post_update(http, text)
    assert response.status_code == 403, response.text
    assert "default graph" in response.text


def test_post_update_load_403(http: httpx.Client) -> None:
    response = post_update(http, "LOAD <https://example.org/data.ttl> INTO GRAPH <urn:x:g>")
    assert response.status_code == 403
    assert "LOAD" in response.text


def test_post_update_service_not_allowed_400(http: httpx.Client) -> None:
    text = (
        "INSERT { GRAPH <urn:x:g> { ?s ?p ?o } } "
        "WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    )
    response = post_update(http, text)
    assert response.status_code == 400
    assert "https://query.wikidata.org/sparql" in response.text


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> } }",
        "INSERT DATA { GRAPH <urn:x:g> { ?s <urn:x:p> 1 } }",  # a variable in DATA
        "INSERT DATA { GRAPH <urn:x:g> { nope:s <urn:x:p> 1 } }",  # an unknown prefix
    ],
)
def test_post_update_malformed_400(http: httpx.Client, text: str) -> None:
    response = post_update(http, text)
    assert response.status_code == 400, response.text


def test_post_form_update_using_graph_uri_with_using_400(http: httpx.Client) -> None:
    text = f"INSERT {{ GRAPH <urn:x:g> {{ ?s a ?c }} }} USING <{STUDY}> WHERE {{ ?s a ?c }}"
    form = {"update": text, "using-graph-uri": STUDY}
    response = http.post("/sparql", data=form, headers=AUTH)
    assert response.status_code == 400
    assert "using-graph-uri" in response.text


def test_get_service_description_advertises_update(http: httpx.Client) -> None:
    description = Graph().parse(
        data=http.get("/sparql", headers={"accept": "text/turtle"}).text, format="turtle"
    )
    update = URIRef("http://www.w3.org/ns/sparql-service-description#SPARQL11Update")
    assert (None, None, update) in description
    assert (None, RDF.type, None) in description


def test_post_update_token_never_logged(http: httpx.Client, admin: Any) -> None:
    post_update(http, "CLEAR ALL")
    post_update(http, "CLEAR ALL", authorization="Bearer not-the-token")
    log = admin.log_text()
    assert TOKEN not in log
    assert "not-the-token" not in log
