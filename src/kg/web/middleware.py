"""Pure ASGI middleware around every route: the access log, the release headers, and CORS (its
one place: `kg.web.headers` has the headers).

Pure ASGI rather than Starlette's BaseHTTPMiddleware, which costs a task and a stream per
request. Each request is logged as one line: method, path, status, duration and a short hash of
the query (never the query string, headers or body: no admin token reaches the log).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from kg.engine.watcher import Release
from kg.web.access_log import ACCESS_LOGGER
from kg.web.headers import CONTENT_HASH, CORS_HEADERS, PREFLIGHT_HEADERS, RELEASE

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger(ACCESS_LOGGER)

RELEASE_NAME = RELEASE.encode()
CONTENT_HASH_NAME = CONTENT_HASH.encode()


class EndpointHeaders:
    """Adds `X-KG-Release`, `X-KG-Content-Hash` and CORS to every response; answers CORS
    preflights; logs each request.

    Release headers a route set itself (the release an answer was computed on) are left as they
    are. Paths in `direct` go straight to their ASGI app, past the framework's own layers: the
    SPARQL endpoint is the hot path (`kg.web.app.bypass`).

    Args:
        release: the release being served (`Engine.current_release`).
    """

    def __init__(
        self,
        app: ASGIApp,
        release: Callable[[], Release | None],
        direct: dict[str, ASGIApp] | None = None,
    ) -> None:
        self.app = app
        self.release = release
        self.direct = direct or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        method = scope["method"]
        release = self.release()
        extra = CORS_HEADERS if release is None else [
            (RELEASE_NAME, release.version.encode()),
            (CONTENT_HASH_NAME, release.content_hash.encode()),
            *CORS_HEADERS,
        ]  # fmt: skip

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                names = [name for name, _ in headers]
                headers.extend(item for item in extra if item[0] not in names)
                message["headers"] = headers
            await send(message)

        try:
            if method == "OPTIONS":
                await _preflight(send_with_headers)
            else:
                app = self.direct.get(scope["path"], self.app)
                await app(scope, receive, send_with_headers)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                _log_request(method, scope, status, started)


def _log_request(method: str, scope: Scope, status: int, started: float) -> None:
    """One access-log line; the record is made directly, as `Logger.info` would, without its
    search of the stack for the caller (a cost per request, and a place nobody reads)."""
    query_hash = scope.get("state", {}).get("query_hash", "-")
    duration = (time.perf_counter() - started) * 1000
    arguments = (method, scope["path"], status, duration, query_hash)
    record = access_log.makeRecord(
        ACCESS_LOGGER, logging.INFO, __file__, 0, "%s %s %d %.1fms q=%s", arguments, None
    )
    access_log.handle(record)


async def _preflight(send: Send) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": list(PREFLIGHT_HEADERS)})
    await send({"type": "http.response.body", "body": b""})
