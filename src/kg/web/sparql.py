"""The SPARQL 1.1 Protocol endpoint, https://www.w3.org/TR/sparql11-protocol/, at /sparql.

A plain Starlette route, not a FastAPI one: the query path is the hot path, and FastAPI's
parameter machinery would add per-request Python for nothing. The handler reads the operation
(`kg.web.protocol`), picks media types (`kg.web.negotiation`), and hands the query to a worker
(`kg.web.pool`); errors are raised and become statuses in `kg.web.app`.

Every answer to GET or HEAD carries a weak ETag (the release's content hash and the media
types) and Last-Modified (the build time), so clients revalidate with If-None-Match or
If-Modified-Since and get 304 without the query running again
(https://www.rfc-editor.org/rfc/rfc9110#name-conditional-requests).
"""

from __future__ import annotations

import hashlib
import time
from email.utils import parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from kg.federation import forbidden, may_call_services
from kg.web import negotiation
from kg.web.errors import (
    BadRequest,
    ForbiddenService,
    NotAcceptable,
    QuerySyntaxError,
    Unavailable,
    UpdateRefused,
)
from kg.web.messages import Outcome, QueryReply, QueryRequest
from kg.web.protocol import Operation, read_operation
from kg.web.service_description import describe, serialise
from kg.web.state import AppState, Release

RELEASE = "x-kg-release"
CONTENT_HASH = "x-kg-content-hash"
TRUNCATED = "x-kg-truncated"
RESULT_LIMIT = "x-kg-result-limit"
EXPOSED = ", ".join(
    (RELEASE, CONTENT_HASH, TRUNCATED, RESULT_LIMIT, "etag", "last-modified", "retry-after")
)
"""Response headers a cross-origin script may read."""

_FAILURES = {
    Outcome.SYNTAX: QuerySyntaxError,
    Outcome.BAD_DATASET: BadRequest,
    Outcome.NOT_ACCEPTABLE: NotAcceptable,
    Outcome.FORBIDDEN_SERVICE: ForbiddenService,
}


def routes() -> list[Route]:
    """The endpoint's route."""
    return [Route("/sparql", endpoint, methods=["GET", "HEAD", "POST"], name="sparql")]


async def endpoint(request: Request) -> Response:
    """GET, HEAD or POST /sparql: a query, an update (handed on), or the service description."""
    state: AppState = request.app.state.kg
    settings = state.settings
    operation = await read_operation(request, settings.max_query_length, settings.max_body_bytes)
    if operation.kind == "describe":
        return service_description(request, state, operation)
    if operation.kind == "update":
        if state.update_handler is None:
            raise UpdateRefused("SPARQL Update is not enabled on this endpoint")
        return await state.update_handler(
            request, operation.text, operation.default_graphs, operation.named_graphs
        )
    return await query(request, state, operation)


async def query(request: Request, state: AppState, operation: Operation) -> Response:
    """Answer a query (https://www.w3.org/TR/sparql11-protocol/#query-operation)."""
    request.scope.setdefault("state", {})["query_hash"] = _short_hash(operation.text)
    release = current_release(state)
    results_type, graph_type = negotiation.negotiate(request.headers.get("accept"), operation.fmt)
    if results_type is None and graph_type is None:
        raise NotAcceptable(_not_acceptable_message(operation.fmt))
    readable = request.method != "POST"
    etag = release.etag(f"{results_type} {graph_type}")
    if readable and is_not_modified(request, etag, release):
        return not_modified_response(etag, release)
    reply = await run_query(state, _query_request(state, operation, results_type, graph_type))
    headers = answer_headers(reply, release, etag if readable else None)
    body = reply.body
    if reply.truncated:
        headers[TRUNCATED] = "true"
        headers[RESULT_LIMIT] = str(state.settings.max_results)
        link = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
        body = negotiation.mark_truncated(body, reply.media_type, link)
    return answer_response(request, body, reply.media_type, headers)


def _query_request(
    state: AppState, operation: Operation, results_type: str | None, graph_type: str | None
) -> QueryRequest:
    """The worker's request; SERVICE use is settled here when the verdict is already known."""
    settings = state.settings
    check = False
    if may_call_services(operation.text):
        known = state.services.get(operation.text)
        if known is None:
            check = True
        elif refused := forbidden(known, settings.service_allow):
            raise ForbiddenService(f"SERVICE is not allowed to {', '.join(refused)}")
    dataset = bool(operation.default_graphs or operation.named_graphs)
    return QueryRequest(
        operation.text,
        operation.default_graphs if dataset else None,
        operation.named_graphs if dataset else None,
        results_type,
        graph_type,
        settings.max_results,
        check,
        settings.service_allow,
    )


async def run_query(state: AppState, request: QueryRequest) -> QueryReply:
    """The reply from the cache or a worker; a failure outcome raised as its error.

    The worker is told the release this side sees, so it need not look at the manifest itself.
    """
    release = current_release(state)
    key = (release.content_hash, request)
    reply = state.cache.get((release.version, release.content_hash), key)
    if reply is None:
        deadline = time.monotonic() + state.settings.timeout
        reply = await state.pool.run(request._replace(stamp=release.stamp), deadline)
        if reply.services is not None:
            state.remember_services(request.query, reply.services)
        if reply.outcome is Outcome.OK:
            state.cache.put(key, reply)
    if reply.outcome is not Outcome.OK:
        message = reply.body.decode("utf-8", "replace")
        if reply.outcome is Outcome.UNAVAILABLE:
            raise Unavailable(message)
        raise _FAILURES[reply.outcome](message)
    return reply


def service_description(request: Request, state: AppState, operation: Operation) -> Response:
    """The SPARQL 1.1 Service Description, or a redirect to the query UI for a browser."""
    choice = negotiation.choose(
        request.headers.get("accept"),
        operation.fmt,
        (*negotiation.DESCRIPTION_FORMATS, negotiation.HTML),
    )
    if choice is None:
        raise NotAcceptable(_not_acceptable_message(operation.fmt, description=True))
    if choice is negotiation.HTML:
        return RedirectResponse("/", status_code=303, headers={"vary": "accept"})
    release = current_release(state)
    endpoint_url = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
    update = state.update_handler is not None
    etag = release.etag(f"sd {choice.media_type} {endpoint_url} {update}")
    if is_not_modified(request, etag, release):
        return not_modified_response(etag, release)
    key = (release.stamp, endpoint_url, choice.media_type, update)
    body = state.descriptions.get(key)
    if body is None:
        settings = state.settings
        graph = describe(
            endpoint_url,
            release,
            update=update,
            service_allow=settings.service_allow,
            max_results=settings.max_results,
            timeout=settings.timeout,
        )
        body = serialise(graph, choice.media_type)
        if len(state.descriptions) >= 64:  # the endpoint URL comes from the Host header: bound it
            state.descriptions.clear()
        state.descriptions[key] = body
    headers = answer_headers(None, release, etag)
    return answer_response(request, body, choice.media_type, headers)


def current_release(state: AppState) -> Release:
    release = state.watcher.current()
    if release is None:
        raise Unavailable("there is no store to query yet: run `kg build`", retry_after=30)
    return release


def answer_headers(reply: QueryReply | None, release: Release, etag: str | None) -> dict[str, str]:
    """Release, caching and CORS headers; the release is the one the answer came from."""
    version, content_hash = reply.release if reply else (release.version, release.content_hash)
    headers = {
        RELEASE: version,
        CONTENT_HASH: content_hash,
        "vary": "accept",
        "access-control-allow-origin": "*",
        "access-control-expose-headers": EXPOSED,
    }
    if etag is not None and content_hash == release.content_hash:
        headers["etag"] = etag
        headers["last-modified"] = release.last_modified
        headers["cache-control"] = "no-cache"  # store, but revalidate each time
    return headers


def is_not_modified(request: Request, etag: str, release: Release) -> bool:
    """https://www.rfc-editor.org/rfc/rfc9110#name-if-none-match (weak comparison), else
    #name-if-modified-since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError):
        return False
    return int(release.modified) <= since


def not_modified_response(etag: str, release: Release) -> Response:
    headers = answer_headers(None, release, etag)
    return Response(status_code=304, headers=headers)


def answer_response(
    request: Request, body: bytes, media_type: str, headers: dict[str, str]
) -> Response:
    """The answer; for HEAD, the same headers (Content-Length too) and no body."""
    if request.method == "HEAD":
        headers["content-length"] = str(len(body))
        return Response(b"", media_type=media_type, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _not_acceptable_message(fmt: str | None, description: bool = False) -> str:
    if description:
        offered = [f.media_type for f in negotiation.DESCRIPTION_FORMATS]
    else:
        offered = [f.media_type for f in (*negotiation.RESULTS_FORMATS, *negotiation.GRAPH_FORMATS)]
    asked = f"format={fmt!r}" if fmt is not None else "the Accept header"
    return f"nothing this endpoint gives fits {asked}; it gives " + ", ".join(offered)


def _short_hash(text: str) -> str:
    """A short digest of a query for the log: identifies repeats without logging the text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
