"""The engines' quirks of remote-stores.md §0.10 and §3.4, each a regression test.

Each test shows the quirk on the engine that has it (so a new engine version that drops it is
noticed) and that `kg.remote.client` gets the right answer anyway, on both engines.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kg.remote.client import RemoteError, RemoteStore
from kg.remote.embedded import MemoryStore
from kg.remote.profiles import PROFILES
from kg.remote.publish import drop

Engine = Any  # tests/remote/conftest.py's Engine

GRAPH = "urn:x:quirk"


def test_get_missing_graph_then_query_on_the_same_connection(remote: Engine) -> None:
    # Oxigraph's 404 to HEAD carries a body that breaks the kept-alive connection: the client
    # never sends HEAD (head_usable is False), and a 404 to GET leaves the connection usable.
    assert not PROFILES[remote.name].head_usable
    with RemoteStore.of(remote.settings()) as store:
        assert store.get_graph("urn:x:missing") is None
        assert store.ask("ASK { }") is True


def test_head_on_missing_graph_is_unusable(oxigraph_server: Engine) -> None:
    gsp = oxigraph_server.env["KG_STORE_URL"].replace("/query", "/store")
    with httpx.Client() as client:
        answer = client.head(gsp, params={"graph": "urn:x:missing"})
        assert answer.status_code == 404
        # the 41-byte body the 404 announces is sent after the headers anyway
        assert int(answer.headers["content-length"]) > 0


def test_virtuoso_head_is_not_implemented(virtuoso_server: Engine) -> None:
    gsp = virtuoso_server.env["KG_STORE_URL"].replace("/sparql", "/sparql-graph-crud")
    assert httpx.head(gsp, params={"graph": "urn:x:missing"}).status_code == 501


def test_virtuoso_answers_ask_as_a_select(virtuoso_server: Engine) -> None:
    url = virtuoso_server.env["KG_STORE_URL"]
    raw = httpx.post(
        url, data={"query": "ASK { }"}, headers={"Accept": "application/sparql-results+json"}
    )
    assert "boolean" not in raw.json() and raw.json()["head"]["vars"] == ["__ASK_RETVAL"]
    with RemoteStore.of(virtuoso_server.settings()) as store:
        assert store.ask("ASK { }") is True
        assert store.ask("ASK { GRAPH <urn:x:missing> { ?s ?p ?o } }") is False


def test_virtuoso_never_answers_a_direct_post_query(virtuoso_server: Engine) -> None:
    url = virtuoso_server.env["KG_STORE_URL"]
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            url,
            content=b"SELECT * WHERE { ?s ?p ?o } LIMIT 1",
            headers={"Content-Type": "application/sparql-query"},
            timeout=httpx.Timeout(2.0, connect=2.0),
        )
    with RemoteStore.of(virtuoso_server.settings()) as store:  # form POST: answered
        assert store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_virtuoso_refuses_a_large_insert_data(virtuoso_server: Engine) -> None:
    # SP031 (too much SQL) or SP030 (parser memory), by the size of the literals
    triples = " ".join(f'<urn:x:s{i}> <urn:x:p> "label {i}"@en .' for i in range(6_000))
    with (
        RemoteStore.of(virtuoso_server.settings()) as store,
        pytest.raises(RemoteError, match="Error SP03"),
    ):
        store.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}")
    assert PROFILES["virtuoso"].max_insert_triples < 2_000


def test_bad_query_is_an_error_with_the_engines_message(remote: Engine) -> None:
    # Virtuoso answers 500 (not 400) to a syntax error; Oxigraph 400. Either way, a RemoteError
    # that keeps the engine's words.
    with RemoteStore.of(remote.settings()) as store, pytest.raises(RemoteError, match=r"\d{3} \S"):
        store.select("SELECT WHERE {")


def test_drop_of_a_graph_never_created_succeeds(remote: Engine) -> None:
    # Virtuoso refuses a plain DROP GRAPH of a graph no CREATE GRAPH made: drop() is SILENT.
    with RemoteStore.of(remote.settings()) as store:
        with pytest.raises(RemoteError):
            store.update("DROP GRAPH <urn:x:never>")
        drop(store, ["urn:x:never"])


def test_put_replaces_whatever_status_it_answers(remote: Engine) -> None:
    # Virtuoso answers a replace with 200, Oxigraph with 204; both are a success.
    with RemoteStore.of(remote.settings()) as store:
        store.put_graph(GRAPH, b"<urn:x:a> <urn:x:b> <urn:x:c> .\n")
        store.put_graph(GRAPH, b"<urn:x:a> <urn:x:b> <urn:x:d> .\n")
        held = store.get_graph(GRAPH) or b""
        assert b"<urn:x:d>" in held and b"<urn:x:c>" not in held
        drop(store, [GRAPH])


def test_put_of_bad_rdf_is_refused(remote: Engine) -> None:
    # Virtuoso keeps part of a failed PUT: only staging graphs are ever PUT, and counted after.
    with RemoteStore.of(remote.settings()) as store, pytest.raises(RemoteError):
        store.put_graph(GRAPH, b"<urn:x:a> <urn:x:b> .\n")
    with RemoteStore.of(remote.settings()) as store:
        drop(store, [GRAPH])


def test_default_graph_without_a_dataset_differs_so_queries_name_theirs(remote: Engine) -> None:
    with RemoteStore.of(remote.settings()) as store:
        store.put_graph(GRAPH, b"<urn:x:a> <urn:x:b> <urn:x:c> .\n")
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        unnamed = int(store.select(count)[0]["n"])
        assert unnamed == (0 if remote.name == "oxigraph" else unnamed)  # Virtuoso: every graph
        assert remote.name == "oxigraph" or unnamed > 1
        assert store.select(count, default_graphs=[GRAPH]) == [{"n": "1"}]
        drop(store, [GRAPH])


def test_virtuoso_loads_no_nquads_in_one_request(virtuoso_server: Engine) -> None:
    # It answers the GSP POST of N-Quads with its HTML upload form and loads nothing: the
    # profile skolemises and sends graph by graph instead.
    assert not PROFILES["virtuoso"].nquads_load
    gsp = virtuoso_server.env["KG_STORE_URL"] + "-graph-crud-auth"
    answer = httpx.post(
        gsp,
        content=f"<urn:x:a> <urn:x:b> <urn:x:c> <{GRAPH}> .\n".encode(),
        headers={"Content-Type": "application/n-quads"},
        auth=httpx.DigestAuth(
            virtuoso_server.env["KG_STORE_USER"], virtuoso_server.env["KG_STORE_PASSWORD"]
        ),
    )
    assert answer.status_code == 200 and b"<html" in answer.content
    with RemoteStore.of(virtuoso_server.settings()) as store:
        assert store.get_graph(GRAPH) in (None, b"")


def test_oxigraph_keeps_a_derived_integer_type_as_integer() -> None:
    # Why `kg validate --store-url` compares counts, not content hashes.
    store = MemoryStore()
    store.put_graph(
        GRAPH, b'<urn:x:a> <urn:x:b> "1"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .\n'
    )
    assert b"XMLSchema#integer" in (store.get_graph(GRAPH) or b"")
