"""Concurrent SPARQL Updates on a fresh server: each gets its own answer, and editing goes on.

rdflib's SPARQL parser (pyparsing) is not thread-safe; before `kg.sparql_grammar` serialised it,
updates arriving together on a fresh server got 400 `postParse2() missing 1 required positional
argument` in place of their 403, and every later update, valid ones too, got a 400.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier
from typing import Any

import httpx

TOKEN = "concurrency-admin-token"
HEADERS = {"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"}
RUCHE = "https://w3id.org/partage/id/organisation/la-ruche-qui-dit-oui"
ENTAILMENTS = "https://w3id.org/partage/graph/entailments"


def case(i: int) -> tuple[str, int]:
    """The i-th update and the status it must get: malformed, default graph, derived, valid."""
    kind = i % 4
    if kind == 0:
        return f"INSERT DATA {{ GRAPH <urn:x:g{i}> {{ <urn:x:s> <urn:x:p> }} }}", 400
    if kind == 1:
        return f"INSERT DATA {{ <{RUCHE}> rdfs:comment 'where {i}?'@en }}", 403
    if kind == 2:
        return f"INSERT DATA {{ GRAPH <{ENTAILMENTS}> {{ <{RUCHE}> rdfs:comment '{i}' }} }}", 403
    if i < 8:  # a few valid edits: each one is validated and written in turn
        return f"INSERT DATA {{ GRAPH <urn:x:g{i}> {{ <urn:x:s> <urn:x:p> {i} }} }}", 204
    return f"INSERT DATA {{ <{RUCHE}> rdfs:comment 'x' }} ; CLEAR DEFAULT {i}", 400


def send_together(url: str, texts: list[str]) -> list[int]:
    start = Barrier(len(texts))

    def send(text: str) -> int:
        with httpx.Client(base_url=url, timeout=120) as http:
            start.wait()
            return http.post("/sparql", content=text.encode(), headers=HEADERS).status_code

    with ThreadPoolExecutor(len(texts)) as pool:
        return list(pool.map(send, texts))


def test_post_update_32_concurrent_first_updates_each_get_their_status(
    own_store: Path, launch: Any
) -> None:
    server = launch(own_store, "--workers", "1", env={"KG_ADMIN_TOKEN": TOKEN})
    cases = [case(i) for i in range(32)]
    statuses = send_together(server.url, [text for text, _ in cases])
    assert statuses == [status for _, status in cases]
    with httpx.Client(base_url=server.url, timeout=120) as http:
        after = "INSERT DATA { GRAPH <urn:x:after> { <urn:x:s> <urn:x:p> 'after' } }"
        response = http.post("/sparql", content=after.encode(), headers=HEADERS)
        assert response.status_code == 204, response.text
        asked = http.get(
            "/sparql", params={"query": "ASK { GRAPH <urn:x:after> { ?s ?p 'after' } }"}
        )
        assert asked.json()["boolean"] is True
