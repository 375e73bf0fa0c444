"""`kg serve --store-url` in front of each remote engine (Oxigraph server and Virtuoso), over
the fixture project's release: what differs between engines (the default graph, ASK's shape,
a syntax error's status, an engine's own graphs and syntax) is the same at our endpoint.

The protocol, update and Graph Store suites run against Oxigraph server in tests/web
(`test_remote_*.py`); here a few cases per engine, so that Virtuoso's quirks are held too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph

from engines import free_port, stop
from kg import release
from kg.remote.client import RemoteStore
from kg.remote.publish import Content, publish_content

KG = str(Path(sys.executable).parent / "kg")
ROOT = Path(__file__).resolve().parents[2]
Engine = Any  # tests/remote/conftest.py's Engine


@pytest.fixture
def served(remote: Engine, release_a: release.Release, tmp_path: Path) -> Iterator[str]:
    """`kg serve --store-url` in front of `remote`, holding release A; its endpoint URL."""
    store = tmp_path / "store"
    release.write(release_a, store)
    with RemoteStore.of(remote.settings()) as target:
        publish_content(Content.of_release(release_a), target, None)
    port = free_port()
    log = tmp_path / "serve.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    command = [KG, "serve", "--port", str(port), "--store", str(store), "--root", str(ROOT)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**environment, **remote.env, "KG_ENGINE": "inline", "KG_WORKERS": "1"},
        )
    endpoint = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        try:
            if httpx.get(endpoint, timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield endpoint
    stop(process)


def test_get_query_counts_only_the_release_graphs(served: str, release_a: release.Release) -> None:
    """Virtuoso's default graph is every graph it holds, its own included: not here."""
    expected = Content.of_release(release_a).record
    query = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.get(served, params={"query": query})
    assert response.status_code == 200, response.text
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == sum(
        expected.triples.values()
    )
    assert response.headers["x-kg-content-hash"] == expected.content_hash
    union = httpx.get(served, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert (
        0
        < int(union.json()["results"]["bindings"][0]["n"]["value"])
        <= sum(expected.triples.values())
    )


@pytest.mark.parametrize(
    ("query", "expected"), [("ASK { ?s ?p ?o }", True), ("ASK { <urn:x:no> ?p ?o }", False)]
)
def test_get_query_ask_is_a_boolean(served: str, query: str, expected: bool) -> None:
    """Virtuoso answers ASK as a one-row SELECT: the endpoint gives the boolean."""
    for accept in ("application/sparql-results+json", "application/sparql-results+xml"):
        response = httpx.get(served, params={"query": query}, headers={"accept": accept})
        assert response.status_code == 200, response.text
        if accept.endswith("json"):
            assert response.json() == {"head": {}, "boolean": expected}
        else:
            assert f"<boolean>{str(expected).lower()}</boolean>" in response.text


@pytest.mark.parametrize(
    "query",
    ["SELECT * WHERE { ?s ?p }", 'DEFINE input:inference "x" SELECT * { ?s ?p ?o }'],
    ids=["malformed", "engine-syntax"],
)
def test_get_query_syntax_error_400_with_line_and_column(served: str, query: str) -> None:
    """Virtuoso answers a syntax error with a 500 and takes its own DEFINE pragmas: the query
    is read here first, so both are our 400 with the parser's position."""
    response = httpx.get(served, params={"query": query})
    assert response.status_code == 400, response.text
    assert "error at 1:" in response.text


def test_get_query_construct_turtle_with_our_prefixes(served: str) -> None:
    query = "CONSTRUCT WHERE { ?s a ?type }"
    response = httpx.get(served, params={"query": query}, headers={"accept": "text/turtle"})
    assert response.status_code == 200, response.text
    assert "@prefix pv: <https://w3id.org/partage/ontology#>" in response.text
    assert len(Graph().parse(data=response.text, format="turtle")) > 0
