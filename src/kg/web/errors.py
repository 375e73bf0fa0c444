"""The web layer's errors: kinds of `kg.errors.QueryError`, each mapped to one status in app.py."""

from __future__ import annotations

from kg.errors import QueryError


class BadRequest(QueryError):
    """The request does not follow the protocol (two queries, a query and an update...)."""


class QuerySyntaxError(QueryError):
    """The query does not parse; the message is the parser's, with line and column."""


class ForbiddenService(QueryError):
    """The query calls a SERVICE endpoint that `--service-allow` does not list."""


class NotAcceptable(QueryError):
    """No media type the client accepts fits the answer."""


class UnsupportedMediaType(QueryError):
    """The request body's content type is not one of the protocol's."""


class ContentTooLarge(QueryError):
    """The request body, or a query sent in it, is over its size limit."""


class UriTooLong(QueryError):
    """A query sent in the URL is over the length limit."""


class UpdateRefused(QueryError):
    """An update this endpoint does not run: sent by GET, or updates are not enabled."""


class Unavailable(QueryError):
    """No answer in time, or the worker died (memory limit), or the store is being replaced.

    Attributes:
        retry_after: seconds after which trying again is sensible.
    """

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after
