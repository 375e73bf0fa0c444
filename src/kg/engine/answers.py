"""Answers as Oxigraph serialises them, cut at `max_results` rows without per-row Python.

Imported by the query worker, so standard library and Oxigraph only.

Oxigraph writes an answer through a file-like sink; a sink here stops it (by raising) once the
answer has more rows than allowed. Rows are counted in the bytes written:
- TSV has exactly one line per row (it escapes newlines), so rows are lines;
- JSON (https://www.w3.org/TR/sparql11-results-json/) is written compactly, each solution an
  object in the `bindings` array. A solution object follows `[` or `,`, every other object
  follows `:`, and inside strings `"` is always escaped: so solutions are the `[{` and `,{`
  outside strings. Each takes at least 3 bytes (`{}` and a comma), so an answer shorter than
  3 × (limit + 1) bytes cannot have too many rows and is not scanned at all: the common small
  answer costs nothing more than Oxigraph's own writing.
- CSV and XML have no such cheap count: they are written as TSV, cut, re-read, and rewritten.
CONSTRUCT and DESCRIBE triples are taken one by one up to the limit.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Any, TypeVar, cast

import pyoxigraph as ox

from kg import formats

_T = TypeVar("_T")


def _known(found: _T | None, fmt: formats.Format) -> _T:
    """Oxigraph's format for one of ours (tests/test_formats.py checks it knows each)."""
    if found is None:
        raise ValueError(f"Oxigraph knows no format {fmt.media_type}")
    return found


RESULTS_TYPES: dict[str, ox.QueryResultsFormat] = {
    fmt.media_type: _known(ox.QueryResultsFormat.from_media_type(fmt.media_type), fmt)
    for fmt in formats.RESULTS_FORMATS
}
"""Oxigraph's writer for each results media type of `kg.formats`."""
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    fmt.media_type: _known(ox.RdfFormat.from_media_type(fmt.media_type), fmt)
    for fmt in formats.GRAPH_FORMATS
}
"""Oxigraph's writer for each graph media type of `kg.formats`."""

_JSON = ox.QueryResultsFormat.JSON
_TSV = ox.QueryResultsFormat.TSV
_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
"""Formats written with our prefixes, for people reading them."""

# JSON outside solution starts: runs of other bytes, whole strings, and a `[` or `,` not
# followed by `{` (one at the very end waits for the next chunk). Possessive: no backtracking.
_JSON_SKIP = rb'(?:[^"\[,]++|"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[,](?=[^{]))*+'
_SKIP = re.compile(_JSON_SKIP)
_SOLUTION = re.compile(_JSON_SKIP + rb"[\[,]\{")
_JSON_END = b"]}}"
"""What closes Oxigraph's JSON results after the last solution."""


class _LimitReachedError(Exception):
    """Raised by a sink to stop Oxigraph's serialiser once the answer has too many rows.

    Oxigraph's buffered writer writes its buffer once more when it is dropped, after the error:
    a sink that stopped ignores whatever comes after.
    """


class _LineSink:
    """Keeps what Oxigraph writes and counts its lines; stops after `limit` of them."""

    __slots__ = ("chunks", "limit", "lines")

    def __init__(self, limit: int) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.limit = limit

    def write(self, data: bytes) -> int:
        if self.lines > self.limit:  # stopped
            return len(data)
        self.chunks.append(bytes(data))
        self.lines += data.count(b"\n")
        if self.lines > self.limit:
            raise _LimitReachedError
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the chunks are kept in memory."""


class _JsonSink:
    """Keeps what Oxigraph writes; once it is long enough to hold more than `limit` solutions,
    counts them, and stops at the first one too many (its offset is then `cut`)."""

    __slots__ = ("cut", "data", "limit", "scanned", "solutions", "unscanned_up_to")

    def __init__(self, limit: int) -> None:
        self.data = bytearray()
        self.limit = limit
        self.unscanned_up_to = 3 * (limit + 1) - 1  # shorter: at most `limit` solutions
        self.scanned = 0  # where counting goes on: always outside a string
        self.solutions = 0
        self.cut = -1

    def write(self, data: bytes) -> int:
        if self.cut >= 0:  # stopped
            return len(data)
        self.data += data
        if len(self.data) >= self.unscanned_up_to:
            self._count()
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the answer is kept in memory."""

    def _count(self) -> None:
        data, position = self.data, self.scanned
        while (found := _SOLUTION.match(data, position)) is not None:
            position = found.end()
            self.solutions += 1
            if self.solutions > self.limit:
                opening = data[position - 2] == ord("[")  # the first solution: keep the `[`
                self.cut = position - 1 if opening else position - 2  # else drop the comma
                raise _LimitReachedError
        skipped = _SKIP.match(data, position)
        assert skipped is not None  # it matches the empty string
        self.scanned = skipped.end()


def solutions(
    result: ox.QuerySolutions, target: ox.QueryResultsFormat, limit: int
) -> tuple[bytes, bool]:
    """SELECT solutions in `target`, at most `limit` of them; (body, whether some were left out)."""
    if target == _JSON:
        return _json_solutions(result, limit)
    body, cut = _tsv_solutions(result, limit)
    if target != _TSV:
        body = _bytes(ox.parse_query_results(body, format=_TSV).serialize(format=target))
    return body, cut


def _json_solutions(result: ox.QuerySolutions, limit: int) -> tuple[bytes, bool]:
    sink = _JsonSink(limit)
    try:
        result.serialize(cast(Any, sink), format=_JSON)
    except _LimitReachedError:
        return bytes(sink.data[: sink.cut]) + _JSON_END, True
    return bytes(sink.data), False


def _tsv_solutions(result: ox.QuerySolutions, limit: int) -> tuple[bytes, bool]:
    sink = _LineSink(limit + 1)  # the header line, then one line per row
    try:
        result.serialize(cast(Any, sink), format=_TSV)
    except _LimitReachedError:
        body = b"".join(sink.chunks)
        end = -1
        for _line in range(limit + 1):
            end = body.index(b"\n", end + 1)
        return body[: end + 1], True
    return b"".join(sink.chunks), False


def triples(
    result: ox.QueryTriples, target: ox.RdfFormat, limit: int, prefixes: dict[str, str]
) -> tuple[bytes, bool]:
    """CONSTRUCT or DESCRIBE triples in `target`, at most `limit`; (body, whether cut)."""
    kept = list(islice(result, limit + 1))
    cut = len(kept) > limit
    used = prefixes if target in _PREFIXED else None
    return _bytes(ox.serialize(kept[:limit], format=target, prefixes=used)), cut


def _bytes(body: bytes | None) -> bytes:
    """What Oxigraph's serialisers return when given no output: always bytes, then."""
    assert body is not None
    return body
