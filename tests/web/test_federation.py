"""SERVICE only to allowlisted endpoints (https://www.w3.org/TR/sparql11-federated-query/).

A plain listener stands for an endpoint that must never be called: the tests prove it gets no
connection. Another `kg serve` over the built store stands for an allowlisted endpoint.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kg.federation import (
    SERVICE_VARIABLE,
    ServiceCheckError,
    fetches_in_update,
    forbidden,
    may_call_services,
    services_in,
)
from kg.namespaces import PREFIXES
from kg.query_text import expand_codepoints


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it accepts."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\U00000053\\u0045RVICE <{url}> {{ ?s ?p ?o }} }}",
        "ASK {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ],
)
def test_get_query_service_not_allowed_400_and_never_connects(
    client: httpx.Client, listener: Listener, template: str
) -> None:
    query = template.format(url=listener.url)
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.text
    again = client.post("/sparql", data={"query": query})  # the cached verdict, by POST
    assert again.status_code == 400
    assert listener.connections == 0


def test_get_query_unparseable_by_checker_refused(client: httpx.Client, listener: Listener) -> None:
    # Mentions "service" but rdflib cannot read it: refused rather than trusted.
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o "
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert listener.connections == 0


def test_a_query_the_checker_cannot_read_is_refused_every_time(
    client: httpx.Client, listener: Listener
) -> None:
    # Oxigraph reads this RDF 1.2 triple term, rdflib does not: the first refusal must not be
    # remembered as "calls no service", which would let the second one through.
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p <<( ?a ?b ?c )>> }} }}"
    for _ in range(2):
        assert client.get("/sparql", params={"query": query}).status_code == 400
    assert listener.connections == 0


def test_get_query_service_word_in_data_is_fine(client: httpx.Client) -> None:
    query = 'SELECT * WHERE { ?s ?p "service" } LIMIT 1'
    assert client.get("/sparql", params={"query": query}).status_code == 200


# An allowlisted endpoint: another instance of our own server
@pytest.fixture(scope="module")
def stand_in(server: object) -> object:
    """The session's server, which the federating one is allowed to call."""
    return server


@pytest.fixture(scope="module")
def federating(built_store: Path, launch_for_module: object, stand_in: object) -> object:
    endpoint = stand_in.endpoint  # type: ignore[attr-defined]
    return launch_for_module(  # type: ignore[operator]
        built_store, "--workers", "1", "--service-allow", endpoint, "--timeout", "20"
    )


def test_get_query_allowlisted_service_federates(federating: object, stand_in: object) -> None:
    remote = stand_in.endpoint  # type: ignore[attr-defined]
    query = (
        "SELECT ?o ?label WHERE { ?o a pv:Platform . "
        f"SERVICE <{remote}> {{ ?o <http://www.w3.org/2000/01/rdf-schema#label> ?label }} }}"
    )
    url = federating.endpoint  # type: ignore[attr-defined]
    response = httpx.get(url, params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    labels = {row["label"]["value"] for row in response.json()["results"]["bindings"]}
    assert "La Ruche qui dit Oui !" in labels or len(labels) >= 6
    assert "GET /sparql 200" in stand_in.log_text() or "POST /sparql 200" in stand_in.log_text()  # type: ignore[attr-defined]


def test_get_query_allowlist_admits_only_its_endpoints(
    federating: object, listener: Listener
) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    url = federating.endpoint  # type: ignore[attr-defined]
    response = httpx.get(url, params={"query": query}, timeout=30)
    assert response.status_code == 400
    assert listener.connections == 0


def test_get_description_names_federation_when_allowed(federating: object) -> None:
    text = httpx.get(federating.endpoint, timeout=30).text  # type: ignore[attr-defined]
    assert "sd:BasicFederatedQuery" in text


# The checker itself
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"\u0053ERVICE", "SERVICE"),
        (r"\U0001F600", "\U0001f600"),
        (r"\u00", r"\u00"),
        (r"\UFFFFFFFF", r"\UFFFFFFFF"),
        ("plain", "plain"),
    ],
)
def test_expand_codepoints(text: str, expected: str) -> None:
    assert expand_codepoints(text) == expected


def test_may_call_services_sound_fast_path() -> None:
    assert may_call_services("SELECT * { SERVICE <x> {} }")
    assert may_call_services(r"SELECT * { \u0073ervice <x> {} }")
    assert not may_call_services("SELECT * { ?s ?p ?o }")


def test_services_in_finds_nested_and_variable_endpoints() -> None:
    query = (
        "SELECT * { { SELECT ?s { SERVICE <http://a/1> { ?s ?p ?o } } } "
        "MINUS { SERVICE pv:two {} } OPTIONAL { SERVICE ?v {} } }"
    )
    found = services_in(query, PREFIXES)
    assert found == tuple(sorted({"http://a/1", PREFIXES["pv"] + "two", SERVICE_VARIABLE}))
    assert sorted(forbidden(found, ["http://a/1"])) == sorted(
        [PREFIXES["pv"] + "two", SERVICE_VARIABLE]
    )


def test_services_in_resolves_relative_iris_against_the_base() -> None:
    assert services_in("SELECT * { SERVICE <svc> {} }", {}, "http://b/") == ("http://b/svc",)


def test_fetches_in_update_finds_load_and_service() -> None:
    update = (
        "LOAD <http://a/data.ttl> INTO GRAPH <http://g/> ; "
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://a/sparql> { ?s ?p ?o } }"
    )
    assert fetches_in_update(update, PREFIXES) == ("http://a/data.ttl", "http://a/sparql")
    assert fetches_in_update("CLEAR ALL", PREFIXES) == ()


def test_services_in_unparseable_raises() -> None:
    with pytest.raises(ServiceCheckError):
        services_in("SELECT * { SERVICE", {})


def test_concurrent_first_service_checks_each_get_their_answer(
    built_store: Path, launch: Any, listener: Listener
) -> None:
    """The SERVICE check parses queries with rdflib on the engine's threads, as updates are
    parsed on the server's: 24 different queries at once on a fresh server (none parsed before)
    are each refused for the endpoint they name (a verdict, not "cannot check": a parser broken
    by concurrency fails closed, but says so), and none reaches it."""
    server = launch(built_store)
    texts = [
        f"SELECT * WHERE {{ ?s ?p {n} . SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        for n in range(24)
    ]
    answers: list[tuple[int, str]] = []

    def ask(text: str) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            response = client.get("/sparql", params={"query": text})
            answers.append((response.status_code, response.text))

    threads = [threading.Thread(target=ask, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [status for status, _ in answers] == [400] * len(texts)
    verdict = f"SERVICE is not allowed to {listener.url}"
    assert [text for _, text in answers if verdict not in text] == []
    assert listener.connections == 0
