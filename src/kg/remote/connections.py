"""A lean HTTP/1.1 client for the query path: kept-alive connections to one origin, on asyncio.

Every query `kg serve --store-url` answers is one request to the store, so what the client
costs is paid per query. With httpx's async client (httpcore, h11 and anyio under it; httpcore
also looks for `sniffio`, absent here, at each request) `kg serve` spent about 2 ms of CPU per
forwarded query of the benchmark's mix, with this one about 0.3 ms (bench/README.md, "A remote
store"). It does what that path needs and no more:

* requests already encoded, written in one `write` (https://www.rfc-editor.org/rfc/rfc9112);
* answers read whole, by `Content-Length`, chunked transfer coding (§7.1) or up to the close;
* a connection back in the pool after a complete answer unless the store said `close`; one
  that the store closed while it was idle (no byte of the answer came) is replaced and the
  request sent again once, as a query may be;
* a request cancelled mid-way (its deadline) drops its connection, never reuses it;
* errors are httpx's transport errors (`httpx.ConnectError`, `httpx.ReadError`...), so callers
  handle one family whichever client made the request.

Authentication stays httpx's (`httpx.Auth`: Basic, Digest, our Bearer): `kg.remote.query`
drives an auth flow over this client. No proxy is used (httpx would read `HTTP_PROXY`): the
store is the endpoint's backend, reached directly.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

HEAD_LIMIT = 64 * 1024
"""Bytes a status line and headers may take (asyncio's stream limit)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP response, read whole. Header names are lower-case; a repeated one is joined."""

    status_code: int
    reason_phrase: str
    headers: dict[str, str]
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        charset = self.headers.get("content-type", "").partition("charset=")[2].strip(' "')
        try:
            return self.content.decode(charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")


class _Stale(Exception):  # noqa: N818 - not an error: the request goes again
    """A kept-alive connection was closed by the store before any byte of the answer."""


class _Connection:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def abort(self) -> None:
        self.writer.transport.abort()


class ConnectionPool:
    """Up to `connections` kept-alive connections to the origin of `url`.

    Args:
        url: any URL of the origin (scheme, host and port are used).
        connections: requests in flight at once; more wait for a connection.
        connect_timeout: seconds a new connection may take.
    """

    def __init__(self, url: str, connections: int, connect_timeout: float = 5.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.authority = parts.netloc.rpartition("@")[2]
        self.ssl = ssl.create_default_context() if parts.scheme == "https" else None
        self.connect_timeout = connect_timeout
        self.slots = asyncio.Semaphore(connections)
        self.idle: list[_Connection] = []
        self.open: set[_Connection] = set()
        self.closed = False

    def head(self, method: str, target: str, headers: Iterable[tuple[str, str]]) -> bytes:
        """The request line and headers of a request to this origin, `Host` first."""
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.authority}"]
        lines += [f"{name}: {value}" for name, value in headers if name.lower() != "host"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def send(self, head: bytes, body: bytes = b"") -> Answer:
        """Send one request (`head` from `head`, with its Content-Length); its answer.

        Raises:
            httpx.TransportError: no connection, or it broke before the answer was whole.
        """
        async with self.slots:
            try:
                return await self._exchange(head + body, fresh=False)
            except _Stale:
                return await self._exchange(head + body, fresh=True)

    async def _exchange(self, data: bytes, fresh: bool) -> Answer:
        reused = bool(self.idle) and not fresh
        connection = self.idle.pop() if reused else await self._connect()
        kept = False
        try:
            answer, keep = await _request(connection, data, reused)
            if keep and not self.closed:
                self.idle.append(connection)
                kept = True
            return answer
        finally:
            if not kept:
                self.open.discard(connection)
                connection.abort()

    async def _connect(self) -> _Connection:
        if self.closed:
            raise httpx.ConnectError("the connection pool is closed")
        try:
            async with asyncio.timeout(self.connect_timeout):
                reader, writer = await asyncio.open_connection(
                    self.host, self.port, ssl=self.ssl, limit=HEAD_LIMIT
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {self.authority} in time") from None
        except OSError as error:
            raise httpx.ConnectError(f"{self.authority}: {error}") from error
        connection = _Connection(reader, writer)
        self.open.add(connection)
        return connection

    def close(self) -> None:
        """Drop every connection: requests in flight fail with `httpx.ReadError`."""
        self.closed = True
        for connection in self.open:
            connection.abort()
        self.open.clear()
        self.idle.clear()


async def _request(connection: _Connection, data: bytes, reused: bool) -> tuple[Answer, bool]:
    """Write `data`, read the answer; (the answer, whether the connection can be kept)."""
    reader = connection.reader
    try:
        connection.writer.write(data)
        await connection.writer.drain()
        try:
            status, reason, version, headers = await _read_head(reader)
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            if reused and not getattr(error, "partial", b""):
                raise _Stale from None
            raise
        while 100 <= status < 200:  # interim answers (we never ask for them): skip
            status, reason, version, headers = await _read_head(reader)
        keep = "close" not in headers.get("connection", "").lower() and version == "HTTP/1.1"
        if status in (204, 304):
            content = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            content = await _read_chunked(reader)
        elif (length := headers.get("content-length")) is not None:
            content = await reader.readexactly(int(length))
        else:
            content, keep = await reader.read(), False  # up to the close (RFC 9112 §6.3)
    except asyncio.IncompleteReadError:
        raise httpx.RemoteProtocolError("the store closed the connection mid-answer") from None
    except asyncio.LimitOverrunError:
        raise httpx.RemoteProtocolError("the store's answer has too long a head") from None
    except ValueError as error:
        raise httpx.RemoteProtocolError(f"the store's answer is not HTTP: {error}") from None
    except ConnectionError as error:
        raise httpx.ReadError(f"the connection to the store broke: {error}") from None
    return Answer(status, reason, headers, content), keep


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, str, str, dict[str, str]]:
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/"):
        raise ValueError(lines[0][:80])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return int(code), reason, version, headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    """A body in the chunked transfer coding (RFC 9112 §7.1), trailers read and dropped."""
    chunks = []
    while size := int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16):
        chunks.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise ValueError("a chunk not ended by CRLF")
    while await reader.readuntil(b"\r\n") != b"\r\n":
        pass
    return b"".join(chunks)
