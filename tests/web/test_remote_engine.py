"""What only the remote engine must take care of (`kg.engine.remote`), against Oxigraph server:
graphs that are not the release's never answer, SERVICE is refused before the store sees the
query, the time limit holds, answers are cut at --max-results."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import REMOTE_ENV, Launcher, Server
from kg.config import Settings
from kg.remote.client import RemoteStore
from kg.remote.record import STAGING

FOREIGN = (
    f"INSERT DATA {{ GRAPH <{STAGING}0000000000000000:https://w3id.org/partage/graph/study>"
    " { <urn:x:leak> <urn:x:p> 'staging' } GRAPH <urn:x:system> { <urn:x:leak> <urn:x:p> 'engine' }"
    " <urn:x:leak> <urn:x:p> 'unnamed' }"
)
LEAK = "SELECT * { { <urn:x:leak> ?p ?o } UNION { GRAPH ?g { <urn:x:leak> ?p ?o } } }"


@pytest.fixture
def remote(remote_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=remote_server.url, timeout=30) as http:
        yield http


@pytest.fixture
def foreign_graphs(oxigraph_release: str) -> Iterator[None]:
    """Triples the release does not have, in a staging graph, a graph of the engine's own and
    the unnamed graph of the shared Oxigraph server; removed afterwards."""
    settings = Settings(store_url=oxigraph_release, store_profile="oxigraph")
    with RemoteStore.of(settings) as store:
        store.update(FOREIGN)
        yield
        store.update(FOREIGN.replace("INSERT DATA", "DELETE DATA"))


@pytest.mark.usefixtures("foreign_graphs")
@pytest.mark.parametrize(
    "params",
    [
        {"query": LEAK},
        {"query": LEAK, "default-graph-uri": "urn:x:system", "named-graph-uri": "urn:x:system"},
        {"query": f"SELECT * FROM <urn:x:system> FROM NAMED <{STAGING}x> {LEAK[9:]}"},
    ],
    ids=["union", "protocol-dataset", "from"],
)
def test_get_query_graphs_outside_the_release_never_answer(
    remote: httpx.Client, params: dict[str, str]
) -> None:
    response = remote.get("/sparql", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"] == []


def test_get_query_counts_as_on_the_embedded_store(
    remote: httpx.Client, client: httpx.Client
) -> None:
    query = (
        "SELECT ?g (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g"
    )
    answers = [
        sorted(
            (row.get("g", {}).get("value", ""), row["n"]["value"])
            for row in http.get("/sparql", params={"query": query}).json()["results"]["bindings"]
        )
        for http in (remote, client)
    ]
    assert answers[0] == answers[1]


@pytest.fixture
def listener() -> Iterator[tuple[str, list[object]]]:
    """An HTTP endpoint on loopback that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[object] = []
    stopping = threading.Event()

    def accept() -> None:
        while not stopping.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            seen.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql", seen
    stopping.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("keyword", ["SERVICE", "\\u0053ERVICE"], ids=["plain", "escaped"])
def test_get_query_service_not_allowed_400_and_never_called(
    remote: httpx.Client, listener: tuple[str, list[object]], keyword: str
) -> None:
    url, seen = listener
    query = f"SELECT * {{ {keyword} <{url}> {{ ?s ?p ?o }} }}"
    response = remote.get("/sparql", params={"query": query})
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.text
    time.sleep(0.5)
    assert seen == []


def test_get_query_over_max_results_cut_and_marked(remote: httpx.Client) -> None:
    response = remote.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["x-kg-truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == 500


def test_get_query_past_the_time_limit_503_in_time(
    built_store: Path, launch_remote_for_module: Launcher
) -> None:
    """An Oxigraph server of its own (stopped with the module): the runaway query keeps it busy
    after our answer, since Oxigraph cannot be told to stop."""
    running = launch_remote_for_module(built_store, "--timeout", "1", env=REMOTE_ENV)
    query = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    response = httpx.get(running.endpoint, params={"query": query}, timeout=30)
    assert response.status_code == 503, response.text
    assert time.monotonic() - started < 3
    assert "time limit" in response.text
