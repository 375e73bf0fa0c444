"""The Graph Store Protocol tests again, with `kg serve --store-url` in front of an Oxigraph
server of this module's own: reads are CONSTRUCTs the remote store answers, writes are edits
published there (`kg.updates.edit_served_store`).

The tests are the embedded ones, imported by name; this module's `admin` server is the remote
one. Left out: those about `strict_server`, which stays embedded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_graph_store import (  # noqa: F401 - collected again here, against the remote store
    TOKEN,
    http,
    test_delete_graph_missing_404,
    test_delete_graph_study_403,
    test_get_default_graph_is_the_union,
    test_get_graph_missing_404,
    test_get_graph_negotiates_n_triples,
    test_get_graph_not_acceptable_406,
    test_get_graph_public_200,
    test_get_graph_unclear_target_400,
    test_head_graph_headers_without_body,
    test_put_default_graph_403,
    test_put_graph_breaking_a_shape_422_with_json_report,
    test_put_graph_derived_403,
    test_put_graph_malformed_turtle_400_names_the_line,
    test_put_graph_relative_iri_400,
    test_put_graph_unsupported_media_type_415,
    test_put_post_get_delete_graph_round_trip,
    test_write_graph_without_the_token_401,
)


@pytest.fixture(scope="module")
def admin(own_store: Path, launch_remote_for_module: Any) -> Any:
    """A server with an admin token, in front of an Oxigraph server holding `own_store`'s
    release (published there first)."""
    return launch_remote_for_module(own_store, "--workers", "1", "--admin-token", TOKEN)
