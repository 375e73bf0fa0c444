"""SPARQL Update and the Graph Store Protocol again, with `kg serve --store-url` in front of an
Oxigraph server of this module's own: an edit makes the release locally and publishes it to
the remote store (`kg.updates.edit_served_store`), so queries see it at once.

The tests are the embedded ones, imported by name; this module's `admin` server is the remote
one. Left out: those about `strict_server`, which stays embedded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_update import (  # noqa: F401 - collected again here, against the remote store
    TOKEN,
    content_hash,
    http,
    post_update,
    test_get_service_description_advertises_update,
    test_get_update_refused_400,
    test_post_form_update_changing_nothing_204,
    test_post_form_update_using_graph_uri_with_using_400,
    test_post_update_breaking_a_shape_422_with_report,
    test_post_update_default_graph_403,
    test_post_update_derived_graph_403,
    test_post_update_emptying_the_study_403,
    test_post_update_insert_data_commits,
    test_post_update_load_403,
    test_post_update_malformed_400,
    test_post_update_service_not_allowed_400,
    test_post_update_token_never_logged,
    test_post_update_without_the_token_401,
    test_post_update_wrong_token_names_invalid_token,
)

from kg.config import Settings
from kg.remote.client import RemoteStore
from kg.remote.record import read_record

DATA_INSERT = Path(__file__).resolve().parents[1] / "data" / "update" / "insert-comment.ru"


@pytest.fixture(scope="module")
def admin(own_store: Path, launch_remote_for_module: Any) -> Any:
    """A server with an admin token, in front of an Oxigraph server holding `own_store`'s
    release (published there first)."""
    return launch_remote_for_module(own_store, "--workers", "1", env={"KG_ADMIN_TOKEN": TOKEN})


REVIEW = "https://example.org/graphs/remote-review"
SEE_ALSO = (
    "<https://w3id.org/partage/id/organisation/la-ruche-qui-dit-oui>"
    " <http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://example.org/review>"
)


@pytest.fixture
def admin_client(admin: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=admin.url, timeout=300) as client:
        yield client


def test_post_update_publishes_to_the_remote_store_first(
    admin_client: httpx.Client, own_store: Path, launch_remote_for_module: Any
) -> None:
    text = f"INSERT DATA {{ GRAPH <{REVIEW}> {{ {SEE_ALSO} }} }}"
    response = post_update(admin_client, text)
    assert response.status_code == 204, response.text
    settings = Settings(store_url=launch_remote_for_module.urls[0], store_profile="oxigraph")
    with RemoteStore.of(settings) as remote:
        record = read_record(remote)
    assert record is not None
    assert record.content_hash == content_hash(own_store) == response.headers["x-kg-content-hash"]
    assert REVIEW in record.triples
    ask = admin_client.get(
        "/sparql", params={"query": f"ASK {{ GRAPH <{REVIEW}> {{ {SEE_ALSO} }} }}"}
    )
    assert ask.json()["boolean"] is True
    assert ask.headers["x-kg-content-hash"] == record.content_hash


def test_post_update_on_a_release_no_longer_live_409(
    admin_client: httpx.Client, own_store: Path, launch_remote_for_module: Any
) -> None:
    """Another publisher swapped in a release meanwhile: the edit is refused, nothing written."""
    settings = Settings(store_url=launch_remote_for_module.urls[0], store_profile="oxigraph")
    before = content_hash(own_store)
    with RemoteStore.of(settings) as remote:
        live = read_record(remote)
        assert live is not None
        other = live.__class__("9.9.9", "0" * 64, live.triples)
        remote.update(other.insert())
        try:
            # A comment of its own: the module's other tests may have added the common one
            # already, and an edit that changes nothing is answered 204 without publishing.
            text = DATA_INSERT.read_text().replace("by the tests.", "by the stale-release test.")
            response = post_update(admin_client, text)
            assert response.status_code == 409, response.text
            assert "start again from what is live" in response.text
            assert content_hash(own_store) == before
        finally:
            remote.update(live.insert())
