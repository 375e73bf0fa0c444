"""SPARQL 1.1 Update over the protocol, https://www.w3.org/TR/sparql11-protocol/#update-operation,
for whoever holds the admin token; and what the Graph Store Protocol's writes share with it.

Off unless the server has an admin token (`kg serve --admin-token`, better KG_ADMIN_TOKEN):
`make_router` then sets the state's update handler, so `kg.web.sparql` hands over every update
POSTed to /sparql (form-encoded `update=` or application/sparql-update; an update sent by GET is
refused before it gets here), and /sparql answers 403 to updates while there is none.

A request proves itself with `Authorization: Bearer <token>`
(https://www.rfc-editor.org/rfc/rfc6750#section-2.1), compared in constant time; without it, or
with another token, the answer is 401 with `WWW-Authenticate: Bearer`. The token is never
logged, and CORS preflights do not allow the Authorization header, so no web page can send it.

An update that reaches outside the store is refused before it runs: LOAD always (the data can
be PUT to the Graph Store Protocol instead), SERVICE unless `--service-allow` lists the endpoint
(`kg.federation`). The update is then one edit of the store (`kg.updates.edit_store`, in a
thread: it takes seconds): 204 when it is written, or nothing written and 422 with the SHACL
report (Turtle, or our JSON or text by Accept) when it breaks the shapes. The response names the
release written in X-KG-Content-Hash.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from kg.errors import KGError, NotConforming, QueryError
from kg.federation import forbidden
from kg.report import render
from kg.sparql_update import parse_update, run_update
from kg.store import StoreBusyError
from kg.updates import (
    Edit,
    GraphNotFoundError,
    NotEditableError,
    Outcome,
    ReadOnlyGraphError,
    edit_store,
)
from kg.validate import ValidationReport
from kg.web.errors import ForbiddenService, UpdateRefused
from kg.web.negotiation import Format, choose
from kg.web.sparql import CONTENT_HASH, RELEASE
from kg.web.state import AppState

log = logging.getLogger("kg.web")
P = ParamSpec("P")

REALM = 'Bearer realm="Partage KG"'


class Unauthorized(QueryError):  # noqa: N818 (named after its status, as kg.web.errors)
    """An admin request without the admin token, or with another one."""


ADMIN_STATUS: tuple[tuple[type[KGError], int], ...] = (
    (Unauthorized, 401),
    (ReadOnlyGraphError, 403),
    (NotEditableError, 403),
    (GraphNotFoundError, 404),
    (NotConforming, 422),
    (StoreBusyError, 503),
)
"""Statuses of the admin routes' own errors, answered here; `kg.web.app` maps the others."""
ADMIN_ERRORS = tuple(kind for kind, _ in ADMIN_STATUS)

REPORT_FORMATS = (
    Format("text/turtle", ("turtle", "ttl")),
    Format("application/json", ("json",)),
    Format("text/plain", ("text",)),
)
"""The SHACL report of a refused edit (`kg.report` formats); Turtle, the W3C's, by default."""
REPORT_RENDERERS = {"text/turtle": "turtle", "application/json": "json", "text/plain": "text"}


def make_router(state: AppState) -> APIRouter:
    """No routes of its own: updates come through /sparql, whose handler this sets."""
    if state.settings.admin_token is not None:

        async def handler(
            request: Request, text: str, using: tuple[str, ...], using_named: tuple[str, ...]
        ) -> Response:
            return await update(request, state, text, using, using_named)

        state.update_handler = handler
    return APIRouter()


def answering_refusals(
    endpoint: Callable[Concatenate[Request, P], Awaitable[Response]],
) -> Callable[Concatenate[Request, P], Awaitable[Response]]:
    """`endpoint`, with the errors of ADMIN_STATUS answered by `refusal`."""

    @wraps(endpoint)
    async def guarded(request: Request, /, *args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return await endpoint(request, *args, **kwargs)
        except ADMIN_ERRORS as error:
            return refusal(request, error)

    return guarded


@answering_refusals
async def update(
    request: Request,
    state: AppState,
    text: str,
    using: tuple[str, ...],
    using_named: tuple[str, ...],
) -> Response:
    """Run one update (https://www.w3.org/TR/sparql11-protocol/#update-operation)."""
    authorise(request, state)
    settings = state.settings
    parsed = await asyncio.to_thread(parse_update, text, settings.base_iri, using, using_named)
    if parsed.loads:
        raise UpdateRefused(
            f"LOAD is not run here ({', '.join(parsed.loads)}): "
            "PUT the document to /rdf-graphs/service?graph=<iri> instead"
        )
    if refused := forbidden(parsed.services, settings.service_allow):
        raise ForbiddenService(f"SERVICE is not allowed to {', '.join(refused)}")
    return written(await commit(state, run_update(parsed)))


def authorise(request: Request, state: AppState) -> None:
    """Check the request's bearer token against the admin token, in constant time.

    Raises:
        UpdateRefused: the server has no admin token: nothing is writable.
        Unauthorized: no token, or another one.
    """
    token = state.settings.admin_token
    if token is None:
        raise UpdateRefused("writes are not enabled: the server was started without an admin token")
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    given = credentials.strip().encode("utf-8", "surrogateescape")
    # compare_digest runs in time independent of where the two differ.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given, token.get_secret_value().encode()
    ):
        raise Unauthorized("this request needs the admin token: Authorization: Bearer <token>")


async def commit(state: AppState, edit: Edit) -> Outcome:
    """Apply `edit` to the store, in a thread; the app sees the new release at once."""
    settings = state.settings
    outcome = await asyncio.to_thread(edit_store, settings.store, edit, settings.base_iri)
    if outcome.changed:
        # The watcher looks at the manifest at most every `interval`: look now, so that the
        # next request here is answered (and cached) under the release just written.
        state.watcher.checked = float("-inf")
        names = ", ".join(f"<{name}>" for name in sorted(outcome.changed))
        log.info("edit written: %s; content hash %s", names, outcome.manifest.content_hash)
    return outcome


def written(outcome: Outcome, status: int = 204) -> Response:
    """The answer to an edit done: no body, the release it wrote (or left) in the headers."""
    manifest = outcome.manifest
    headers = {RELEASE: manifest.version, CONTENT_HASH: manifest.content_hash or ""}
    return Response(status_code=status, headers=headers)


def refusal(request: Request, error: KGError) -> Response:
    """The answer to an error of ADMIN_STATUS: its message, or for a 422 the SHACL report."""
    status = next(code for kind, code in ADMIN_STATUS if isinstance(error, kind))
    headers = {}
    if isinstance(error, Unauthorized):
        wrong = "authorization" in request.headers
        headers["www-authenticate"] = REALM + (', error="invalid_token"' if wrong else "")
    if isinstance(error, StoreBusyError):
        headers["retry-after"] = "5"
    if isinstance(error, NotConforming) and isinstance(error.report, ValidationReport):
        chosen = choose(request.headers.get("accept"), None, REPORT_FORMATS) or REPORT_FORMATS[0]
        body = render(error.report, REPORT_RENDERERS[chosen.media_type])
        media_type = f"{chosen.media_type}; charset=utf-8"
        return Response(body, status_code=status, media_type=media_type, headers=headers)
    return PlainTextResponse(f"{error}\n", status_code=status, headers=headers)
