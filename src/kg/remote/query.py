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
from typing import Any

import httpx

from kg.config import Settings
from kg.remote.client import Endpoints, credentials
from kg.remote.profiles import PROFILES, Capabilities

PARTIAL_STATE = "S1TAT"
"""Virtuoso's SQL state when a query ran out of its `timeout` and the answer is partial
("anytime query"): an answer cut short, not a complete one."""
_QUERY_ERROR = re.compile(r"\b(?:37000|42000|22023|42S22|SP0\d\d)\b")
"""SQL states and codes Virtuoso answers with a 500 for a query it cannot compile (syntax,
unknown prefix, bad argument): the query is at fault, not the store."""


class QueryClient:
    """One pooled async HTTP client to the query endpoint of a remote store."""

    def __init__(
        self,
        endpoint: str,
        capabilities: Capabilities,
        auth: httpx.Auth | None,
        connections: int,
    ) -> None:
        self.endpoint = endpoint
        self.capabilities = capabilities
        # No read timeout of its own: each query's deadline bounds it (`kg.engine.remote`).
        self._client = httpx.AsyncClient(
            auth=auth,
            timeout=httpx.Timeout(None, connect=5.0),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )

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
    ) -> httpx.Response:
        """POST `text` against the dataset given; the response whatever its status.

        Raises:
            httpx.HTTPError: the store could not be reached or broke the connection.
        """
        form: dict[str, Any] = {
            "query": text,
            "default-graph-uri": list(default_graphs),
            "named-graph-uri": list(named_graphs),
        }
        if self.capabilities.timeout_parameter is not None:
            form[self.capabilities.timeout_parameter] = str(max(1, int(seconds * 1000)))
        return await self._client.post(self.endpoint, data=form, headers={"Accept": accept})

    async def close(self) -> None:
        await self._client.aclose()


def is_partial(response: httpx.Response) -> bool:
    """Whether the engine cut the answer at its own time limit (Virtuoso's anytime answer)."""
    state: str = response.headers.get("x-sql-state", "")
    return state.upper() == PARTIAL_STATE


def is_query_error(response: httpx.Response) -> bool:
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
