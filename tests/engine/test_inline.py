"""The in-process engine: the worker's answers, without a process; deadlines and closing."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from kg.engine.errors import Unavailable
from kg.engine.executor import Database, evaluate
from kg.engine.inline import InlineEngine
from kg.engine.messages import Outcome, QueryRequest, WorkerConfig
from kg.namespaces import PREFIXES

SRJ = "application/sparql-results+json"
PLATFORMS = "SELECT ?o WHERE { ?o a pv:Platform } ORDER BY ?o"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?t }"
"""A second or two on the built store: past a short deadline, and over soon after."""


def request(query: str) -> QueryRequest:
    return QueryRequest(query, None, None, SRJ, "text/turtle", 100, False, ())


@pytest.fixture(scope="module")
def config(built_store: Path) -> WorkerConfig:
    base = "https://w3id.org/partage/"
    return WorkerConfig(str(built_store), dict(PREFIXES), base, 2048, in_memory_triples=10**6)


def scenario(
    config: WorkerConfig, body: Callable[[InlineEngine], Awaitable[None]], threads: int = 2
) -> None:
    async def main() -> None:
        engine = InlineEngine(config, threads)
        await engine.start()
        try:
            await body(engine)
        finally:
            await engine.close()

    asyncio.run(main())


def test_inline_engine_answers_as_the_worker_evaluates(config: WorkerConfig) -> None:
    expected = evaluate(Database(Path(config.store), 10**6), request(PLATFORMS), config)
    started = threading.active_count()

    async def body(engine: InlineEngine) -> None:
        reply = await engine.run(request(PLATFORMS), time.monotonic() + 10)
        assert reply.outcome is Outcome.OK
        assert json.loads(reply.body) == json.loads(expected.body)
        assert reply.release == expected.release
        release = engine.current_release()
        assert release is not None
        assert (release.version, release.content_hash) == reply.release

    scenario(config, body)
    assert threading.active_count() <= started + 1  # its threads end with their queries


def test_inline_engine_failure_is_an_outcome(config: WorkerConfig) -> None:
    async def body(engine: InlineEngine) -> None:
        reply = await engine.run(request("SELECT * WHERE { ?s ?p }"), time.monotonic() + 10)
        assert reply.outcome is Outcome.SYNTAX

    scenario(config, body)


def test_inline_engine_past_its_deadline_503_and_the_thread_held_until_it_ends(
    config: WorkerConfig,
) -> None:
    async def body(engine: InlineEngine) -> None:
        with pytest.raises(Unavailable, match="time limit"):
            await engine.run(request(SLOW), time.monotonic() + 0.1)
        assert engine.slots.locked()  # its one thread still evaluates the query
        reply = await engine.run(request("ASK {}"), time.monotonic() + 60)
        assert reply.outcome is Outcome.OK

    scenario(config, body, threads=1)


def test_inline_engine_close_tells_waiting_queries_the_server_is_stopping(
    config: WorkerConfig,
) -> None:
    async def body(engine: InlineEngine) -> None:
        running = asyncio.create_task(engine.run(request(SLOW), time.monotonic() + 60))
        await asyncio.sleep(0.1)
        await engine.close()
        with pytest.raises(Unavailable, match="stopping"):
            await running
        with pytest.raises(Unavailable, match="stopping"):
            await engine.run(request("ASK {}"), time.monotonic() + 10)

    scenario(config, body)
