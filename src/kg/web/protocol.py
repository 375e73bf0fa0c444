"""Reading a SPARQL 1.1 Protocol request: which operation, with which parameters.

https://www.w3.org/TR/sparql11-protocol/#query-operation (query by GET, by URL-encoded POST,
by POST directly) and #update-operation (update by URL-encoded POST or POST directly; never by
GET). Pure but for reading the body; the caps on body and query size are applied here.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl

from starlette.requests import Request

from kg.web.errors import (
    BadRequest,
    ContentTooLarge,
    UnsupportedMediaType,
    UriTooLong,
)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class Operation:
    """What a request asks for.

    Attributes:
        kind: "query", "update", or "describe" (no operation: the service description).
        text: the query or update.
        default_graphs: `default-graph-uri` (query) or `using-graph-uri` (update) values.
        named_graphs: `named-graph-uri` or `using-named-graph-uri` values.
        fmt: the `format` parameter, if any.
    """

    kind: Literal["query", "update", "describe"]
    text: str = ""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    fmt: str | None = None


async def read_operation(request: Request, max_query_length: int, max_body_bytes: int) -> Operation:
    """The operation of a GET, HEAD or POST request to the endpoint.

    Raises:
        BadRequest: two queries, a query and an update, an update by GET, bad UTF-8.
        UnsupportedMediaType: a POST whose content type the protocol does not define.
        ContentTooLarge: the body, or the query in it, is over its cap.
        UriTooLong: the query in the URL is over its cap.
    """
    url_params = _url_params(request, max_query_length)
    if request.method in ("GET", "HEAD"):
        if "update" in url_params:
            raise BadRequest("SPARQL Update must be sent by POST, not GET")
        return _operation(url_params, None, max_query_length, UriTooLong)
    media_type, _, parameters = request.headers.get("content-type", "").partition(";")
    media_type = media_type.strip().lower()
    _check_charset(parameters)
    if media_type not in (FORM, QUERY, UPDATE):
        raise UnsupportedMediaType(
            f"unsupported content type {media_type or '(none)'!r}: send {QUERY}, {UPDATE} or {FORM}"
        )
    body = _decode(await read_body(request, max_body_bytes))
    if media_type == FORM:
        params = _merge(url_params, _parse(body, "body"))
        return _operation(params, None, max_query_length, ContentTooLarge)
    kind: Literal["query", "update"] = "query" if media_type == QUERY else "update"
    return _operation(url_params, (kind, body), max_query_length, ContentTooLarge)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it is known to be over `limit` bytes.

    Raises:
        ContentTooLarge: Content-Length, or the bytes received, exceed `limit`.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ContentTooLarge(f"the request body is over the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ContentTooLarge(f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _url_params(request: Request, max_query_length: int) -> dict[str, list[str]]:
    raw = request.scope["query_string"]
    # Percent-encoding at most triples a character; the rest is room for the other parameters.
    # (uvicorn's parser itself refuses URLs over about 64 kB with a 400: POST long queries.)
    if len(raw) > 3 * max_query_length + 8 * 1024:
        raise UriTooLong(f"the URL is too long: queries are limited to {max_query_length} chars")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest("the URL's query string must be percent-encoded UTF-8") from None
    return _parse(text, "URL")


def _parse(text: str, where: str) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    try:
        pairs = parse_pairs(text)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest(f"the {where} parameters are not percent-encoded UTF-8") from None
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def parse_pairs(text: str) -> list[tuple[str, str]]:
    """`parse_qsl(text, keep_blank_values=True, errors="strict")`, in a tenth of the time.

    A query in a URL is mostly percent-escapes, and `unquote` decodes them one by one in Python
    (about 40 µs a query, a twentieth of what the server spends on a small one); here they are
    decoded in C, as `\\xHH` escapes. Whatever this does not handle alike (an escape that is not
    `%HH`, a character outside ASCII) goes to `parse_qsl` itself.

    Raises:
        UnicodeDecodeError: the escapes are not UTF-8.
    """
    if text.isascii():
        try:
            return [
                (_unquote_plus(name), _unquote_plus(value))
                for name, _, value in (pair.partition("=") for pair in text.split("&") if pair)
            ]
        except ValueError:  # a "%" not followed by two hex digits, or not UTF-8: see below
            pass
    return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")


def _unquote_plus(text: str) -> str:
    """`unquote_plus` of an ASCII string whose every "%" starts an escape (else ValueError)."""
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    escaped = text.encode("ascii").replace(b"\\", b"\\\\").replace(b"%", b"\\x")
    decoded: bytes = codecs.escape_decode(escaped)[0]
    return decoded.decode("utf-8")


def _merge(first: dict[str, list[str]], second: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = {name: list(values) for name, values in first.items()}
    for name, values in second.items():
        merged.setdefault(name, []).extend(values)
    return merged


def _operation(
    params: dict[str, list[str]],
    direct: tuple[Literal["query", "update"], str] | None,
    max_query_length: int,
    too_long: type[BadRequest] | type[ContentTooLarge] | type[UriTooLong],
) -> Operation:
    """The operation named by `params`, or carried by a direct POST body (`direct`)."""
    queries, updates = params.get("query", []), params.get("update", [])
    if direct is not None:
        (queries if direct[0] == "query" else updates).append(direct[1])
    if len(queries) > 1 or len(updates) > 1:
        raise BadRequest("one query (or one update) per request: this one has several")
    if queries and updates:
        raise BadRequest("a request is a query or an update, not both")
    fmt = params.get("format", [None])[0]
    if not queries and not updates:
        return Operation("describe", fmt=fmt)
    text = queries[0] if queries else updates[0]
    if len(text) > max_query_length:
        raise too_long(f"the query is over the limit of {max_query_length} characters")
    if queries:
        defaults, named = "default-graph-uri", "named-graph-uri"
    else:
        defaults, named = "using-graph-uri", "using-named-graph-uri"
    return Operation(
        "query" if queries else "update",
        text,
        tuple(params.get(defaults, ())),
        tuple(params.get(named, ())),
        fmt,
    )


def _check_charset(parameters: str) -> None:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"unsupported charset {charset!r}: send UTF-8")


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the request body is not UTF-8: {error}") from None
