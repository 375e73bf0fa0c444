"""What the web layer calls: the `Engine` protocol, which both query engines implement.

`kg.engine.pool.QueryPool` runs queries in a worker process it can SIGKILL (production: a
query past its deadline is stopped); `kg.engine.inline.InlineEngine` runs them on threads of
the calling process (tests that are not about processes: nothing to start, nothing to kill).
`kg.web.app.create_app` picks one by `Settings.engine`.
"""

from __future__ import annotations

from typing import Protocol

from kg.engine.messages import QueryReply, QueryRequest
from kg.engine.watcher import Release


class Engine(Protocol):
    """Runs queries on the store being served, and says which release that is."""

    async def start(self) -> None:
        """Open the store; once this returns, queries are answered.

        Raises:
            UsageError: the engine cannot start (see the log for why).
        """

    async def run(self, request: QueryRequest, deadline: float) -> QueryReply:
        """The reply to `request`, by `deadline` (a `time.monotonic()` value).

        A query that fails (syntax, dataset, media type, SERVICE) is a reply with its
        `Outcome`, which `kg.engine.errors.failure` turns into its error.

        Raises:
            Unavailable: no answer by the deadline, or the engine is stopping or broke down.
        """

    def current_release(self) -> Release | None:
        """The release on disk (None before there is one), looked at every fraction of a second."""

    def look_again(self) -> None:
        """The store was just written: look at its manifest on the next `current_release`."""

    async def close(self) -> None:
        """Stop answering; queries still waiting get `Unavailable`."""
