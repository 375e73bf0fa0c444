"""What the engine is asked and answers, and how that crosses the socket to a worker process.

Named tuples of strings, bytes and numbers, importable without Oxigraph or a web framework on
either side; pickled, and on the query's path as plain tuples (`query_frame`, `reply_frame`).
The in-process engine passes the same tuples without pickling them.
"""

from __future__ import annotations

import enum
import pickle
import struct
from typing import Any, BinaryIO, NamedTuple

from kg.layout import Stamp


class WorkerConfig(NamedTuple):
    """Sent once, when the worker starts.

    Attributes:
        in_memory_triples: a store up to this size is loaded into memory, a larger one is
            queried on disk (`Settings.in_memory_triples`).
        threads: queries the worker evaluates at once; set by the engine.
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
    """How a query ended; `kg.engine.errors.failure` names the error of each failure."""

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
