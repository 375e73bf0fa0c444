"""The query path's HTTP/1.1 client (`kg.remote.connections`, `kg.remote.query.QueryClient`)
against a scripted store on loopback: each answer as raw bytes, so the cases engines produce
rarely (a kept connection closed while idle, an answer cut short, `Connection: close`) come
every time. Against the real engines it runs in every `kg serve --store-url` test.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

import httpx
import pytest

from kg.remote.connections import ConnectionPool
from kg.remote.profiles import PROFILES
from kg.remote.query import QueryClient, dataset_form, form_encode

Action = bytes | Callable[[asyncio.StreamWriter], Awaitable[None]]
CLOSE = b""
"""An action: close the connection instead of answering."""


def answer(body: bytes, *headers: str, chunked: bool = False) -> bytes:
    head = ["HTTP/1.1 200 OK", "Content-Type: text/plain", *headers]
    if chunked:
        middle = len(body) // 2
        parts = (body[:middle], body[middle:])
        data = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in parts if p)
        return ("\r\n".join([*head, "Transfer-Encoding: chunked"]) + "\r\n\r\n").encode() + (
            data + b"0\r\nX-Trailer: t\r\n\r\n"
        )
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class ScriptedStore:
    """An HTTP server that answers each request it reads with the next of `actions`; counts
    the connections it accepted and keeps each request."""

    def __init__(self, *actions: Action) -> None:
        self.actions = list(actions)
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> ScriptedStore:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/query"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while self.actions:
                head = await reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"content-length: *(\d+)", head, re.I)
                body = await reader.readexactly(int(length[1])) if length else b""
                self.requests.append(head + body)
                action = self.actions.pop(0)
                if action == CLOSE:
                    break
                if isinstance(action, bytes):
                    writer.write(action)
                    await writer.drain()
                else:
                    await action(writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 10))


async def send(pool: ConnectionPool, body: bytes = b"q") -> tuple[int, bytes]:
    head = pool.head("POST", "/query", [("Content-Length", str(len(body)))])
    found = await pool.send(head, body)
    return found.status_code, found.content


def test_a_chunked_answer_is_read_whole_and_its_connection_kept() -> None:
    """Oxigraph server answers in chunks (with extensions and trailers allowed): the query
    path must read them and reuse the connection, or it pays a connect per query."""

    async def test() -> None:
        async with ScriptedStore(answer(b"first", chunked=True), answer(b"second")) as store:
            pool = ConnectionPool(store.url, 2)
            assert await send(pool) == (200, b"first")
            assert await send(pool) == (200, b"second")
            assert store.connections == 1
            pool.close()

    run(test)


def test_an_answer_up_to_the_close_is_read_whole_and_its_connection_not_kept() -> None:
    """Without Content-Length or chunks, the body ends with the connection (RFC 9112 §6.3)."""

    async def written(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nto the end")
        await writer.drain()
        writer.close()

    async def test() -> None:
        async with ScriptedStore(written, answer(b"next")) as store:
            pool = ConnectionPool(store.url, 2)
            assert await send(pool) == (200, b"to the end")
            assert await send(pool) == (200, b"next")
            assert store.connections == 2
            pool.close()

    run(test)


def test_connection_close_is_not_kept() -> None:
    """A store that says it closes must not get the next query on that connection."""

    async def test() -> None:
        async with ScriptedStore(answer(b"a", "Connection: close"), answer(b"b")) as store:
            pool = ConnectionPool(store.url, 2)
            assert await send(pool) == (200, b"a")
            assert await send(pool) == (200, b"b")
            assert store.connections == 2
            pool.close()

    run(test)


def test_a_kept_connection_the_store_closed_is_replaced_and_the_query_sent_again() -> None:
    """Stores close idle connections (timeouts, a restart): the query is not lost to that."""

    async def test() -> None:
        async with ScriptedStore(answer(b"a"), CLOSE, answer(b"again")) as store:
            pool = ConnectionPool(store.url, 2)
            assert await send(pool) == (200, b"a")
            assert await send(pool, b"second") == (200, b"again")
            assert store.connections == 2
            assert [r.endswith(b"second") for r in store.requests] == [False, True, True]
            pool.close()

    run(test)


def test_an_answer_cut_short_is_a_transport_error() -> None:
    """A store dying mid-answer is our 503 (an httpx error to the engine), never a short
    answer passed on as whole."""

    async def cut(writer: asyncio.StreamWriter) -> None:
        writer.write(answer(b"0123456789")[:-4])
        await writer.drain()
        writer.close()

    async def test() -> None:
        async with ScriptedStore(cut) as store:
            pool = ConnectionPool(store.url, 2)
            with pytest.raises(httpx.RemoteProtocolError):
                await send(pool)
            pool.close()

    run(test)


def test_a_request_cancelled_at_its_deadline_drops_its_connection() -> None:
    """The late answer must not be read as the next query's."""

    async def late(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.3)
        writer.write(answer(b"late"))
        await writer.drain()

    async def test() -> None:
        async with ScriptedStore(late, answer(b"own")) as store:
            pool = ConnectionPool(store.url, 2)
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.1):
                    await send(pool)
            assert await send(pool) == (200, b"own")
            assert store.connections == 2
            pool.close()

    run(test)


def test_close_fails_the_requests_in_flight() -> None:
    """The engine closes its client to stop: a query in flight ends at once (our 503)."""

    async def never(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def test() -> None:
        async with ScriptedStore(never) as store:
            pool = ConnectionPool(store.url, 2)
            waiting = asyncio.create_task(send(pool))
            while not store.requests:
                await asyncio.sleep(0.01)
            pool.close()
            with pytest.raises(httpx.TransportError):
                await waiting

    run(test)


def test_no_store_listening_is_a_connect_error() -> None:
    """A replica's store gone: the engine's 503, which the balancer retries elsewhere."""

    async def test() -> None:
        async with ScriptedStore() as store:
            url = store.url
        pool = ConnectionPool(url, 1)
        with pytest.raises(httpx.ConnectError):
            await send(pool)

    run(test)


def test_digest_authentication_answers_the_stores_challenge() -> None:
    """Digest (Virtuoso's scheme) is httpx's, driven over our connections: the request is sent
    again with the answer to the challenge."""
    challenge = (
        b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="r", nonce="n1", '
        b'qop="auth", algorithm=MD5\r\nContent-Length: 0\r\n\r\n'
    )

    async def test() -> None:
        async with ScriptedStore(challenge, answer(b"ok")) as store:
            client = QueryClient(store.url, PROFILES["virtuoso"], httpx.DigestAuth("u", "p"), 2)
            found = await client.query("ASK {}", ["urn:g"], ["urn:g"], "text/plain", 5)
            assert (found.status_code, found.content) == (200, b"ok")
            first, second = store.requests
            assert b"authorization" not in first.lower()
            assert re.search(rb'authorization: Digest username="u", realm="r"', second, re.I)
            assert second.endswith(first.partition(b"\r\n\r\n")[2])  # the same query
            await client.close()

    run(test)


@pytest.mark.parametrize(
    "text", ["SELECT * { ?s ?p ?o }", "a+b&c=d%e/f?g#h", "é€😀\n\t<https://x/y?z>", "~._-"]
)
def test_form_encode_is_quote_plus(text: str) -> None:
    """The translate table must encode exactly as the standard library, non-ASCII included."""
    assert b"query=" + form_encode(text) == urlencode({"query": text}).encode()


def test_dataset_form_is_urlencode() -> None:
    """The dataset, encoded once per release, is what a form of those fields would be."""
    default, named = ("https://w3id.org/g?a=1", "urn:x"), ("urn:y",)
    expected = urlencode(
        [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]
    )
    assert dataset_form(default, named) == b"&" + expected.encode()
