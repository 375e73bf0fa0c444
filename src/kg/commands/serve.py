"""`kg serve`: the SPARQL endpoint over the built store, at http://HOST:PORT/sparql.

One HTTP process (uvicorn, asyncio) and a query worker process (`kg.web.pool`) that evaluates
`--workers` + 2 queries at once on threads sharing one copy of the store: the HTTP side only
parses, negotiates and waits, so one process keeps up with the worker, and one pool per server
gives one limit on concurrent queries and one cache.

Every option is also read from its KG_* environment variable (shown by --help); the option
wins. Prefer KG_ADMIN_TOKEN to --admin-token: command lines are visible to other users.

With --store-url (KG_STORE_URL) queries go to that remote SPARQL store instead
(`kg.engine.remote`): KG_STORE_PROFILE, KG_STORE_UPDATE_URL, KG_STORE_GSP_URL and credentials
come from the environment; --store stays the directory of the release's files (pages, dumps,
docs), and an edit is published to the remote store as well.

Before serving, the server finishes what a `kg build` or `kg load` killed mid-write left beside
the store (`kg.store.recover`, under the write lock), as the next writer would.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from kg.commands import exit_codes

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on. (env KG_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port. (env KG_PORT; default 8000)")] = None,
    store: Annotated[
        Path | None, typer.Option(help="Store directory. (env KG_STORE; default .kg/store)")
    ] = None,
    root: Annotated[Path | None, typer.Option(help="Project root. (env KG_ROOT)")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Cores for queries: the worker evaluates this many queries at once, plus two "
            "(so answers in transit and a runaway query leave no core idle). "
            "(env KG_WORKERS; default: CPUs)"
        ),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(help="Time limit of a query, seconds. (env KG_TIMEOUT; 30)")
    ] = None,
    max_results: Annotated[
        int | None,
        typer.Option(help="Rows or triples per answer; more are cut. (env KG_MAX_RESULTS)"),
    ] = None,
    max_query_length: Annotated[
        int | None, typer.Option(help="Characters per query. (env KG_MAX_QUERY_LENGTH)")
    ] = None,
    max_body_bytes: Annotated[
        int | None, typer.Option(help="Bytes per request body. (env KG_MAX_BODY_BYTES)")
    ] = None,
    memory_limit_mb: Annotated[
        int | None,
        typer.Option(help="Address space of the query worker, MB. (env KG_MEMORY_LIMIT_MB)"),
    ] = None,
    in_memory_triples: Annotated[
        int | None,
        typer.Option(
            help="A store up to this many triples is queried in memory (about 350 MB per "
            "million), a larger one on disk; 0: always on disk. (env KG_IN_MEMORY_TRIPLES)"
        ),
    ] = None,
    cache_mb: Annotated[
        int | None, typer.Option(help="Cache of small answers, MB; 0: none. (env KG_CACHE_MB)")
    ] = None,
    admin_token: Annotated[
        str | None,
        typer.Option(help="Token for admin requests (updates). (env KG_ADMIN_TOKEN)"),
    ] = None,
    service_allow: Annotated[
        list[str] | None,
        typer.Option(
            help="Endpoint SERVICE may call; repeatable. Default: none. "
            "(env KG_SERVICE_ALLOW, space-separated)"
        ),
    ] = None,
    base_iri: Annotated[
        str | None, typer.Option(help="Base of relative IRIs in queries. (env KG_BASE_IRI)")
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option(
            help="Query endpoint of a remote SPARQL store holding the release, to answer queries"
            " from; --store stays the release's files. (env KG_STORE_URL; KG_STORE_PROFILE,"
            " KG_STORE_UPDATE_URL, KG_STORE_GSP_URL and credentials from the environment)"
        ),
    ] = None,
) -> None:
    """Serve the store as a SPARQL 1.1 endpoint at /sparql (query UI at /)."""
    given: dict[str, Any] = {
        name: value
        for name, value in {
            "host": host,
            "port": port,
            "workers": workers,
            "timeout": timeout,
            "max_results": max_results,
            "max_query_length": max_query_length,
            "max_body_bytes": max_body_bytes,
            "memory_limit_mb": memory_limit_mb,
            "in_memory_triples": in_memory_triples,
            "cache_mb": cache_mb,
            "admin_token": admin_token,
            "service_allow": tuple(service_allow) if service_allow else None,
            "base_iri": base_iri,
            "store_url": store_url,
        }.items()
        if value is not None
    }
    with exit_codes():
        _run(given, root, store)


def _run(given: dict[str, Any], root: Path | None, store: Path | None) -> None:
    # Imported here: the other commands do not pay for the web stack.
    import uvicorn

    from kg.config import read_settings
    from kg.web import access_log
    from kg.web.app import create_app

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a remote store: not a line a query
    access_log.install(LOG_FORMAT)
    # One access-log record per request: skip the fields we never print.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    # As `kg.commands.settings`: a path typed on the command line is relative to the cwd.
    if root is not None:
        given["root"] = root.resolve()
    if store is not None:
        given["store"] = store.resolve()
    config = read_settings(**given)
    recover_at_start(config.store)
    app = create_app(config)
    logging.getLogger("kg.web").info(
        "serving %s at http://%s:%d/sparql, %d cores for queries, %g s per query",
        f"{config.store_url} (release files in {config.store})"
        if config.store_url
        else config.store,
        config.host,
        config.port,
        config.workers,
        config.timeout,
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=config.host,
            port=config.port,
            log_config=None,
            access_log=False,  # kg.web.access logs each request, with the query's hash
            server_header=False,
            limit_concurrency=1000,
            timeout_graceful_shutdown=5,
        )
    )
    server.run()


def recover_at_start(store: Path) -> None:
    """Clean up after a writer killed mid-write, and put back a store it left renamed away.

    The next writer would, but a server may start long before the next write: it must not
    serve no store while the complete one is only renamed away, nor leave a dead build's staged
    copy on the disk. Under the write lock, taken without waiting: a writer holding it is
    writing now (its staging is no leftover) and cleaned up before it began, and the server
    must not wait for a build to start. A store the server may not write to (read-only media)
    has nothing it could clean: it is served as it is.
    """
    from kg.lock import StoreBusyError, write_lock
    from kg.store import recover

    log = logging.getLogger("kg.web")
    if not store.parent.is_dir():
        return  # no store and nothing beside it: nothing to recover, nothing to create
    try:
        with write_lock(store, "kg serve, cleaning up at start", wait=0):
            recover(store)
    except StoreBusyError as busy:
        log.info("not cleaning up beside the store now: %s", busy)
    except OSError as error:
        log.warning("cannot clean up beside the store %s: %s", store, error)
