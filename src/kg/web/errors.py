"""The one place errors become HTTP statuses: the web layer's own errors, `STATUS`, and
`error_response`, the handler that answers every route's errors (the app registers it with
FastAPI, and the SPARQL endpoint's path past the framework calls it too: `kg.web.app`).

The core and the engine raise (`kg.errors`, `kg.engine.errors`, `kg.updates`, `kg.lock`); the
handlers only raise too, and nothing else maps an error to a status.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from kg.engine.errors import (
    DatasetError,
    ForbiddenService,
    NotAcceptable,
    QuerySyntaxError,
    Unavailable,
)
from kg.errors import KGError, NotConforming, QueryError, SourceError, UsageError
from kg.formats import TURTLE, Format
from kg.lock import StoreBusyError
from kg.remote.client import RemoteError
from kg.remote.publish import StaleReleaseError
from kg.report import render
from kg.updates import GraphNotFoundError, NotEditableError, ReadOnlyGraphError
from kg.validate import ValidationReport
from kg.web.negotiation import choose

log = logging.getLogger("kg.web")

REALM = 'Bearer realm="Partage KG"'


class BadRequest(QueryError):
    """The request does not follow the protocol (two queries, a query and an update...)."""


class UnsupportedMediaType(QueryError):
    """The request body's content type is not one of the protocol's."""


class ContentTooLarge(QueryError):
    """The request body, or a query sent in it, is over its size limit."""


class UriTooLong(QueryError):
    """A query sent in the URL is over the length limit."""


class UpdateRefused(QueryError):
    """An update this endpoint does not run: sent by GET, or updates are not enabled."""


class Unauthorized(QueryError):
    """An admin request without the admin token, or with another one."""


class MethodNotAllowed(KGError):
    """A method the path does not answer (the SPARQL endpoint's: routed past the framework).

    Attributes:
        allow: the methods it does answer.
    """

    def __init__(self, allow: str) -> None:
        super().__init__("Method Not Allowed")
        self.allow = allow


STATUS: tuple[tuple[type[KGError], int], ...] = (
    (MethodNotAllowed, 405),
    (Unauthorized, 401),
    (QuerySyntaxError, 400),
    (DatasetError, 400),
    (BadRequest, 400),
    (ForbiddenService, 400),
    (NotAcceptable, 406),
    (ContentTooLarge, 413),
    (UriTooLong, 414),
    (UnsupportedMediaType, 415),
    (UpdateRefused, 403),
    (ReadOnlyGraphError, 403),
    (NotEditableError, 403),
    (GraphNotFoundError, 404),
    (NotConforming, 422),
    (Unavailable, 503),
    (StoreBusyError, 503),
    (StaleReleaseError, 409),  # an edit based on a release no longer live in the remote store
    (RemoteError, 503),  # the remote store is unreachable or refused: not the client's fault
    (QueryError, 400),
    (SourceError, 400),
    (UsageError, 400),
    (KGError, 500),
)
"""The status of each kind of error, most specific first."""

REPORT_FORMATS = (TURTLE, Format("application/json", ("json",)), Format("text/plain", ("text",)))
"""The SHACL report of a refused edit (`kg.report` formats); Turtle, the W3C's, by default."""
REPORT_RENDERERS = {"text/turtle": "turtle", "application/json": "json", "text/plain": "text"}
BUSY_RETRY_AFTER = 5
"""Seconds after which an edit refused for a busy store is worth sending again."""


def status_of(error: KGError) -> int:
    """The status of `error`'s kind."""
    return next(code for kind, code in STATUS if isinstance(error, kind))


async def error_response(request: Request, error: Exception) -> Response:
    """The answer to `error`: its status, its message as text (a refused edit's SHACL report
    in the format Accept asks for), and the headers its status calls for."""
    assert isinstance(error, KGError)  # registered for KGError only
    status = status_of(error)
    headers: dict[str, str] = {}
    if isinstance(error, Unavailable):
        headers["retry-after"] = str(error.retry_after)
    elif isinstance(error, StoreBusyError):
        headers["retry-after"] = str(BUSY_RETRY_AFTER)
    elif isinstance(error, Unauthorized):  # https://www.rfc-editor.org/rfc/rfc6750#section-3
        wrong = "authorization" in request.headers
        headers["www-authenticate"] = REALM + (', error="invalid_token"' if wrong else "")
    elif isinstance(error, MethodNotAllowed):
        headers["allow"] = error.allow
    if status >= 500:
        log.warning("%d: %s", status, error)
    if isinstance(error, NotConforming) and isinstance(error.report, ValidationReport):
        chosen = choose(request.headers.get("accept"), None, REPORT_FORMATS) or REPORT_FORMATS[0]
        body = render(error.report, REPORT_RENDERERS[chosen.media_type])
        media_type = f"{chosen.media_type}; charset=utf-8"
        return Response(body, status_code=status, media_type=media_type, headers=headers)
    return PlainTextResponse(f"{error}\n", status_code=status, headers=headers)
