"""What the HTTP process and a query worker say to each other over their socket.

Named tuples of strings, bytes and numbers, importable without Oxigraph or a web framework on
either side; pickled, and on the query's path as plain tuples (`query_frame`, `reply_frame`).
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import pickle
import struct
from typing import Any, BinaryIO, NamedTuple

DATABASE = "oxigraph"
"""The Oxigraph directory of a store (`kg.store.DATABASE`; a test keeps the two equal)."""
MANIFEST = "manifest.json"
"""The manifest of a store (`kg.store.MANIFEST`; a test keeps the two equal)."""
SNAPSHOT = "snapshot.nq"
"""The store's quads as N-Quads (`kg.store.SNAPSHOT`; a test keeps the two equal): a worker
loads it into memory faster than it could copy the database."""


Stamp = tuple[int, int, int]
"""A manifest file's identity (inode, modification time in ns, size): a swapped-in store has
another. The HTTP side and the worker compare theirs, so both compute it with `stamp_of`."""


def stamp_of(info: os.stat_result) -> Stamp:
    """The stamp of a manifest, from its `stat`."""
    return (info.st_ino, info.st_mtime_ns, info.st_size)


class WorkerConfig(NamedTuple):
    """Sent once, when the worker starts.

    Attributes:
        in_memory_triples: a store up to this size is loaded into memory, a larger one is
            queried on disk (`Settings.in_memory_triples`).
        threads: queries the worker evaluates at once; set by `kg.web.pool.QueryPool`.
    """

    store: str
    prefixes: dict[str, str]
    base_iri: str | None
    memory_limit_mb: int
    in_memory_triples: int
    threads: int = 1


class QueryRequest(NamedTuple):
    """One query and what the client accepts.

    Attributes:
        query: the query text as sent.
        default_graphs: `default-graph-uri` values, or None when the request gave none and
            none of `named_graphs` either (the query's own dataset, else the union).
        named_graphs: `named-graph-uri` values, or None (see `default_graphs`).
        results_type: media type for a SELECT or ASK answer; None if none is acceptable.
        graph_type: media type for a CONSTRUCT or DESCRIBE answer; None if none is acceptable.
        max_results: rows or triples to send at most; the answer says when it was cut.
        service_allow: SERVICE endpoints the query may call; checked in the worker when
            `check_services` (the HTTP side knows the query's verdict otherwise).
        stamp: the manifest's stamp as the HTTP side last saw it (`Release.stamp`): while it
            is the worker's, the worker does not look at the manifest again. None: look.
    """

    query: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    results_type: str | None
    graph_type: str | None
    max_results: int
    check_services: bool
    service_allow: tuple[str, ...]
    stamp: Stamp | None = None


class Outcome(enum.StrEnum):
    """How a query ended; `kg.web.app` maps each to a status."""

    OK = "ok"
    SYNTAX = "syntax"  # the query does not parse: body is the parser's message
    BAD_DATASET = "bad-dataset"  # a default-graph-uri or named-graph-uri is not an IRI
    NOT_ACCEPTABLE = "not-acceptable"  # no acceptable media type for this query form
    FORBIDDEN_SERVICE = "forbidden-service"  # SERVICE to an endpoint not allowed
    UNAVAILABLE = "unavailable"  # the store cannot be opened (being replaced, or gone)


class QueryReply(NamedTuple):
    """The answer, or why there is none (`body` is then the message, UTF-8).

    Attributes:
        release: (version, content hash) of the store the answer was computed on.
        services: SERVICE endpoints found in the query when the worker checked them.
    """

    outcome: Outcome
    media_type: str
    body: bytes
    truncated: bool
    release: tuple[str, str]
    services: tuple[str, ...] | None = None


def release_of(manifest: bytes) -> tuple[str, str]:
    """(version, content hash) named by a store manifest's bytes.

    A store written by `kg load` has no content hash; the manifest's own digest stands in for
    it, since that manifest lists the digest of every file loaded.

    Raises:
        ValueError: the bytes are not a store manifest.
    """
    data = json.loads(manifest)
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        raise ValueError("not a store manifest")
    content_hash = data.get("content_hash") or hashlib.sha256(manifest).hexdigest()
    return data["version"], str(content_hash)


def triples_in(manifest: bytes) -> int | None:
    """How many triples a store manifest counts in all, or None if it does not say."""
    try:
        triples = json.loads(manifest).get("triples")
        return sum(int(count) for count in triples.values())
    except (ValueError, TypeError, AttributeError):
        return None


HEADER = struct.Struct("!Q")
"""Each message is its pickled length as 8 bytes, then the pickle. After the config and the
worker's first answer (its release), queries and replies travel numbered (`query_frame`,
`reply_frame`): the worker answers several queries at once, in the order they finish."""

_OUTCOMES = {outcome.value: outcome for outcome in Outcome}


def frame(message: Any) -> bytes:
    """`message` pickled, with its length in front."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def query_frame(number: int, request: QueryRequest) -> bytes:
    """Query `number`, as plain values: a named tuple or an enum pickles as a reference to its
    class, which costs twice as much to write and to read, on the query's path."""
    return frame((number, tuple(request)))


def read_query(message: Any) -> tuple[int, QueryRequest]:
    """The number and query of a message made by `query_frame`."""
    number, fields = message
    return number, QueryRequest._make(fields)


def reply_frame(number: int, reply: QueryReply) -> bytes:
    """The reply to query `number`, as plain values (see `query_frame`)."""
    return frame((number, reply.outcome.value, *reply[1:]))


def read_reply(message: Any) -> tuple[int, QueryReply]:
    """The number and reply of a message made by `reply_frame`."""
    number, outcome, *fields = message
    return number, QueryReply(_OUTCOMES[outcome], *fields)


def receive(reader: BinaryIO) -> Any:
    """The next message from a buffered reader over a blocking socket (the worker's side).

    Buffered, so that one system call brings in several queries when they come together.

    Raises:
        EOFError: the other side closed the socket.
    """
    header = reader.read(HEADER.size)
    if len(header) < HEADER.size:
        raise EOFError("the other side closed the socket")
    (size,) = HEADER.unpack(header)
    data = reader.read(size)
    if len(data) < size:
        raise EOFError("the other side closed the socket")
    return pickle.loads(data)
