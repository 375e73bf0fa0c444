"""The SPARQL 1.1 Protocol endpoint, https://www.w3.org/TR/sparql11-protocol/, at /sparql.

The query path is the hot path, so `endpoint` is not a FastAPI route: `kg.web.app` serves
/sparql past the framework (its one bypass, documented there), and FastAPI's parameter
machinery would add per-request Python for nothing. The handler reads the operation
(`kg.web.protocol`), picks media types (`kg.web.negotiation`), and hands the query to the
engine (`kg.web.state.AppState.query`); errors are raised and become statuses in
`kg.web.errors`.

Every answer to GET or HEAD carries a weak ETag and Last-Modified (`kg.web.headers`), so
clients revalidate and get 304 without the query running again.
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kg.engine.errors import ForbiddenService, NotAcceptable
from kg.engine.messages import QueryRequest
from kg.federation import forbidden, may_call_services
from kg.web import negotiation
from kg.web.errors import UpdateRefused
from kg.web.headers import (
    RESULT_LIMIT,
    TRUNCATED,
    answer_headers,
    answer_response,
    etag,
    is_not_modified,
    not_modified_response,
)
from kg.web.protocol import Operation, read_operation
from kg.web.service_description import describe, serialise
from kg.web.state import AppState

PATH = "/sparql"
METHODS = ("GET", "HEAD", "POST")


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
            request, state, operation.text, operation.default_graphs, operation.named_graphs
        )
    return await query(request, state, operation)


async def query(request: Request, state: AppState, operation: Operation) -> Response:
    """Answer a query (https://www.w3.org/TR/sparql11-protocol/#query-operation)."""
    request.scope.setdefault("state", {})["query_hash"] = _short_hash(operation.text)
    release = state.release()
    results_type, graph_type = negotiation.negotiate(request.headers.get("accept"), operation.fmt)
    if results_type is None and graph_type is None:
        raise NotAcceptable(_not_acceptable_message(operation.fmt))
    readable = request.method != "POST"
    tag = etag(release, f"{results_type} {graph_type}")
    if readable and is_not_modified(request, tag, release):
        return not_modified_response(tag, release)
    reply = await state.query(_query_request(state, operation, results_type, graph_type))
    headers = answer_headers(reply, release, tag if readable else None)
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
    release = state.release()
    endpoint_url = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
    update = state.update_handler is not None
    tag = etag(release, f"sd {choice.media_type} {endpoint_url} {update}")
    if is_not_modified(request, tag, release):
        return not_modified_response(tag, release)
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
    headers = answer_headers(None, release, tag)
    return answer_response(request, body, choice.media_type, headers)


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
