"""The web app: `create_app(settings)` wires the engine, the routers and the error handler.

Every route is declared here, in `create_app`: the SPARQL endpoint (`kg.web.sparql`), the query
page (`kg.web.ui`), the linked-data pages (`kg.web.pages`) and the Graph Store Protocol
(`kg.web.graph_store`); SPARQL Update comes through /sparql (`kg.web.update`). Errors become
statuses in `kg.web.errors` alone, for the framework's routes and the endpoint's bypass alike.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from kg import updates
from kg.config import Settings
from kg.engine.inline import InlineEngine
from kg.engine.interface import Engine
from kg.engine.messages import WorkerConfig
from kg.engine.pool import QueryPool
from kg.engine.record_watcher import local_release_differs
from kg.engine.remote import RemoteEngine
from kg.engine.watcher import ReleaseWatcher
from kg.errors import KGError, UsageError
from kg.namespaces import PREFIXES
from kg.web import graph_store, pages, releases, sparql, ui, update
from kg.web.errors import MethodNotAllowed, error_response
from kg.web.middleware import ASGIApp, EndpointHeaders, Receive, Scope, Send
from kg.web.state import AppState, ResponseCache
from kg.web.views import compare, graphs

ENGINES: dict[str, type[QueryPool] | type[InlineEngine]] = {
    "process": QueryPool,
    "inline": InlineEngine,
}
"""`Settings.engine`: a worker process that can be killed (production), or threads of this
process (tests that are not about processes)."""


def create_app(settings: Settings) -> FastAPI:
    """The app serving the store of `settings`; the engine starts with its lifespan.

    Raises:
        UsageError: there is no store at `settings.store`.
    """
    engine = make_engine(settings)
    if engine.current_release() is None:
        raise UsageError(not_served(settings))
    if isinstance(engine, RemoteEngine) and (
        differs := local_release_differs(engine.watcher, settings.store)
    ):
        logging.getLogger("kg.web").warning(
            "pages, dumps and docs may not match answers: %s", differs
        )
    state = AppState(settings, engine, ResponseCache(settings.cache_mb * 1024 * 1024))
    if settings.admin_token is not None:
        state.update_handler = update.update

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await engine.start()
        if settings.admin_token is not None:
            threading.Thread(
                target=_prepare_edits,
                args=(settings.store, settings.base_iri),
                name="kg-prepare-edits",
                daemon=True,
            ).start()
        try:
            yield
        finally:
            await engine.close()

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
    app.include_router(ui.make_router(state))
    app.include_router(pages.router)
    app.include_router(compare.router)
    app.include_router(graphs.router)
    app.include_router(graph_store.router)
    app.include_router(releases.router)
    app.add_exception_handler(KGError, error_response)
    direct = {sparql.PATH: bypass(sparql.endpoint, sparql.METHODS)}
    app.add_middleware(EndpointHeaders, release=engine.current_release, direct=direct)
    return app


def _prepare_edits(store: Path, base_iri: str) -> None:
    """`updates.prepare_edits` on a thread of its own: the server answers meanwhile, and a
    failure only means that the first edit validates every shape."""
    try:
        updates.prepare_edits(store, base_iri)
    except Exception:  # logged: edits work without it
        logging.getLogger("kg.web").warning("edits not prepared", exc_info=True)


def make_engine(settings: Settings) -> Engine:
    """The engine `settings.engine` names, on `settings.workers` + 2 threads: while an answer
    travels back the next query is already there, and a runaway query leaves no core idle.

    With a remote store (`settings.store_url`), queries go there (`kg.engine.remote`), as many
    at once; `settings.store` stays the release's files (pages, dumps, docs, edits).
    """
    if settings.store_url:
        return RemoteEngine(settings, threads=settings.workers + 2)
    config = WorkerConfig(
        str(settings.store),
        dict(PREFIXES),
        settings.base_iri,
        settings.memory_limit_mb,
        settings.in_memory_triples,
    )
    watcher = ReleaseWatcher(settings.store)
    return ENGINES[settings.engine](config, threads=settings.workers + 2, watcher=watcher)


def not_served(settings: Settings) -> str:
    """Why there is no release to serve."""
    if settings.store_url:
        return (
            f"{settings.store_url} serves no release (no release record, or unreachable: see the"
            f" log): publish one with `kg load --store-url {settings.store_url}`"
        )
    return f"{settings.store} is not a store (no manifest): run `kg build`"


def bypass(endpoint: Callable[[Request], Awaitable[Response]], methods: tuple[str, ...]) -> ASGIApp:
    """The app's one path past the framework: an ASGI app running `endpoint` for `methods`.

    /sparql is the hot path: FastAPI's router, its exception middleware and its per-route
    wrappers cost more than a small query's answer (bench/run.py). So `EndpointHeaders` hands
    /sparql straight to this app, which keeps what the endpoint needs of the framework: 405
    for another method, and errors answered by the same `kg.web.errors.error_response`.
    """
    allow = ", ".join(methods)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            if scope["method"] not in methods:
                raise MethodNotAllowed(allow)
            response = await endpoint(request)
        except KGError as error:
            response = await error_response(request, error)
        await response(scope, receive, send)

    return app
