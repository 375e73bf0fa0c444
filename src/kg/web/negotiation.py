"""Pure content negotiation: Accept (with q-values) and `format=` -> one of `kg.formats`.

Accept is read as RFC 9110 says (https://www.rfc-editor.org/rfc/rfc9110#name-accept): the most
specific range that matches a type gives its weight, q=0 excludes, and among equal weights the
server's order below decides. `format=` (a short name or a media type) overrides Accept, as
Fuseki's and Virtuoso's do, for links and clients that cannot set headers.
"""

from __future__ import annotations

import json
from functools import lru_cache

# The tables negotiated over are the format registry's (kg.formats); re-exported for the web.
from kg.formats import DESCRIPTION_FORMATS as DESCRIPTION_FORMATS
from kg.formats import GRAPH_FORMATS as GRAPH_FORMATS
from kg.formats import HTML as HTML
from kg.formats import RESULTS_FORMATS as RESULTS_FORMATS
from kg.formats import Format as Format

_Range = tuple[str, str, float]


def choose(accept: str | None, fmt: str | None, formats: tuple[Format, ...]) -> Format | None:
    """The format to answer in, or None when the client accepts none of `formats`.

    Args:
        accept: the Accept header; None or empty accepts anything.
        fmt: the `format` parameter, a name or a media type; it overrides `accept`.
        formats: the candidates, in the server's order of preference.
    """
    if fmt is not None:
        wanted = fmt.strip().lower()
        media_type = wanted.split(";")[0].strip()
        return next((f for f in formats if wanted in f.names or media_type in _types(f)), None)
    ranges = parse_accept(accept or "")
    if not ranges:
        return formats[0]
    best: Format | None = None
    best_q = 0.0
    for candidate in formats:
        q = max(_weight(ranges, media_type) for media_type in _types(candidate))
        if q > best_q:
            best, best_q = candidate, q
    return best


@lru_cache(maxsize=256)
def negotiate(accept: str | None, fmt: str | None) -> tuple[str | None, str | None]:
    """(results media type, graph media type) for a query: each None if none is acceptable.

    Cached: clients send the same few Accept headers over and over.
    """
    results = choose(accept, fmt, RESULTS_FORMATS)
    graph = choose(accept, fmt, GRAPH_FORMATS)
    return (
        results.media_type if results else None,
        graph.media_type if graph else None,
    )


@lru_cache(maxsize=256)
def parse_accept(accept: str) -> tuple[_Range, ...]:
    """The media ranges of an Accept header as (type, subtype, q); malformed ones are skipped."""
    ranges: list[_Range] = []
    for item in accept.split(","):
        media_range, *parameters = item.split(";")
        kind, slash, subtype = media_range.strip().lower().partition("/")
        if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
            continue
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((kind, subtype, q))
    return tuple(ranges)


def _types(candidate: Format) -> list[str]:
    return [candidate.media_type, *candidate.aliases]


def _weight(ranges: tuple[_Range, ...], media_type: str) -> float:
    """The q of the most specific range matching `media_type` (0 if none does)."""
    kind, _, subtype = media_type.partition("/")
    best_specificity, best_q = -1, 0.0
    for range_kind, range_subtype, q in ranges:
        if range_kind == kind and range_subtype == subtype:
            specificity = 2
        elif range_kind == kind and range_subtype == "*":
            specificity = 1
        elif range_kind == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_q = specificity, q
    return best_q


def mark_truncated(body: bytes, media_type: str, link: str) -> bytes:
    """Add `link` to the head of a cut SELECT answer in JSON or XML; other formats as they are.

    https://www.w3.org/TR/sparql11-results-json/#select-link and
    https://www.w3.org/TR/rdf-sparql-XMLres/#head: a link to more about the results.
    """
    if media_type == RESULTS_FORMATS[0].media_type and body.startswith(b'{"head":{'):
        entry = b'"link":[' + json.dumps(link).encode() + b"],"
        return body[:9] + entry + body[9:]
    if media_type == RESULTS_FORMATS[1].media_type:
        escaped = link.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        return body.replace(b"</head>", f'<link href="{escaped}"/></head>'.encode(), 1)
    return body
