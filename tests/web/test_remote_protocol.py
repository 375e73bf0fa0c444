"""The protocol, HTTP and negotiation tests again, with `kg serve --store-url` in front of
Oxigraph server (`remote_server`): what users see must not depend on the engine.

The tests are the embedded ones, imported by name; this module's `server` is the remote one,
so their `client` (and SPARQLWrapper's endpoint) reach it. Left out: the tests that are not
about a server (format tables, the negotiation parser) and those about `strict_server`, which
stays embedded.
"""

from __future__ import annotations

import pytest
from test_negotiation import (  # noqa: F401 - collected again here, against the remote store
    test_get_query_ask_each_results_format,
    test_get_query_construct_each_graph_format,
    test_get_query_construct_with_csv_accept_406,
    test_get_query_nothing_acceptable_406,
    test_get_query_q_values_pick_the_preferred,
    test_get_query_select_each_results_format_by_accept,
    test_get_query_select_each_results_format_by_format_param,
    test_get_query_unknown_format_param_406,
)
from test_protocol_http import (  # noqa: F401 - collected again here, against the remote store
    test_every_response_names_its_release,
    test_get_description_if_none_match_304,
    test_get_query_cors_allows_any_origin,
    test_get_query_etag_differs_by_media_type,
    test_get_query_if_modified_since_304,
    test_get_query_if_none_match_304,
    test_get_query_logged_one_line_with_hash_never_the_token,
    test_get_query_names_its_release,
    test_head_query_same_headers_no_body,
    test_options_sparql_preflight_allows_reads_only,
    test_post_query_error_is_readable_cross_origin,
    test_post_query_has_no_validators,
)
from test_protocol_query import (  # noqa: F401 - collected again here, against the remote store
    server_endpoint,
    test_get_query_dataset_not_an_iri_400,
    test_get_query_default_dataset_is_union_of_named_graphs,
    test_get_query_default_graph_uri_honoured,
    test_get_query_from_clause_keeps_its_dataset,
    test_get_query_malformed_400_with_line_and_column,
    test_get_query_named_graph_uri_honoured,
    test_get_query_prefixes_predeclared_and_base_resolved,
    test_get_query_protocol_dataset_overrides_from,
    test_get_query_select_200_json,
    test_get_query_sparqlwrapper_construct_to_rdflib,
    test_get_query_sparqlwrapper_json_select,
    test_get_query_two_default_graph_uris_merge,
    test_get_query_two_query_params_400,
    test_get_update_refused_400,
    test_post_direct_query_dataset_in_url_honoured,
    test_post_direct_query_not_utf8_400,
    test_post_direct_query_plus_url_query_400,
    test_post_direct_query_select_200,
    test_post_form_query_and_update_400,
    test_post_form_query_dataset_in_body_honoured,
    test_post_form_query_select_200,
    test_post_query_sparqlwrapper_post,
    test_post_query_unknown_content_type_415,
    test_put_sparql_405,
)

from conftest import Server


@pytest.fixture(scope="module")
def server(remote_server: Server) -> Server:
    """The session's server in front of Oxigraph server, for every test of this module."""
    return remote_server
