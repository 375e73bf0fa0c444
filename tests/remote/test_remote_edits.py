"""Edits through `kg serve --store-url --admin-token` in front of each remote engine: an
accepted one is published to the engine (stage and swap: atomic on Oxigraph, not on Virtuoso,
whose graphs go one by one, blank nodes skolemised) and then served; a refused one changes
nothing, neither the engine's release record nor the release files.

tests/web's `test_remote_update.py` and `test_remote_graph_store.py` run the whole update and
Graph Store suites against Oxigraph server; these few hold Virtuoso to the same.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from kg import release
from kg.namespaces import BASE
from kg.remote.client import RemoteStore
from kg.remote.record import ReleaseRecord, read_record

Engine = Any  # tests/remote/conftest.py's Engine
TOKEN = "remote-edit-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
REVIEW = "https://example.org/graphs/remote-review"
NOTE = f"<{BASE}id/org-alpha> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <urn:x:review>"


@pytest.fixture
def admin(remote: Engine, release_a: release.Release, serve_in_front: Any) -> Any:
    """`kg serve` with an admin token in front of `remote`, holding release A."""
    return serve_in_front(remote, release_a, KG_ADMIN_TOKEN=TOKEN)


def record_of(remote: Engine) -> ReleaseRecord:
    with RemoteStore.of(remote.settings()) as store:
        found = read_record(store)
    assert found is not None
    return found


def manifest_hash(store: Path) -> str:
    return str(json.loads((store / "manifest.json").read_text())["content_hash"])


def ask(admin: Any, query: str) -> httpx.Response:
    response = httpx.get(admin.endpoint, params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    return response


def assert_published(admin: Any, remote: Engine, before: str, answer: httpx.Response) -> None:
    """The edit's release is the engine's, the local files' and the one answers name."""
    published = answer.headers["x-kg-content-hash"]
    assert published != before
    assert record_of(remote).content_hash == published == manifest_hash(admin.store)
    assert REVIEW in record_of(remote).triples
    found = ask(admin, f"ASK {{ GRAPH <{REVIEW}> {{ {NOTE} }} }}")
    assert found.json()["boolean"] is True
    assert found.headers["x-kg-content-hash"] == published


def test_post_update_publishes_to_the_store(admin: Any, remote: Engine) -> None:
    """On Virtuoso the publish is graph by graph and its swap not atomic: the edit must still
    end with the engine, the files and the answers on the new release."""
    before = record_of(remote).content_hash
    update = f"INSERT DATA {{ GRAPH <{REVIEW}> {{ {NOTE} }} }}"
    answer = httpx.post(admin.endpoint, data={"update": update}, headers=AUTH, timeout=120)
    assert answer.status_code == 204, answer.text
    assert_published(admin, remote, before, answer)


def test_put_graph_publishes_to_the_store(admin: Any, remote: Engine) -> None:
    """A Graph Store write is the same edit as an update: published before it is answered."""
    before = record_of(remote).content_hash
    service = admin.endpoint.replace("/sparql", "/rdf-graphs/service")
    answer = httpx.put(
        service,
        params={"graph": REVIEW},
        content=f"{NOTE} .\n".encode(),
        headers={**AUTH, "content-type": "application/n-triples"},
        timeout=120,
    )
    assert answer.status_code == 201, answer.text
    assert_published(admin, remote, before, answer)


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), (AUTH, 422)],
    ids=["without-the-token", "breaking-a-shape"],
)
def test_post_update_refused_changes_nothing(
    admin: Any, remote: Engine, headers: dict[str, str], status: int
) -> None:
    """An organisation without a label breaks the fixture's shape: neither that edit nor one
    without the token reaches the engine."""
    before = record_of(remote)
    organisation = f"<{BASE}id/org-gamma>"
    update = (
        f"INSERT DATA {{ GRAPH <{REVIEW}> {{ {organisation} a "
        "<https://w3id.org/partage/ontology#Organisation> } }"
    )
    answer = httpx.post(admin.endpoint, data={"update": update}, headers=headers, timeout=120)
    assert answer.status_code == status, answer.text
    assert record_of(remote) == before
    assert manifest_hash(admin.store) == before.content_hash
    found = ask(admin, f"ASK {{ {organisation} ?p ?o }}")
    assert found.json()["boolean"] is False
    assert found.headers["x-kg-content-hash"] == before.content_hash
