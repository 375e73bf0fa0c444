"""A rebuild swaps the store directory under a running server: answers and headers follow."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
from rdflib import Graph, URIRef

from kg.namespaces import ONTOLOGY_GRAPH
from kg.store import read_manifest, write_store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_get_query_after_rebuild_answers_from_the_new_release(
    built_store: Path, tmp_path: Path, launch: object, project_graphs: dict[URIRef, Graph]
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    server = launch(store, "--workers", "1")  # type: ignore[operator]
    before = httpx.get(server.endpoint, params={"query": COUNT})
    old = read_manifest(store)
    assert before.headers["x-kg-content-hash"] == old.content_hash

    new = write_store({ONTOLOGY_GRAPH: project_graphs[ONTOLOGY_GRAPH]}, store, version="9.9.9")
    time.sleep(0.5)  # the HTTP side looks at the manifest at most every 0.2 s
    after = httpx.get(
        server.endpoint, params={"query": COUNT}, headers={"if-none-match": before.headers["etag"]}
    )
    assert after.status_code == 200  # the old validator no longer matches
    assert after.headers["x-kg-release"] == "9.9.9"
    assert after.headers["x-kg-content-hash"] == new.content_hash != old.content_hash
    count = int(after.json()["results"]["bindings"][0]["n"]["value"])
    assert (
        count
        == new.triples[str(ONTOLOGY_GRAPH)]
        < int(before.json()["results"]["bindings"][0]["n"]["value"])
    )
    description = httpx.get(server.endpoint, headers={"accept": "text/turtle"}).text
    assert "graph/study" not in description
