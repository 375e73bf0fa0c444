"""What the app holds while it runs: settings, the query engine, caches; and the query path
that the SPARQL endpoint and the pages share (`AppState.query`).

Built by `kg.web.app.create_app` and reached by handlers as `request.app.state.kg` (FastAPI
routes take it as the `kg.web.dependencies.StateDep` dependency); nothing here happens at
import time.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kg.config import Settings
from kg.engine.errors import Unavailable, failure
from kg.engine.interface import Engine
from kg.engine.messages import Outcome, QueryReply, QueryRequest
from kg.engine.watcher import Release

UpdateHandler = Callable[
    [Request, "AppState", str, tuple[str, ...], tuple[str, ...]], Awaitable[Response]
]
"""Runs a SPARQL Update POSTed to /sparql: (request, state, update text, using-graph-uri
values, using-named-graph-uri values) -> response. `kg.web.update.update`, set by the app
when the server has an admin token."""


class ResponseCache:
    """Small answers of the current release, least recently used dropped first.

    The store is read-only and its answers are deterministic, so the same request on the same
    release gets the same bytes; the cache is emptied whenever the release changes.
    """

    def __init__(self, max_bytes: int, max_entry: int = 256 * 1024) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self.entries: OrderedDict[tuple[Any, ...], QueryReply] = OrderedDict()
        self.bytes = 0
        self.release: tuple[str, str] | None = None

    def get(self, release: tuple[str, str], key: tuple[Any, ...]) -> QueryReply | None:
        if release != self.release:
            return None
        reply = self.entries.get(key)
        if reply is not None:
            self.entries.move_to_end(key)
        return reply

    def put(self, key: tuple[Any, ...], reply: QueryReply) -> None:
        size = len(reply.body)
        if size > self.max_entry or size > self.max_bytes:
            return
        if reply.release != self.release:
            self.entries.clear()
            self.bytes = 0
            self.release = reply.release
        if key in self.entries:
            return
        self.entries[key] = reply
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.bytes -= len(dropped.body)


@dataclass
class AppState:
    """Everything a request handler needs, injected by the app factory."""

    settings: Settings
    engine: Engine
    cache: ResponseCache
    services: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """SERVICE endpoints found in each query text checked so far (bounded, see `remember`)."""
    descriptions: dict[tuple[Any, ...], bytes] = field(default_factory=dict)
    """Serialised service descriptions by (release stamp, endpoint, media type, update)."""
    update_handler: UpdateHandler | None = None

    def remember_services(self, text: str, services: tuple[str, ...]) -> None:
        """Keep a query's SERVICE verdict; forget them all past 4096 texts (cheap, bounded)."""
        if len(self.services) >= 4096:
            self.services.clear()
        self.services[text] = services

    def release(self) -> Release:
        """The release being served.

        Raises:
            Unavailable: there is no store yet.
        """
        release = self.engine.current_release()
        if release is None:
            raise Unavailable("there is no store to query yet: run `kg build`", retry_after=30)
        return release

    async def query(self, request: QueryRequest) -> QueryReply:
        """The reply from the cache or the engine; a failed outcome raised as its error.

        The engine is told the release this side sees, so a worker need not look at the
        manifest itself.

        Raises:
            QueryError: the query failed (its kind says why: `kg.engine.errors`).
        """
        release = self.release()
        key = (release.content_hash, request)
        reply = self.cache.get((release.version, release.content_hash), key)
        if reply is None:
            deadline = time.monotonic() + self.settings.timeout
            reply = await self.engine.run(request._replace(stamp=release.stamp), deadline)
            if reply.services is not None:
                self.remember_services(request.query, reply.services)
            if reply.outcome is Outcome.OK:
                self.cache.put(key, reply)
        if reply.outcome is not Outcome.OK:
            raise failure(reply)
        return reply
