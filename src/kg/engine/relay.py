"""A remote store's answer as the endpoint gives it: the negotiated format, cut at `max_results`.

What `kg.engine.answers` is to pyoxigraph's results, for bytes that came over HTTP
(`kg.engine.remote`). An answer is passed on as it came when the engine writes as pyoxigraph does
(`Capabilities.answers_as_ours`: Oxigraph server of the same version), it is in the format the
client negotiated, and it is short enough that it cannot hold more than `max_results` rows (the
bounds `kg.engine.answers` uses: a JSON solution takes at least 3 bytes, a TSV row one line).
Otherwise it is parsed (pyoxigraph) and written again by `kg.engine.answers`, so every engine's
answers are cut, and look, as the embedded store's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, cast

import pyoxigraph as ox

from kg import formats
from kg.engine import answers
from kg.engine.answers import GRAPH_TYPES, RESULTS_TYPES
from kg.remote.profiles import Capabilities

Form = Literal["select", "ask", "graph"]
"""What a query's answer is: solutions, a boolean, or triples (CONSTRUCT and DESCRIBE)."""
_JSON = formats.RESULTS_JSON.media_type
_TSV = formats.RESULTS_TSV.media_type
_NTRIPLES = formats.NTRIPLES.media_type
ASK_VARIABLE = "__ASK_RETVAL"
"""The one variable of Virtuoso's answer to an ASK, which it gives as a one-row SELECT."""


def accept_for(form: Form, wanted: str, capabilities: Capabilities) -> str:
    """The media type to ask the engine for, to give `wanted` for an answer of `form`."""
    if form == "graph":
        return _NTRIPLES  # the one graph syntax every engine writes and that cuts by lines
    if not capabilities.answers_as_ours:
        return capabilities.results_type
    if form == "ask" or wanted in (_JSON, _TSV):
        return wanted
    return _TSV  # CSV and XML are cut as TSV and written again, as `kg.engine.answers` does


def relay(
    body: bytes,
    content_type: str,
    form: Form,
    wanted: str,
    limit: int,
    capabilities: Capabilities,
    prefixes: dict[str, str],
) -> tuple[bytes, bool]:
    """`body` (of media type `content_type`) as `wanted`, at most `limit` rows or triples;
    (body, whether some were left out).

    Raises:
        SyntaxError: the engine's answer does not parse as its media type says.
        ValueError: the engine answered in a media type we cannot read.
    """
    media_type = content_type.partition(";")[0].strip().lower()
    as_ours = capabilities.answers_as_ours and media_type == wanted
    if form == "graph":
        if as_ours and wanted == _NTRIPLES and body.count(b"\n") <= limit:
            return body, False
        return answers.triples(
            cast(Any, _triples(body, media_type)), GRAPH_TYPES[wanted], limit, prefixes
        )
    if as_ours and (form == "ask" or _fits(body, media_type, limit)):
        return body, False
    parsed = ox.parse_query_results(body, format=_results_format(media_type))
    target = RESULTS_TYPES[wanted]
    if form == "ask":
        if isinstance(parsed, ox.QuerySolutions):
            parsed = _boolean(parsed)
        if not isinstance(parsed, ox.QueryBoolean):
            raise ValueError("the engine answered an ASK without a boolean")
        written = parsed.serialize(format=target)
        assert written is not None  # bytes when given no output
        return written, False
    if not isinstance(parsed, ox.QuerySolutions):
        raise ValueError("the engine answered a SELECT with a boolean")
    return answers.solutions(parsed, target, limit)


def _fits(body: bytes, media_type: str, limit: int) -> bool:
    """Whether `body` cannot hold more than `limit` solutions (see the module's docstring)."""
    if media_type == _JSON:
        return len(body) < 3 * (limit + 1)
    if media_type == _TSV:
        return body.count(b"\n") <= limit + 1
    return False


def _results_format(media_type: str) -> ox.QueryResultsFormat:
    found = ox.QueryResultsFormat.from_media_type(media_type)
    if found is None:
        raise ValueError(f"the engine answered in {media_type or 'no media type'}")
    return found


def _triples(body: bytes, media_type: str) -> Iterator[ox.Triple]:
    fmt = ox.RdfFormat.from_media_type(media_type or _NTRIPLES)
    if fmt is None:
        raise ValueError(f"the engine answered in {media_type}")
    for quad in ox.parse(body, format=fmt):
        yield quad.triple


def _boolean(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """Virtuoso's one-row SELECT answer to an ASK, as the boolean it stands for."""
    value = False
    for solution in solutions:
        term = solution[ASK_VARIABLE]
        value = term is not None and term.value not in ("0", "false")
        break
    answer = b'{"head":{},"boolean":' + (b"true" if value else b"false") + b"}"
    parsed = ox.parse_query_results(answer, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QueryBoolean)
    return parsed
