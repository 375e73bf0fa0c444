"""The web app: `create_app(settings)`; the one place errors become HTTP statuses.

Routes: /sparql (`kg.web.sparql`), then each router that a sibling module offers through
`make_router(state) -> APIRouter` (the query UI, linked-data pages, SPARQL Update, the Graph
Store Protocol), included only once that module exists.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from kg.config import Settings
from kg.errors import KGError, NotConforming, QueryError, SourceError, UsageError
from kg.namespaces import PREFIXES
from kg.web import errors, sparql
from kg.web.messages import WorkerConfig
from kg.web.middleware import ASGIApp, EndpointHeaders, Receive, Scope, Send
from kg.web.pool import QueryPool
from kg.web.state import AppState, ReleaseWatcher, ResponseCache

log = logging.getLogger("kg.web")

PLUGGABLE = ("ui", "pages", "update", "graph_store")
"""Sibling modules whose `make_router(state)` is included when they exist."""

STATUS: tuple[tuple[type[KGError], int], ...] = (
    (errors.QuerySyntaxError, 400),
    (errors.BadRequest, 400),
    (errors.ForbiddenService, 400),
    (errors.NotAcceptable, 406),
    (errors.ContentTooLarge, 413),
    (errors.UriTooLong, 414),
    (errors.UnsupportedMediaType, 415),
    (errors.UpdateRefused, 403),
    (errors.Unavailable, 503),
    (QueryError, 400),
    (SourceError, 400),
    (UsageError, 400),
    (NotConforming, 422),
    (KGError, 500),
)
"""The status of each kind of error, most specific first."""


def create_app(settings: Settings) -> FastAPI:
    """The app serving the store of `settings`; the query worker starts with its lifespan.

    Raises:
        UsageError: there is no store at `settings.store`.
    """
    watcher = ReleaseWatcher(settings.store)
    if watcher.current() is None:
        raise UsageError(f"{settings.store} is not a store (no manifest): run `kg build`")
    config = WorkerConfig(
        str(settings.store),
        dict(PREFIXES),
        settings.base_iri,
        settings.memory_limit_mb,
        settings.in_memory_triples,
    )
    pool = QueryPool(config, threads=settings.workers + 2)
    state = AppState(settings, watcher, pool, ResponseCache(settings.cache_mb * 1024 * 1024))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await pool.start()
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(
        title="Partage KG",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # No OpenTelemetry: its per-request checks cost more than the query path can spare.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.kg = state
    app.router.routes.extend(sparql.routes())
    _include_plugins(app, state)
    app.add_exception_handler(KGError, _error_response)
    direct = {route.path: _direct(route.endpoint) for route in sparql.routes()}
    app.add_middleware(EndpointHeaders, watcher=watcher, direct=direct)
    return app


def _direct(endpoint: Callable[[Request], Awaitable[Response]]) -> ASGIApp:
    """An ASGI app running `endpoint`, with this module's error statuses, and nothing else."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if scope["method"] not in ("GET", "HEAD", "POST"):
            response: Response = PlainTextResponse(
                "Method Not Allowed\n", status_code=405, headers={"allow": "GET, HEAD, POST"}
            )
        else:
            try:
                response = await endpoint(request)
            except KGError as error:
                response = await _error_response(request, error)
        await response(scope, receive, send)

    return app


def _include_plugins(app: FastAPI, state: AppState) -> None:
    """Include each sibling router that exists; a module that exists but fails, fails here."""
    for name in PLUGGABLE:
        module_name = f"kg.web.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        app.include_router(module.make_router(state))
    if not any(getattr(route, "path", None) == "/" for route in app.router.routes):
        app.add_route("/", _placeholder_ui, methods=["GET", "HEAD"])


async def _placeholder_ui(_request: Request) -> Response:
    """Until the query UI exists: a form that sends a query to /sparql."""
    return HTMLResponse(
        "<!doctype html><title>Partage KG</title><h1>Partage KG SPARQL endpoint</h1>"
        '<form action="/sparql"><textarea name="query" rows="8" cols="80">'
        "SELECT * WHERE { ?s ?p ?o } LIMIT 10</textarea><br><button>Run</button></form>"
    )


async def _error_response(_request: Request, error: Exception) -> Response:
    """The status of `error`'s kind, its message as text, and for a 503 when to retry."""
    status = next(code for kind, code in STATUS if isinstance(error, kind))
    headers = {"access-control-allow-origin": "*"}
    if isinstance(error, errors.Unavailable):
        headers["retry-after"] = str(error.retry_after)
    if status >= 500:
        log.warning("%d: %s", status, error)
    return PlainTextResponse(f"{error}\n", status_code=status, headers=headers)
