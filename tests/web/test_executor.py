"""The query workers: evaluation and cutting in the worker, deadlines and deaths in the pool.

`evaluate` runs in this process on the built store; the pool tests start real worker processes.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest

from kg import store
from kg.namespaces import PREFIXES
from kg.store import read_manifest, run_query
from kg.web import messages
from kg.web.errors import Unavailable
from kg.web.executor import Database, evaluate
from kg.web.messages import Outcome, QueryReply, QueryRequest, WorkerConfig, release_of
from kg.web.pool import QueryPool

SRJ = "application/sparql-results+json"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PLATFORMS = "SELECT ?o WHERE { ?o a pv:Platform } ORDER BY ?o"  # 6 rows


def request(query: str, limit: int = 100, **changes: object) -> QueryRequest:
    fields: dict[str, object] = {
        "query": query,
        "default_graphs": None,
        "named_graphs": None,
        "results_type": SRJ,
        "graph_type": "text/turtle",
        "max_results": limit,
        "check_services": False,
        "service_allow": (),
    }
    fields.update(changes)
    return QueryRequest(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def config(built_store: Path) -> WorkerConfig:
    return WorkerConfig(str(built_store), dict(PREFIXES), "https://w3id.org/partage/", 2048)


def run(config: WorkerConfig, query_request: QueryRequest) -> QueryReply:
    return evaluate(Database(Path(config.store)), query_request, config)


def test_store_layout_names_match() -> None:
    assert (messages.DATABASE, messages.MANIFEST) == (store.DATABASE, store.MANIFEST)


def test_release_of_manifest(built_store: Path) -> None:
    manifest = read_manifest(built_store)
    data = (built_store / store.MANIFEST).read_bytes()
    assert release_of(data) == (manifest.version, manifest.content_hash)
    loaded = json.dumps({"version": "1", "content_hash": None}).encode()
    assert release_of(loaded)[1] == __import__("hashlib").sha256(loaded).hexdigest()
    with pytest.raises(ValueError):
        release_of(b"[]")


@pytest.mark.parametrize("in_memory_triples", [0, 1_000_000], ids=["on disk", "in memory"])
def test_evaluate_same_answer_as_kg_query(
    config: WorkerConfig, built_store: Path, in_memory_triples: int
) -> None:
    database = Database(built_store, in_memory_triples)
    per_graph = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    for query in (PLATFORMS, per_graph):
        reply = evaluate(database, request(query), config)
        assert reply.outcome is Outcome.OK
        expected = run_query(built_store, query, "json").body
        assert expected is not None
        assert json.loads(reply.body) == json.loads(expected)
    assert reply.release == release_of((built_store / store.MANIFEST).read_bytes())


@pytest.mark.parametrize(
    ("limit", "rows", "cut"), [(3, 3, True), (5, 5, True), (6, 6, False), (7, 6, False)]
)
@pytest.mark.parametrize(
    "media_type", [SRJ, "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
)
def test_evaluate_select_cut_at_limit(
    config: WorkerConfig, media_type: str, limit: int, rows: int, cut: bool
) -> None:
    reply = run(config, request(PLATFORMS, limit, results_type=media_type))
    assert (reply.rows, reply.truncated) == (rows, cut)
    body = reply.body.decode()
    if media_type == SRJ:
        assert len(json.loads(body)["results"]["bindings"]) == rows
    elif media_type.endswith("xml"):
        assert body.count("<result>") == rows
    else:
        assert len(body.splitlines()) == rows + 1


def test_evaluate_literal_with_newline_counts_one_row(config: WorkerConfig) -> None:
    query = 'SELECT ?x WHERE { VALUES ?x { "a\\nb" "c\\r\\nd" "e" } }'
    reply = run(config, request(query, 2, results_type="text/csv"))
    assert (reply.rows, reply.truncated) == (2, True)
    assert "a\nb" in reply.body.decode()


def test_evaluate_construct_cut_at_limit(config: WorkerConfig) -> None:
    query = "CONSTRUCT { ?o a pv:Platform } WHERE { ?o a pv:Platform }"
    reply = run(config, request(query, 4, graph_type="application/n-triples"))
    assert (reply.rows, reply.truncated) == (4, True)
    assert len(reply.body.decode().splitlines()) == 4


def test_evaluate_ask_never_cut(config: WorkerConfig) -> None:
    reply = run(config, request("ASK { ?s ?p ?o }", 1))
    assert json.loads(reply.body) == {"head": {}, "boolean": True}


@pytest.mark.parametrize(
    ("query", "changes", "outcome"),
    [
        ("SELECT * WHERE { ?s ?p }", {}, Outcome.SYNTAX),
        ("ASK {}", {"default_graphs": ("not an iri",)}, Outcome.BAD_DATASET),
        ("CONSTRUCT WHERE { ?s ?p ?o }", {"graph_type": None}, Outcome.NOT_ACCEPTABLE),
        ("ASK {}", {"results_type": None}, Outcome.NOT_ACCEPTABLE),
        (
            "ASK { SERVICE <http://127.0.0.1:1/> {} }",
            {"check_services": True},
            Outcome.FORBIDDEN_SERVICE,
        ),
    ],
)
def test_evaluate_failures_are_outcomes(
    config: WorkerConfig, query: str, changes: dict[str, object], outcome: Outcome
) -> None:
    reply = run(config, request(query, **changes))
    assert reply.outcome is outcome
    assert reply.body


def test_evaluate_from_in_a_string_or_comment_keeps_the_union(config: WorkerConfig) -> None:
    query = 'SELECT (COUNT(*) AS ?n) WHERE { ?o a pv:Platform FILTER(?o != "FROM <x>") } # FROM <y>'
    reply = run(config, request(query))
    assert json.loads(reply.body)["results"]["bindings"][0]["n"]["value"] == "6"


def test_evaluate_missing_store_unavailable(config: WorkerConfig, tmp_path: Path) -> None:
    reply = evaluate(Database(tmp_path), request("ASK {}"), config)
    assert reply.outcome is Outcome.UNAVAILABLE


# The pool: real worker processes
def pool_scenario(config: WorkerConfig, scenario: object, workers: int = 1, limit: int = 2) -> None:
    async def main() -> None:
        pool = QueryPool(config, workers, limit)
        await pool.start()
        try:
            await scenario(pool)  # type: ignore[operator]
        finally:
            await pool.close()

    asyncio.run(main())


def test_pool_deadline_kills_the_worker_and_serves_on(config: WorkerConfig) -> None:
    async def scenario(pool: QueryPool) -> None:
        (first,) = pool.idle
        started = time.monotonic()
        with pytest.raises(Unavailable, match="time limit"):
            await pool.run(request(CARTESIAN), started + 1.0)
        assert time.monotonic() - started < 3
        await asyncio.sleep(0.2)
        assert first.process.poll() is not None  # killed, not left running
        reply = await pool.run(request("ASK {}"), time.monotonic() + 10)
        assert reply.outcome is Outcome.OK

    pool_scenario(config, scenario)


def test_pool_runaway_does_not_block_a_simple_query(config: WorkerConfig) -> None:
    async def scenario(pool: QueryPool) -> None:
        runaway = asyncio.create_task(pool.run(request(CARTESIAN), time.monotonic() + 3))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        reply = await pool.run(request("ASK {}"), started + 5)
        assert reply.outcome is Outcome.OK
        assert time.monotonic() - started < 2.5
        assert not runaway.done()
        with pytest.raises(Unavailable):
            await runaway

    pool_scenario(config, scenario)


def test_pool_dead_worker_503_then_replaced(config: WorkerConfig) -> None:
    async def scenario(pool: QueryPool) -> None:
        (worker,) = pool.idle
        os.kill(worker.process.pid, 9)
        with pytest.raises(Unavailable, match="died"):
            await pool.run(request("ASK {}"), time.monotonic() + 5)
        reply = await pool.run(request("ASK {}"), time.monotonic() + 10)
        assert reply.outcome is Outcome.OK

    pool_scenario(config, scenario)


def test_pool_never_exceeds_its_limit(config: WorkerConfig) -> None:
    async def scenario(pool: QueryPool) -> None:
        replies = await asyncio.gather(
            *(pool.run(request(PLATFORMS), time.monotonic() + 20) for _ in range(12))
        )
        assert all(reply.outcome is Outcome.OK for reply in replies)
        assert pool.size <= 3

    pool_scenario(config, scenario, workers=1, limit=3)


def test_pool_start_fails_when_no_worker_can_start(config: WorkerConfig, tmp_path: Path) -> None:
    tiny = config._replace(memory_limit_mb=100)
    with pytest.raises(Exception, match="memory-limit-mb"):
        pool_scenario(tiny, lambda pool: asyncio.sleep(0))
