"""Why a query has no answer: kinds of `kg.errors.QueryError` the engine raises.

The engine raises, `kg.web.errors` maps each kind to its status. A worker reports a failure as
an `Outcome` in its reply (exceptions do not cross the socket); `failure` turns it back into
the error of its kind.
"""

from __future__ import annotations

from kg.engine.messages import Outcome, QueryReply
from kg.errors import QueryError


class QuerySyntaxError(QueryError):
    """The query does not parse; the message is the parser's, with line and column."""


class DatasetError(QueryError):
    """A `default-graph-uri` or `named-graph-uri` is not an absolute IRI."""


class ForbiddenService(QueryError):  # noqa: N818 - named after its status, as kg.web.errors
    """The query calls a SERVICE endpoint that `--service-allow` does not list."""


class NotAcceptable(QueryError):  # noqa: N818 - named after its status, as kg.web.errors
    """No media type the client accepts fits the answer."""


class Unavailable(QueryError):  # noqa: N818 - named after its status, as kg.web.errors
    """No answer in time, or the worker died (memory limit), or the store is being replaced.

    Attributes:
        retry_after: seconds after which trying again is sensible.
    """

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


FAILURES: dict[Outcome, type[QueryError]] = {
    Outcome.SYNTAX: QuerySyntaxError,
    Outcome.BAD_DATASET: DatasetError,
    Outcome.NOT_ACCEPTABLE: NotAcceptable,
    Outcome.FORBIDDEN_SERVICE: ForbiddenService,
    Outcome.UNAVAILABLE: Unavailable,
}
"""The error of each failed outcome."""


def failure(reply: QueryReply) -> QueryError:
    """The error a failed reply stands for, its message the reply's body."""
    return FAILURES[reply.outcome](reply.body.decode("utf-8", "replace"))


STOPPING = "the server is stopping"
"""Why a query gets a 503 while the server shuts down."""
BUSY = "the query worker stayed busy until the time limit: try again later"
"""Why a query that found no free thread by its deadline gets a 503."""
TIMED_OUT = "the query ran past the time limit: narrow it or add a LIMIT"
"""Why a query still running at its deadline gets a 503 (the in-process and remote engines)."""
