"""Talking to a SPARQL store over HTTP, in standards only, with each engine's quirks handled.

SPARQL 1.1 Query (https://www.w3.org/TR/sparql11-protocol/#query-operation), Update
(https://www.w3.org/TR/sparql11-protocol/#update-operation) and the Graph Store HTTP Protocol
(https://www.w3.org/TR/sparql11-http-rdf-update/) over one pooled `httpx.Client`: keep-alive,
timeouts, Basic, Digest or Bearer authentication. Not rdflib's SPARQLStore: it drops blank
nodes, opens a connection per request and knows only Basic auth (remote-stores.md §4.3).

The quirks it works around, each kept true by `tests/test_remote_quirks.py`:

* queries go as a form `POST` (`query=`): Virtuoso never answers a direct
  `application/sparql-query` POST;
* an ASK may come back as a one-row SELECT (Virtuoso's `?__ASK_RETVAL`);
* whether a graph exists is asked with a SELECT, not `HEAD`: Oxigraph's 404 to a HEAD carries
  a body that breaks the next request on the connection, Virtuoso answers 501;
* `DROP` is always `SILENT`: Virtuoso refuses to drop a graph not made by `CREATE GRAPH`;
* a replace by GSP `PUT` may answer 200, 201 or 204;
* engines answer bad input with 500 (both) rather than 400: the body is the message we keep.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from kg.config import Settings
from kg.errors import UsageError
from kg.remote.profiles import PATHS, PROFILES, Capabilities

JSON_RESULTS = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"
Row = dict[str, str]
"""A solution: variable name → the bound term's lexical value (IRIs without brackets)."""


class RemoteError(UsageError):
    """The remote store could not be reached, or refused a request; says which and why."""


class GraphStore(Protocol):
    """What publishing and validating need of a quad store, nothing engine-specific.

    `RemoteStore` speaks it over HTTP; `kg.remote.embedded.MemoryStore` over pyoxigraph, the
    embedded engine, which the contract suite holds the remote engines to.
    """

    capabilities: Capabilities
    location: str

    def select(self, query: str, default_graphs: Sequence[str] = ()) -> list[Row]:
        """Run a SELECT against an explicit dataset (all graphs merged when none is given)."""

    def ask(self, query: str) -> bool:
        """Run an ASK."""

    def update(self, update: str) -> None:
        """Run one SPARQL Update request: one transaction where the engine has them."""

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace the graph `graph` with the N-Triples `ntriples` (GSP PUT)."""

    def post_quads(self, nquads: bytes) -> None:
        """Add N-Quads to the store in one request (where `capabilities.nquads_load`)."""

    def get_graph(self, graph: str) -> bytes | None:
        """The N-Triples of graph `graph`; None if the store has no such graph."""

    def close(self) -> None:
        """Let go of connections."""


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of a store: SPARQL query, SPARQL update, graph store."""

    query: str
    update: str
    gsp: str | None

    @classmethod
    def of(cls, settings: Settings) -> Endpoints:
        """The endpoints `settings` name, the update and graph-store ones defaulting to where
        the profile's engine puts them beside the query endpoint.

        Raises:
            UsageError: no KG_STORE_URL, or a URL with credentials in it.
        """
        if not settings.store_url:
            raise UsageError("no remote store: pass --store-url or set KG_STORE_URL")
        paths = PATHS[settings.store_profile]
        query = settings.store_url
        update = settings.store_update_url or (
            urljoin(query, paths.update) if paths.update else query
        )
        gsp = settings.store_gsp_url or (urljoin(query, paths.gsp) if paths.gsp else None)
        for url in (query, update, gsp):
            if url is not None and urlsplit(url).username is not None:
                raise UsageError(
                    "the store's URL holds credentials (user:password@): put them in"
                    " KG_STORE_USER and KG_STORE_PASSWORD (or KG_STORE_TOKEN) instead, which"
                    " every request uses and no log or error message prints"
                )
        return cls(query, update, gsp)


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` (RFC 6750 §2.1) on every request."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def credentials(settings: Settings, capabilities: Capabilities) -> httpx.Auth | None:
    """The authentication KG_STORE_TOKEN or KG_STORE_USER + KG_STORE_PASSWORD ask for.

    The scheme is KG_STORE_AUTH, else the profile's (Digest for Virtuoso); a token always
    means Bearer.

    Raises:
        UsageError: a user without a password, or Bearer asked for without a token.
    """
    scheme = settings.store_auth or ("bearer" if settings.store_token else capabilities.auth)
    if scheme == "bearer":
        if settings.store_token is None:
            raise UsageError("KG_STORE_AUTH=bearer needs KG_STORE_TOKEN")
        return BearerAuth(settings.store_token.get_secret_value())
    if settings.store_user is None:
        return None
    if settings.store_password is None:
        raise UsageError("KG_STORE_USER is set but KG_STORE_PASSWORD is not")
    user, password = settings.store_user, settings.store_password.get_secret_value()
    return (
        httpx.DigestAuth(user, password) if scheme == "digest" else httpx.BasicAuth(user, password)
    )


class RemoteStore:
    """A SPARQL 1.1 store over HTTP; use as a context manager (it holds a connection pool)."""

    def __init__(
        self,
        endpoints: Endpoints,
        capabilities: Capabilities,
        auth: httpx.Auth | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.endpoints = endpoints
        self.capabilities = capabilities
        self.location = endpoints.query
        self._client = httpx.Client(
            auth=auth,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=4),
        )

    @classmethod
    def of(cls, settings: Settings) -> RemoteStore:
        """The store KG_STORE_URL, KG_STORE_UPDATE_URL, KG_STORE_GSP_URL and the profile name."""
        capabilities = PROFILES[settings.store_profile]
        auth = credentials(settings, capabilities)
        return cls(Endpoints.of(settings), capabilities, auth, settings.store_timeout)

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def select(self, query: str, default_graphs: Sequence[str] = ()) -> list[Row]:
        return rows(self._query(query, default_graphs))

    def ask(self, query: str) -> bool:
        return boolean(self._query(query, ()), self.capabilities.ask_is_select)

    def update(self, update: str) -> None:
        self._send(
            "POST",
            self.endpoints.update,
            content=update.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
        )

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        self._send(
            "PUT",
            self._gsp(),
            params={"graph": graph},
            content=ntriples,
            headers={"Content-Type": NTRIPLES},
        )

    def post_quads(self, nquads: bytes) -> None:
        if not self.capabilities.nquads_load:
            raise UsageError(f"{self.location}: this profile loads no N-Quads in one request")
        self._send("POST", self._gsp(), content=nquads, headers={"Content-Type": NQUADS})

    def get_graph(self, graph: str) -> bytes | None:
        response = self._send(
            "GET", self._gsp(), params={"graph": graph}, headers={"Accept": NTRIPLES}, missing=True
        )
        return None if response.status_code == 404 else response.content

    def _query(self, query: str, default_graphs: Sequence[str]) -> Any:
        # A form POST: the one shape every engine here answers (Virtuoso hangs on a direct POST),
        # with the dataset spelled out so no engine's own default graph leaks in.
        form: dict[str, Any] = {"query": query}
        if default_graphs:
            form["default-graph-uri"] = list(default_graphs)
        response = self._send(
            "POST", self.endpoints.query, data=form, headers={"Accept": JSON_RESULTS}
        )
        try:
            return response.json()
        except json.JSONDecodeError as error:
            raise RemoteError(f"{self.location} answered a query with no JSON results") from error

    def _gsp(self) -> str:
        if self.endpoints.gsp is None:
            raise UsageError("this profile has no graph store endpoint: set KG_STORE_GSP_URL")
        return self.endpoints.gsp

    def _send(self, method: str, url: str, missing: bool = False, **options: Any) -> httpx.Response:
        """One request; any answer but 2xx (or a 404 when `missing` is expected) is an error."""
        try:
            response = self._client.request(method, url, **options)
        except httpx.HTTPError as error:
            raise RemoteError(f"{method} {url}: {type(error).__name__}: {error}") from error
        if response.is_success or (missing and response.status_code == 404):
            return response
        raise RemoteError(f"{method} {url}: {response.status_code} {error_message(response)}")


def rows(results: Any) -> list[Row]:
    """The solutions of SPARQL JSON results (https://www.w3.org/TR/sparql11-results-json/),
    lexical values only. Virtuoso's older `typed-literal` type is read as a literal."""
    bindings: Iterable[dict[str, dict[str, str]]] = results.get("results", {}).get("bindings", [])
    return [{name: term["value"] for name, term in row.items()} for row in bindings]


def boolean(results: Any, ask_is_select: bool) -> bool:
    """The answer of an ASK, whether it came as a boolean or, on Virtuoso, a one-row SELECT."""
    if "boolean" in results:
        return bool(results["boolean"])
    if ask_is_select:
        found = rows(results)
        return bool(found) and found[0].get("__ASK_RETVAL", "0") not in ("0", "false")
    raise RemoteError("an ASK was answered without a boolean")


class Reply(Protocol):
    """What an error message is read from: an httpx response or a `connections.Answer`."""

    @property
    def text(self) -> str: ...

    @property
    def reason_phrase(self) -> str: ...


def error_message(response: Reply) -> str:
    """The first lines of an engine's error body: enough to act on, not a whole HTML page."""
    text = response.text.strip()
    return " ".join(text.splitlines()[:3])[:400] or response.reason_phrase
