"""An accepted edit publishes its own SHACL report: what it breaks at Warning level shows in
the report graph and on the resource's page, and what it mends is cleared from both."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

TOKEN = "report-admin-token"
HEADERS = {"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"}
STUDY = "https://w3id.org/partage/graph/study"
REPORT = "https://w3id.org/partage/graph/validation-report"
CLAIM = "https://w3id.org/partage/id/claim/la-ruche-qui-dit-oui-community-spokespersons"
COMMUNITY = "https://w3id.org/partage/id/community/la-ruche-spokespersons"
MESSAGE = "A community belongs to an organisation (pv:hasCommunity)."
WARNED = f"""ASK {{ GRAPH <{REPORT}> {{
    ?result sh:focusNode <{COMMUNITY}> ; sh:resultSeverity sh:Warning }} }}"""


@pytest.fixture
def http(small_store: Path, tmp_path: Path, launch: Any) -> Iterator[httpx.Client]:
    """A server on a copy of `small_store`, whose community of spokespersons La Ruche has by
    a claim of the study (tests/data/edit/)."""
    store = tmp_path / "store"
    shutil.copytree(small_store, store)
    server = launch(store, "--workers", "1", env={"KG_ADMIN_TOKEN": TOKEN})
    with httpx.Client(base_url=server.url, timeout=120) as client:
        yield client


def update(http: httpx.Client, text: str) -> None:
    response = http.post("/sparql", content=text.encode(), headers=HEADERS)
    assert response.status_code == 204, response.text


def asks(http: httpx.Client, query: str) -> bool:
    prefixed = f"PREFIX sh: <http://www.w3.org/ns/shacl#> {query}"
    return bool(http.get("/sparql", params={"query": prefixed}).json()["boolean"])


def page(http: httpx.Client) -> str:
    response = http.get("/id/community/la-ruche-spokespersons", headers={"accept": "text/html"})
    assert response.status_code == 200
    return response.text


def test_post_update_warning_shows_in_report_and_page_then_clears(http: httpx.Client) -> None:
    assert not asks(http, WARNED)
    query = f"CONSTRUCT {{ <{CLAIM}> ?p ?o }} WHERE {{ GRAPH <{STUDY}> {{ <{CLAIM}> ?p ?o }} }}"
    claim = http.get(
        "/sparql", params={"query": query}, headers={"accept": "application/n-triples"}
    ).text
    assert claim.strip()

    update(http, f"DELETE WHERE {{ GRAPH <{STUDY}> {{ <{CLAIM}> ?p ?o }} }}")
    assert asks(http, WARNED)
    assert MESSAGE in page(http)

    update(http, f"INSERT DATA {{ GRAPH <{STUDY}> {{ {claim} }} }}")
    assert not asks(http, WARNED)
    assert MESSAGE not in page(http)
