"""Queries on the serving path: asynchronous, pooled, to a remote store's query endpoint.

SPARQL 1.1 Protocol, https://www.w3.org/TR/sparql11-protocol/#query-operation, by URL-encoded
POST (the one form every engine here answers: Virtuoso never answers a direct POST), always
with the dataset spelled out (`default-graph-uri`, `named-graph-uri`): with none, Oxigraph's
default graph is its unnamed graph and Virtuoso's the union of every graph it holds, its own
system graphs included (remote-stores.md §0.8). The engine's own time limit goes with the query
where it takes one (`Capabilities.timeout_parameter`); the caller holds the deadline too.

The sync `kg.remote.client.RemoteStore` publishes and validates; this client only queries, for
`kg.engine.remote`, which turns its answers and errors into the endpoint's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlsplit

import httpx

from kg.config import Settings
from kg.remote.client import Endpoints, credentials
from kg.remote.connections import Answer, ConnectionPool
from kg.remote.profiles import PROFILES, Capabilities

PARTIAL_STATE = "S1TAT"
"""Virtuoso's SQL state when a query ran out of its `timeout` and the answer is partial
("anytime query"): an answer cut short, not a complete one."""
_QUERY_ERROR = re.compile(r"\b(?:37000|42000|22023|42S22|SP0\d\d)\b")
"""SQL states and codes Virtuoso answers with a 500 for a query it cannot compile (syntax,
unknown prefix, bad argument): the query is at fault, not the store."""
FORM = "application/x-www-form-urlencoded"
SHORT_QUERY = 4096
"""Characters up to which a query's encoding and reading are kept for its next time (memory
bounded by the number of texts kept times this)."""
_PLUS = [f"%{byte:02X}" for byte in range(256)]
for _byte in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~":
    _PLUS[_byte] = chr(_byte)
_PLUS[ord(" ")] = "+"
"""`urllib.parse.quote_plus` as a table for `str.translate` (of UTF-8 bytes read as Latin-1):
the same bytes, in less than half the time of its loop over each byte."""


class QueryClient:
    """Pooled kept-alive connections to the query endpoint of a remote store
    (`kg.remote.connections`: httpx's async client cost more per query than a small query).

    Args:
        endpoint: the query endpoint's URL.
        capabilities: what the engine takes (its own time limit parameter).
        auth: httpx's authentication for the store, driven over these connections.
        connections: queries in flight at once; more wait for a connection.
    """

    def __init__(
        self,
        endpoint: str,
        capabilities: Capabilities,
        auth: httpx.Auth | None,
        connections: int,
    ) -> None:
        self.endpoint = endpoint
        self.capabilities = capabilities
        self.auth = auth
        self.pool = ConnectionPool(endpoint, connections)
        parts = urlsplit(endpoint)
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    @classmethod
    def of(cls, settings: Settings, connections: int) -> QueryClient:
        """The client for the store `settings` names, `connections` queries at once at most."""
        capabilities = PROFILES[settings.store_profile]
        endpoints = Endpoints.of(settings)
        return cls(endpoints.query, capabilities, credentials(settings, capabilities), connections)

    async def query(
        self,
        text: str,
        default_graphs: Sequence[str],
        named_graphs: Sequence[str],
        accept: str,
        seconds: float,
    ) -> Answer:
        """POST `text` against the dataset given; the answer whatever its status.

        Raises:
            httpx.TransportError: the store could not be reached or broke the connection.
        """
        body = b"query=" + (encoded_query(text) if len(text) <= SHORT_QUERY else form_encode(text))
        body += dataset_form(tuple(default_graphs), tuple(named_graphs))
        if self.capabilities.timeout_parameter is not None:
            limit = max(1, int(seconds * 1000))
            body += f"&{self.capabilities.timeout_parameter}={limit}".encode("ascii")
        headers = [("Accept", accept), ("Content-Type", FORM), ("Content-Length", str(len(body)))]
        if self.auth is None:
            return await self.pool.send(self.pool.head("POST", self.target, headers), body)
        return await self._authenticated(headers, body)

    async def _authenticated(self, headers: list[tuple[str, str]], body: bytes) -> Answer:
        """The request sent as `self.auth`'s flow asks (Basic and Bearer: a header; Digest:
        again with the answer to the store's challenge, then pre-authorised)."""
        assert self.auth is not None
        request = httpx.Request("POST", self.endpoint, headers=headers, content=body)
        flow = self.auth.auth_flow(request)
        request = next(flow)
        while True:
            head = self.pool.head("POST", self.target, request.headers.multi_items())
            answer = await self.pool.send(head, body)
            seen = {k: v for k, v in answer.headers.items() if k != "content-encoding"}
            response = httpx.Response(
                answer.status_code, headers=seen, content=answer.content, request=request
            )
            try:
                request = flow.send(response)
            except StopIteration:
                return answer

    async def close(self) -> None:
        """Drop the connections: queries in flight fail with `httpx.ReadError`."""
        self.pool.close()


def form_encode(text: str) -> bytes:
    """`text` as a value of an `application/x-www-form-urlencoded` body, as `quote_plus`."""
    return text.encode("utf-8").decode("latin-1").translate(_PLUS).encode("ascii")


@lru_cache(maxsize=1024)
def encoded_query(text: str) -> bytes:
    """`form_encode(text)`, kept for the texts sent most lately: readers repeat queries, and
    the engine sends the same text object again (`kg.engine.remote.RemoteEngine.read`)."""
    return form_encode(text)


@lru_cache(maxsize=64)
def dataset_form(default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]) -> bytes:
    """`&default-graph-uri=…&named-graph-uri=…`, URL-encoded: most queries have the release's
    graphs as their dataset, encoded once."""
    fields = [("default-graph-uri", g) for g in default_graphs]
    fields += [("named-graph-uri", g) for g in named_graphs]
    return b"".join(b"&%s=%s" % (name.encode(), form_encode(iri)) for name, iri in fields)


def is_partial(response: Answer) -> bool:
    """Whether the engine cut the answer at its own time limit (Virtuoso's anytime answer)."""
    state: str = response.headers.get("x-sql-state", "")
    return state.upper() == PARTIAL_STATE


def is_query_error(response: Answer) -> bool:
    """Whether a refusal blames the query (our 400) rather than the store (our 503).

    A 4xx does (Oxigraph answers a query it cannot parse or evaluate with 400); a 500 does
    when it carries one of Virtuoso's compiler codes, which it answers bad queries with.
    """
    if response.status_code in (401, 403, 404, 407, 408, 429):
        return False  # our credentials, the URL or the store's load: not the query's fault
    if 400 <= response.status_code < 500:
        return True
    compiler = _QUERY_ERROR.search(response.text[:2000]) is not None
    return bool(response.status_code == 500 and compiler)
