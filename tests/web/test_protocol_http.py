"""HTTP around the protocol: HEAD, validators and 304s, CORS, the release headers, the log."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import httpx

from kg.store import read_manifest

QUERY = {"query": "SELECT ?o WHERE { ?o a pv:Platform } ORDER BY ?o"}


def test_get_query_names_its_release(client: httpx.Client, built_store: Path) -> None:
    manifest = read_manifest(built_store)
    response = client.get("/sparql", params=QUERY)
    assert response.headers["x-kg-release"] == manifest.version
    assert response.headers["x-kg-content-hash"] == manifest.content_hash


def test_every_response_names_its_release(client: httpx.Client, built_store: Path) -> None:
    manifest = read_manifest(built_store)
    responses = [
        client.get("/sparql"),
        client.get("/sparql", params={"query": "SELECT"}),
        client.get("/sparql", params=QUERY, headers={"accept": "image/png"}),
        client.post("/sparql", content=b"x", headers={"content-type": "text/plain"}),
        client.get("/"),
        client.get("/no-such-page"),
        client.options("/sparql"),
    ]
    for response in responses:
        assert response.headers.get("x-kg-release") == manifest.version, response.request.url
        assert response.headers.get("x-kg-content-hash") == manifest.content_hash


def test_head_query_same_headers_no_body(client: httpx.Client) -> None:
    get = client.get("/sparql", params=QUERY)
    head = client.head("/sparql", params=QUERY)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "last-modified", "x-kg-release"):
        assert head.headers[name] == get.headers[name], name


def test_get_query_if_none_match_304(client: httpx.Client) -> None:
    first = client.get("/sparql", params=QUERY)
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    again = client.get("/sparql", params=QUERY, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


def test_get_query_etag_differs_by_media_type(client: httpx.Client) -> None:
    json_etag = client.get("/sparql", params=QUERY).headers["etag"]
    csv = client.get(
        "/sparql", params=QUERY, headers={"accept": "text/csv", "if-none-match": json_etag}
    )
    assert csv.status_code == 200
    assert csv.headers["etag"] != json_etag


def test_get_query_if_modified_since_304(client: httpx.Client) -> None:
    first = client.get("/sparql", params=QUERY)
    since = first.headers["last-modified"]
    assert (
        client.get("/sparql", params=QUERY, headers={"if-modified-since": since}).status_code == 304
    )
    earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert (
        client.get("/sparql", params=QUERY, headers={"if-modified-since": earlier}).status_code
        == 200
    )


def test_get_description_if_none_match_304(client: httpx.Client) -> None:
    etag = client.get("/sparql").headers["etag"]
    assert client.get("/sparql", headers={"if-none-match": etag}).status_code == 304


def test_post_query_has_no_validators(client: httpx.Client) -> None:
    response = client.post("/sparql", data=QUERY)
    assert response.status_code == 200
    assert "etag" not in response.headers


def test_get_query_cors_allows_any_origin(client: httpx.Client) -> None:
    response = client.get("/sparql", params=QUERY, headers={"origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = response.headers["access-control-expose-headers"]
    assert "x-kg-release" in exposed
    assert "x-kg-truncated" in exposed


def test_options_sparql_preflight_allows_reads_only(client: httpx.Client) -> None:
    response = client.options(
        "/sparql",
        headers={
            "origin": "https://example.org",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"]
    assert "authorization" not in response.headers["access-control-allow-headers"]


def test_post_query_error_is_readable_cross_origin(client: httpx.Client) -> None:
    response = client.post(
        "/sparql", data={"query": "SELECT"}, headers={"origin": "https://example.org"}
    )
    assert response.status_code == 400
    assert response.headers["access-control-allow-origin"] == "*"


def test_get_query_logged_one_line_with_hash_never_the_token(
    client: httpx.Client, server: object
) -> None:
    marker = "SELECT ?logged WHERE { ?logged a pv:Platform } LIMIT 1"
    assert client.get("/sparql", params={"query": marker}).status_code == 200
    digest = hashlib.sha256(marker.encode()).hexdigest()[:10]
    line = re.compile(rf"kg\.web\.access: GET /sparql 200 \d+\.\dms q={digest}$", re.M)
    log = server.log_text()  # type: ignore[attr-defined]
    waited = 0.0  # the line is written when the loop turn that sent the answer ends
    while not line.search(log) and waited < 5:
        time.sleep(0.05)
        waited += 0.05
        log = server.log_text()  # type: ignore[attr-defined]
    assert line.search(log)
    assert "?logged" not in log
    assert "s3cret-admin-token" not in log
