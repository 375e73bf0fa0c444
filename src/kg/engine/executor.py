"""The query worker process: `python -m kg.engine.executor FD`, several queries at once.

Oxigraph has no time limit and no cancellation (ORDER BY, GROUP BY, COUNT yield nothing until
done), so queries run in a process the HTTP side can SIGKILL. The worker is started by exec,
not fork, and imports only the standard library and Oxigraph (rdflib only for a query that
mentions SERVICE): it stays small, and shares no state with the HTTP process.

One process evaluates `threads` queries at once, each on a thread of its own: Oxigraph releases
the GIL while it evaluates and serialises, so threads use every core, and they share one copy
of the store. That copy is in memory when the store holds at most `in_memory_triples` triples
(loaded from the store's N-Quads snapshot; Oxigraph answers a query on its in-memory store
several times faster than on its on-disk one: about 9x at a million triples, measured with the
benchmark's query mix), else the store is read on disk, read-only. A process per core, each
with its own copy, would need that memory once per core. The worker caps its address space with
RLIMIT_AS, and reopens the store when the manifest changes (a build or load swaps the store
directory).

Answers are serialised by Oxigraph and cut at `max_results` without per-row Python
(`kg.engine.answers`). The in-process engine (`kg.engine.inline`) calls `evaluate` on a
`Database` of its own: the same code, without the process.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import resource
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from kg.engine import answers
from kg.engine.answers import GRAPH_TYPES, RESULTS_TYPES
from kg.engine.messages import (
    Outcome,
    QueryReply,
    QueryRequest,
    WorkerConfig,
    frame,
    read_query,
    receive,
    reply_frame,
)
from kg.federation import ServiceCheckError, forbidden, services_in
from kg.layout import DATABASE, MANIFEST, SNAPSHOT, Manifest, Stamp, release_of, stamp_of
from kg.query_text import names_dataset

COPY_BATCH = 50_000
"""Quads copied at a time from a database that has no snapshot: bounds the copy's extra memory."""


class Database:
    """The store as last opened, reopened when its manifest changes.

    Args:
        store: the store directory.
        in_memory_triples: a store up to this size is loaded into memory; 0: never.
    """

    def __init__(self, store: Path, in_memory_triples: int = 0) -> None:
        self.store = store
        self.in_memory_triples = in_memory_triples
        self.manifest = str(store / MANIFEST)  # a string: stat often, so keep it cheap
        self.stamp: Stamp | None = None
        self.release = ("", "")
        self.opened: tuple[ox.Store, tuple[str, str]] | None = None  # set as one, for threads
        self.in_memory = False
        self.lock = threading.Lock()  # one thread reopens; the others wait for it

    def current(self, stamp: Stamp | None = None) -> tuple[ox.Store, tuple[str, str]]:
        """The open store and its release, reopened first if the manifest on disk changed.

        `stamp` is the manifest as the HTTP side last saw it: when it is the open store's, the
        manifest is not looked at (a system call, and a release of the GIL, per query).

        One thread reopens; meanwhile the others go on with the store they had (answers say
        which release they came from), so a reload of a large store in memory holds up only
        the query that noticed it. Two copies are then in memory for a few seconds.

        Raises:
            OSError: there is no store (yet) or it cannot be opened.
        """
        opened = self.opened
        if opened is not None and (stamp == self.stamp or self._stamp() == self.stamp):
            return opened
        if opened is None:
            self.lock.acquire()
        elif not self.lock.acquire(blocking=False):
            return opened  # another thread is reloading
        try:
            while True:
                stamp = self._stamp()
                if self.opened is not None and stamp == self.stamp:
                    return self.opened
                manifest = Path(self.manifest).read_bytes()
                try:
                    release = release_of(manifest)
                    small = Manifest.parse(manifest).total <= self.in_memory_triples
                except (ValueError, TypeError) as error:  # TypeError: a count is not a number
                    raise OSError(f"{self.store / MANIFEST}: {error}") from error
                handle = _load(self.store, in_memory=small)
                if self._stamp() != stamp:
                    continue  # swapped while loading: the manifest read may not match the data
                self.opened, self.stamp, self.release = (handle, release), stamp, release
                self.in_memory = small
        finally:
            self.lock.release()

    def _stamp(self) -> Stamp:
        return stamp_of(os.stat(self.manifest))  # noqa: PTH116 - a Path costs more than the stat


def _load(store: Path, in_memory: bool) -> ox.Store:
    """The database read-only, or the store's quads in memory (faster to query).

    In memory, the snapshot is loaded with `load`, not `bulk_load`: at a million triples the
    bulk loader's batches take half as much memory again as the store it builds.

    Raises:
        OSError: the database cannot be opened, or the snapshot cannot be read.
    """
    if not in_memory:
        return ox.Store.read_only(str(store / DATABASE))
    copy = ox.Store()
    snapshot = store / SNAPSHOT
    if snapshot.is_file():
        try:
            copy.load(path=str(snapshot), format=ox.RdfFormat.N_QUADS)
        except SyntaxError as error:  # a damaged snapshot: the store is not available
            raise OSError(f"{snapshot}: {error}") from error
        return copy
    quads = ox.Store.read_only(str(store / DATABASE)).quads_for_pattern(None, None, None, None)
    while batch := list(itertools.islice(quads, COPY_BATCH)):
        copy.extend(batch)
    return copy


def evaluate(database: Database, request: QueryRequest, config: WorkerConfig) -> QueryReply:
    """Run one query and serialise its answer as asked; never raises for a bad query."""
    services: tuple[str, ...] | None = None
    try:
        store, release = _open(database, request.stamp)
    except OSError as error:
        return _failure(Outcome.UNAVAILABLE, f"the store is not available: {error}", database)
    if request.check_services:
        try:
            services = services_in(request.query, config.prefixes, config.base_iri)
        except ServiceCheckError as error:
            # No verdict to remember: the same text must be checked (and refused) again.
            return _failure(Outcome.FORBIDDEN_SERVICE, str(error), database, None)
        if refused := forbidden(services, request.service_allow):
            message = f"SERVICE is not allowed to {', '.join(refused)}: " + _allowed_hint(request)
            return _failure(Outcome.FORBIDDEN_SERVICE, message, database, services)
    try:
        options = _dataset(request)
    except ValueError as error:
        return _failure(Outcome.BAD_DATASET, f"not an IRI in the dataset: {error}", database)
    try:
        result = store.query(
            request.query, prefixes=config.prefixes, base_iri=config.base_iri, **options
        )
        return _serialise(result, request, release, services, config.prefixes)
    except SyntaxError as error:
        return _failure(Outcome.SYNTAX, str(error), database, services)
    except OSError as error:  # reading the store, or a SERVICE call, failed
        return _failure(Outcome.UNAVAILABLE, f"the query failed: {error}", database, services)


def _open(database: Database, stamp: Stamp | None = None) -> tuple[ox.Store, tuple[str, str]]:
    """The store, retried briefly: a swap leaves no store at the path for an instant."""
    for attempt in range(3):
        try:
            return database.current(stamp)
        except OSError:
            if attempt == 2:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _dataset(request: QueryRequest) -> dict[str, Any]:
    """Store options for the dataset: the request's, else the query's, else the union.

    https://www.w3.org/TR/sparql11-protocol/#dataset: a dataset given by the protocol
    overrides the query's FROM and FROM NAMED.

    Raises:
        ValueError: a graph is not an absolute IRI.
    """
    if request.default_graphs is None and request.named_graphs is None:
        return {"use_default_graph_as_union": not names_dataset(request.query)}
    return {
        "default_graph": [ox.NamedNode(iri) for iri in request.default_graphs or ()],
        "named_graphs": [ox.NamedNode(iri) for iri in request.named_graphs or ()],
    }


def _serialise(
    result: Any,
    request: QueryRequest,
    release: tuple[str, str],
    services: tuple[str, ...] | None,
    prefixes: dict[str, str],
) -> QueryReply:
    """The answer in the media type asked for its form, cut at `max_results`."""
    if isinstance(result, ox.QueryTriples):
        graph_type = request.graph_type
        if graph_type is None:
            return _not_acceptable("CONSTRUCT and DESCRIBE", GRAPH_TYPES, release, services)
        target = GRAPH_TYPES[graph_type]
        body, cut = answers.triples(result, target, request.max_results, prefixes)
        return QueryReply(Outcome.OK, graph_type, body, cut, release, services)
    results_type = request.results_type
    if results_type is None:
        return _not_acceptable("SELECT and ASK", RESULTS_TYPES, release, services)
    if isinstance(result, ox.QueryBoolean):
        answer = result.serialize(format=RESULTS_TYPES[results_type])
        assert answer is not None  # bytes when given no output
        return QueryReply(Outcome.OK, results_type, answer, False, release, services)
    body, cut = answers.solutions(result, RESULTS_TYPES[results_type], request.max_results)
    return QueryReply(Outcome.OK, results_type, body, cut, release, services)


def _not_acceptable(
    forms: str, types: dict[str, Any], release: tuple[str, str], services: tuple[str, ...] | None
) -> QueryReply:
    message = f"no acceptable media type for a {forms} answer; this endpoint gives " + ", ".join(
        types
    )
    return QueryReply(Outcome.NOT_ACCEPTABLE, "", message.encode(), False, release, services)


def _allowed_hint(request: QueryRequest) -> str:
    if not request.service_allow:
        return "this endpoint allows no SERVICE calls"
    return "allowed endpoints: " + ", ".join(request.service_allow)


def _failure(
    outcome: Outcome,
    message: str,
    database: Database,
    services: tuple[str, ...] | None = None,
) -> QueryReply:
    return QueryReply(outcome, "", message.encode(), False, database.release, services)


def open_database(config: WorkerConfig) -> Database:
    """The store of `config`, opened (loaded into memory if small) before the first query."""
    database = Database(Path(config.store), config.in_memory_triples)
    with contextlib.suppress(OSError):  # until there is a store, queries report it missing
        _open(database)
    return database


def answer(database: Database, request: QueryRequest, config: WorkerConfig) -> QueryReply:
    """`evaluate`, with a bug in it reported as an unavailable answer, not raised: whoever
    waits for the reply (the HTTP side, across a socket or a thread) must get one."""
    try:
        return evaluate(database, request, config)
    except Exception as error:
        return _failure(Outcome.UNAVAILABLE, f"the query failed: {error!r}", database)


def _limit_memory(megabytes: int) -> None:
    """Cap the address space: a query that needs more fails here, not on the whole machine."""
    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def serve(channel: socket.socket) -> None:
    """Answer queries from `channel` until it closes; the first message is the config.

    Each of `threads` threads takes the next query off the socket itself, answers it and sends
    the reply (leader and followers): no queue and no hand-over between threads, which cost as
    much as a small query.
    """
    reader = channel.makefile("rb")
    try:
        config: WorkerConfig = receive(reader)
        _limit_memory(config.memory_limit_mb)
        database = open_database(config)
        channel.sendall(frame(database.release))  # ready
    except (EOFError, ConnectionError):
        os._exit(0)
    receiving, sending = threading.Lock(), threading.Lock()
    for _ in range(config.threads - 1):
        threading.Thread(
            target=_answer_queries,
            args=(channel, reader, receiving, sending, database, config),
            daemon=True,
        ).start()
    _answer_queries(channel, reader, receiving, sending, database, config)


def _answer_queries(
    channel: socket.socket,
    reader: BinaryIO,
    receiving: threading.Lock,
    sending: threading.Lock,
    database: Database,
    config: WorkerConfig,
) -> None:
    """Take a query, answer it, send the reply numbered as the query was; until the socket
    closes, which ends the process at once: nobody wants the answers still being computed."""
    try:
        while True:
            with receiving:
                number, request = read_query(receive(reader))
            message = reply_frame(number, answer(database, request, config))
            with sending:
                channel.sendall(message)
    except (EOFError, OSError):
        pass
    os._exit(0)


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))
