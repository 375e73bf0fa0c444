"""The engine in front of a remote SPARQL store: `kg serve --store-url` (KG_STORE_URL).

An `kg.engine.interface.Engine` whose queries run on Oxigraph server, Virtuoso or any SPARQL
1.1 store (`kg.remote.query`), so that the endpoint behaves as on the embedded store:

* the query is read here before the store sees it: SERVICE calls against `--service-allow`
  (`kg.federation`: no request to an endpoint not allowed, whichever engine would make it), then
  its syntax and form by pyoxigraph, on an empty store with an empty `VALUES` clause appended,
  which the planner folds to no solutions without evaluating anything (so syntax errors are
  ours, the parser's message with line and column, whatever the engine would answer: Virtuoso
  says 500). A query that already ends with a VALUES clause is read by rdflib instead;
* the dataset is always explicit: the request's, else the query's FROM and FROM NAMED (read by
  rdflib; rare), else the release's graphs as default graph (their union, as embedded) and as
  named graphs; always cut to the graphs the release record lists, so staging graphs, the record
  and an engine's system graphs are never in an answer;
* our predeclared prefixes and base IRI go in front of the text, as the embedded engine is given
  them;
* the time limit is the deadline of the request (its connection dropped when it passes: 503)
  and, where the engine takes one, its own limit (`Capabilities.timeout_parameter`); an answer
  the engine cut at its limit is a 503, never a short answer;
* answers come back in the negotiated format, cut at `max_results` (`kg.engine.relay`);
* queries travel over kept-alive connections of our own (`kg.remote.query`,
  `kg.remote.connections`), and a query text read once is not read again (`READ_TEXTS`);
* the release is the store's release record (`kg.engine.record_watcher`).

Engine errors become outcomes: a refusal that blames the query is a 400 with the engine's
message, anything else (unreachable, 5xx, a broken answer) a 503.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pyoxigraph as ox

from kg.config import Settings
from kg.engine.errors import STOPPING, TIMED_OUT, Unavailable
from kg.engine.messages import Outcome, QueryReply, QueryRequest
from kg.engine.record_watcher import RecordWatcher
from kg.engine.relay import Form, accept_for, relay
from kg.engine.watcher import Release
from kg.federation import ServiceCheckError, forbidden, services_in
from kg.namespaces import PREFIXES
from kg.query_text import names_dataset
from kg.remote.client import error_message
from kg.remote.connections import Answer
from kg.remote.profiles import PROFILES
from kg.remote.query import SHORT_QUERY, QueryClient, is_partial, is_query_error
from kg.remote.record import NO_GRAPH

PROBE = "\nVALUES () {}"
"""Appended to a query to read it: a trailing VALUES clause with no row joins the whole query
with nothing, which Oxigraph's planner folds away (no SERVICE is called, no data is read)."""
_POSITION = re.compile(r"at (\d+):\d+")
LONG_QUERY = 20_000
"""Characters past which a query is read on a thread, not on the event loop."""
READ_TEXTS = 1024
"""Query texts (up to `SHORT_QUERY` characters) whose reading is kept, all forgotten past it
(as the SERVICE verdicts of `kg.web.state`): reading a query costs more than forwarding its
answer, and readers repeat queries."""
LARGE_ANSWER = 256 * 1024
"""Bytes past which an answer is written again on a thread, not on the event loop."""
_FORMS: dict[str, Form] = {
    "SelectQuery": "select",
    "AskQuery": "ask",
    "ConstructQuery": "graph",
    "DescribeQuery": "graph",
}


class Refused(Exception):  # noqa: N818 - a reply, not a bug: it carries the outcome
    """The query is not sent: why, as the outcome and message of a failed reply."""

    def __init__(
        self, outcome: Outcome, message: str, services: tuple[str, ...] | None = None
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.services = services


@dataclass(frozen=True)
class Prepared:
    """A query ready to send: its text with our prologue, its form, its dataset."""

    text: str
    form: Form
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    services: tuple[str, ...] | None


class RemoteEngine:
    """An `Engine` sending queries to the remote store `settings.store_url` names.

    Args:
        settings: the store's URLs, profile and credentials, and the endpoint's settings.
        threads: queries sent at once at most (the connection pool's size).
        watcher: the store's release record; by default one of `settings`.
    """

    def __init__(
        self, settings: Settings, threads: int, watcher: RecordWatcher | None = None
    ) -> None:
        self.settings = settings
        self.threads = threads
        self.capabilities = PROFILES[settings.store_profile]
        self.watcher = watcher or RecordWatcher(settings, settings.store_record_interval)
        self.prefixes = dict(PREFIXES)
        self.base_iri = settings.base_iri
        self.reader = ox.Store()  # always empty: only reads queries (see `PROBE`)
        self.read: dict[str, tuple[Form, str]] = {}
        """Each query text read so far: its form and the text sent (bounded: `READ_TEXTS`)."""
        self.client: QueryClient | None = None
        self.polling: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the connection pool and look at the release record regularly."""
        self.client = QueryClient.of(self.settings, self.threads)
        self.polling = asyncio.create_task(self.watcher.watch())

    async def run(self, request: QueryRequest, deadline: float) -> QueryReply:
        """The reply to `request` by `deadline`; see `kg.engine.interface.Engine.run`."""
        client, release = self.client, self.watcher.current()
        if client is None:
            raise Unavailable(STOPPING, retry_after=5)
        if release is None:
            raise Unavailable("the remote store holds no release yet", retry_after=30)
        label = (release.version, release.content_hash)
        try:
            prepared = await self.prepare(request, release)
        except Refused as refused:
            return QueryReply(
                refused.outcome, "", str(refused).encode(), False, label, refused.services
            )
        wanted = request.graph_type if prepared.form == "graph" else request.results_type
        if wanted is None:
            return self._not_acceptable(prepared, label)
        accept = accept_for(prepared.form, wanted, self.capabilities)
        remaining = deadline - time.monotonic()
        try:
            async with asyncio.timeout(max(0.0, remaining)):
                response = await client.query(
                    prepared.text, prepared.default_graphs, prepared.named_graphs, accept, remaining
                )
        except TimeoutError:
            raise Unavailable(TIMED_OUT, retry_after=5) from None
        except httpx.HTTPError as error:
            if self.client is None:
                raise Unavailable(STOPPING, retry_after=5) from None
            message = f"the remote store did not answer: {type(error).__name__}: {error}"
            return _failed(Outcome.UNAVAILABLE, message, label, prepared)
        return await self._answer(response, prepared, wanted, request.max_results, label)

    async def prepare(self, request: QueryRequest, release: Release) -> Prepared:
        """Check the query's SERVICE calls, read its form, settle its dataset.

        Raises:
            Refused: the query is not to be sent, and why.
        """
        text = request.query
        services: tuple[str, ...] | None = None
        if request.check_services:  # else the HTTP side knows the verdict: allowed, or none
            services = await self._services(text, request.service_allow)
        known = self.read.get(text)
        if known is None:
            prologue = f"BASE <{self.base_iri}>\n" if self.base_iri else ""
            prologue += "".join(
                f"PREFIX {name}: <{iri}>\n"
                for name, iri in self.prefixes.items()
                if f"{name}:" in text
            )
            known = (await self._read(text), prologue + text)
            if len(text) <= SHORT_QUERY:
                if len(self.read) >= READ_TEXTS:
                    self.read.clear()
                self.read[text] = known
        default, named = await self._dataset(request, release)
        return Prepared(known[1], known[0], default, named, services)

    async def _services(self, text: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        try:
            services = await asyncio.to_thread(services_in, text, self.prefixes, self.base_iri)
        except ServiceCheckError as error:
            raise Refused(Outcome.FORBIDDEN_SERVICE, str(error)) from None  # not remembered
        if refused := forbidden(services, allowed):
            hint = (
                "allowed endpoints: " + ", ".join(allowed)
                if allowed
                else "this endpoint allows no SERVICE calls"
            )
            message = f"SERVICE is not allowed to {', '.join(refused)}: {hint}"
            raise Refused(Outcome.FORBIDDEN_SERVICE, message, services)
        return services

    async def _read(self, text: str) -> Form:
        """The query's form, read by pyoxigraph (see `PROBE`), else rdflib.

        Raises:
            Refused: it does not parse.
        """
        if len(text) > LONG_QUERY:
            return await asyncio.to_thread(self._form, text)
        return self._form(text)

    def _form(self, text: str) -> Form:
        try:
            result = self.reader.query(text + PROBE, prefixes=self.prefixes, base_iri=self.base_iri)
        except SyntaxError as error:
            found = _POSITION.search(str(error))
            if found is None or int(found[1]) <= text.count("\n") + 1:
                raise Refused(Outcome.SYNTAX, str(error)) from None
            # The error is in the probe: the query ends with a VALUES clause of its own, or
            # runs into its end (then Oxigraph's message must point there, not at the probe).
            return self._form_unprobed(text)
        return _form_of(result)

    def _form_unprobed(self, text: str) -> Form:
        """The form of a query the probe cannot be appended to: rdflib's reading, else (it
        rejects the query) Oxigraph's. Only a query both parsers disagree on and that ends with
        VALUES rows of its own is evaluated here, on the empty store."""
        from kg.sparql_grammar import prepare_query

        try:
            return _FORMS.get(
                prepare_query(text, self.base_iri, self.prefixes).algebra.name, "select"
            )
        except Exception:  # whatever rdflib raises (it is not ours): ask Oxigraph
            pass
        try:
            return _form_of(self.reader.query(text, prefixes=self.prefixes, base_iri=self.base_iri))
        except SyntaxError as error:
            raise Refused(Outcome.SYNTAX, str(error)) from None

    async def _dataset(
        self, request: QueryRequest, release: Release
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(default graphs, named graphs) to send, cut to the release's graphs.

        Raises:
            Refused: a graph given is not an IRI.
        """
        live = tuple(name for name, _count in release.graphs)
        if request.default_graphs is not None or request.named_graphs is not None:
            default, named = request.default_graphs or (), request.named_graphs or ()
        elif names_dataset(request.query):
            default, named = await asyncio.to_thread(self._dataset_clause, request.query)
        else:
            return live or (NO_GRAPH,), live or (NO_GRAPH,)
        for iri in (*default, *named):
            try:
                ox.NamedNode(iri)
            except ValueError as error:
                raise Refused(Outcome.BAD_DATASET, f"not an IRI in the dataset: {error}") from None
        kept = set(live)
        default = tuple(g for g in default if g in kept) or (NO_GRAPH,)
        named = tuple(g for g in named if g in kept) or (NO_GRAPH,)
        return default, named

    def _dataset_clause(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The query's FROM and FROM NAMED graphs, read by rdflib."""
        from kg.sparql_grammar import prepare_query

        try:
            clauses = prepare_query(text, self.base_iri, self.prefixes).algebra.datasetClause
        except Exception as error:  # whatever rdflib raises, the query is not read
            raise Refused(Outcome.SYNTAX, f"cannot read the query's dataset: {error}") from None
        # CompValue.get answers a missing key with the key itself: ask `in`.
        default = tuple(str(c["default"]) for c in clauses or () if "default" in c)
        named = tuple(str(c["named"]) for c in clauses or () if "named" in c)
        return default, named

    async def _answer(
        self,
        response: Answer,
        prepared: Prepared,
        wanted: str,
        limit: int,
        label: tuple[str, str],
    ) -> QueryReply:
        """The engine's response as our reply, in `wanted`, cut at `limit`."""
        if not response.is_success:
            outcome = Outcome.SYNTAX if is_query_error(response) else Outcome.UNAVAILABLE
            message = f"the store refused the query ({response.status_code}): "
            return _failed(outcome, message + error_message(response), label, prepared)
        if is_partial(response):
            raise Unavailable(TIMED_OUT, retry_after=5)
        arguments: tuple[Any, ...] = (
            response.content,
            response.headers.get("content-type", ""),
            prepared.form,
            wanted,
            limit,
            self.capabilities,
            self.prefixes,
        )
        try:
            if len(response.content) > LARGE_ANSWER:
                body, cut = await asyncio.to_thread(relay, *arguments)
            else:
                body, cut = relay(*arguments)
        except (SyntaxError, ValueError) as error:
            message = f"the remote store's answer cannot be read: {error}"
            return _failed(Outcome.UNAVAILABLE, message, label, prepared)
        return QueryReply(Outcome.OK, wanted, body, cut, label, prepared.services)

    def _not_acceptable(self, prepared: Prepared, label: tuple[str, str]) -> QueryReply:
        from kg.engine.answers import GRAPH_TYPES, RESULTS_TYPES

        forms, types = (
            ("CONSTRUCT and DESCRIBE", GRAPH_TYPES)
            if prepared.form == "graph"
            else ("SELECT and ASK", RESULTS_TYPES)
        )
        message = f"no acceptable media type for a {forms} answer; this endpoint gives "
        return _failed(Outcome.NOT_ACCEPTABLE, message + ", ".join(types), label, prepared)

    def current_release(self) -> Release | None:
        """The release the store's record names; see `RecordWatcher.current`."""
        return self.watcher.current()

    def look_again(self) -> None:
        """Read the release record now (this server just published)."""
        self.watcher.look_again()

    async def close(self) -> None:
        """Stop answering: queries in flight lose their connection and get a 503."""
        client, self.client = self.client, None
        if self.polling is not None:
            self.polling.cancel()
        if client is not None:
            await client.close()
        self.watcher.close()


def _form_of(result: object) -> Form:
    if isinstance(result, ox.QueryBoolean):
        return "ask"
    return "graph" if isinstance(result, ox.QueryTriples) else "select"


def _failed(
    outcome: Outcome, message: str, label: tuple[str, str], prepared: Prepared
) -> QueryReply:
    return QueryReply(outcome, "", message.encode(), False, label, prepared.services)
