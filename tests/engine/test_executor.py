"""The query worker: evaluation and cutting in the worker, deadlines and deaths in the pool.

`evaluate` runs in this process on the built store; the pool tests start real worker processes.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from kg import layout
from kg.config import Settings
from kg.engine import messages
from kg.engine.errors import Unavailable
from kg.engine.executor import Database, evaluate
from kg.engine.messages import Outcome, QueryReply, QueryRequest, WorkerConfig
from kg.engine.pool import QueryPool
from kg.engine.watcher import ReleaseWatcher
from kg.layout import read_manifest, release_of
from kg.namespaces import PREFIXES
from kg.store import run_query
from kg.web.app import create_app

SRJ = "application/sparql-results+json"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PLATFORMS = "SELECT ?o WHERE { ?o a pv:Platform } ORDER BY ?o"  # 7 rows (one by interpretation)


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
    base = "https://w3id.org/partage/"
    return WorkerConfig(str(built_store), dict(PREFIXES), base, 2048, in_memory_triples=10**6)


def run(config: WorkerConfig, query_request: QueryRequest) -> QueryReply:
    return evaluate(Database(Path(config.store)), query_request, config)


def test_release_of_manifest(built_store: Path) -> None:
    manifest = read_manifest(built_store)
    data = (built_store / layout.MANIFEST).read_bytes()
    assert release_of(data) == (manifest.version, manifest.content_hash)
    loaded = json.dumps({"version": "1", "content_hash": None, "triples": {}}).encode()
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
    assert reply.release == release_of((built_store / layout.MANIFEST).read_bytes())


@pytest.mark.parametrize(("in_memory_triples", "in_memory"), [(0, False), (10**6, True)])
def test_database_in_memory_up_to_its_threshold(
    built_store: Path, in_memory_triples: int, in_memory: bool
) -> None:
    database = Database(built_store, in_memory_triples)
    database.current()
    assert database.in_memory is in_memory


def test_database_without_snapshot_copies_the_database_into_memory(
    config: WorkerConfig, built_store: Path, tmp_path: Path
) -> None:
    older = tmp_path / "store"  # a store written before stores kept a snapshot
    shutil.copytree(built_store, older, ignore=shutil.ignore_patterns(layout.SNAPSHOT))
    reply = evaluate(Database(older, 10**6), request(PLATFORMS), config)
    expected = run_query(built_store, PLATFORMS, "json").body
    assert expected is not None
    assert json.loads(reply.body) == json.loads(expected)


@pytest.mark.parametrize(
    ("limit", "rows", "cut"), [(3, 3, True), (6, 6, True), (7, 7, False), (8, 7, False)]
)
@pytest.mark.parametrize(
    "media_type", [SRJ, "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
)
def test_evaluate_select_cut_at_limit(
    config: WorkerConfig, media_type: str, limit: int, rows: int, cut: bool
) -> None:
    reply = run(config, request(PLATFORMS, limit, results_type=media_type))
    assert reply.truncated == cut
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
    assert reply.truncated
    assert len(list(csv.reader(io.StringIO(reply.body.decode())))) == 1 + 2
    assert "a\nb" in reply.body.decode()


def test_evaluate_construct_cut_at_limit(config: WorkerConfig) -> None:
    query = "CONSTRUCT { ?o a pv:Platform } WHERE { ?o a pv:Platform }"
    reply = run(config, request(query, 4, graph_type="application/n-triples"))
    assert reply.truncated
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
    assert json.loads(reply.body)["results"]["bindings"][0]["n"]["value"] == "7"


def test_evaluate_missing_store_unavailable(config: WorkerConfig, tmp_path: Path) -> None:
    reply = evaluate(Database(tmp_path), request("ASK {}"), config)
    assert reply.outcome is Outcome.UNAVAILABLE


# The pool: real worker processes
def pool_scenario(config: WorkerConfig, scenario: object, threads: int = 2) -> None:
    async def main() -> None:
        pool = QueryPool(config, threads)
        await pool.start()
        try:
            await scenario(pool)  # type: ignore[operator]
        finally:
            await pool.close()

    asyncio.run(main())


async def until(condition: object, seconds: float = 10) -> None:
    """Wait until `condition()` holds; fail after `seconds`."""
    limit = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < limit, "timed out"
        await asyncio.sleep(0.05)


def test_pool_deadline_503_then_worker_replaced_and_killed(config: WorkerConfig) -> None:
    async def scenario(pool: QueryPool) -> None:
        first = pool.current
        assert first is not None
        started = time.monotonic()
        with pytest.raises(Unavailable, match="time limit"):
            await pool.run(request(CARTESIAN), started + 1.0)
        assert time.monotonic() - started < 3
        await until(lambda: first.process.poll() is not None)  # killed, not left running
        assert pool.current is not first
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
        assert time.monotonic() - started < 1.0
        assert not runaway.done()
        with pytest.raises(Unavailable):
            await runaway

    pool_scenario(config, scenario)


def test_pool_replaced_worker_finishes_queries_still_awaited(config: WorkerConfig) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # a few seconds

    async def scenario(pool: QueryPool) -> None:
        first = pool.current
        runaway = asyncio.create_task(pool.run(request(CARTESIAN), time.monotonic() + 1))
        await asyncio.sleep(0.2)
        # Its own deadline is far: a few seconds of CPU take ten times that on a loaded machine.
        innocent = asyncio.create_task(pool.run(request(slow), time.monotonic() + 120))
        with pytest.raises(Unavailable, match="time limit"):
            await runaway
        await until(lambda: pool.current is not first)
        assert not innocent.done()
        assert first.process.poll() is None  # type: ignore[union-attr]
        reply = await innocent
        assert reply.outcome is Outcome.OK
        await until(lambda: first.process.poll() is not None)  # type: ignore[union-attr]

    pool_scenario(config, scenario)


def test_pool_abandoned_runaway_still_gets_its_worker_replaced(config: WorkerConfig) -> None:
    async def scenario(pool: QueryPool) -> None:
        first = pool.current
        runaway = asyncio.create_task(pool.run(request(CARTESIAN), time.monotonic() + 1))
        await asyncio.sleep(0.2)
        runaway.cancel()  # the client went away; the query runs on in the worker
        with pytest.raises(asyncio.CancelledError):
            await runaway
        await until(lambda: first.process.poll() is not None)  # type: ignore[union-attr]

    pool_scenario(config, scenario)


def test_pool_query_abandoned_by_its_client_holds_its_thread_until_it_ends(
    config: WorkerConfig,
) -> None:
    async def scenario(pool: QueryPool) -> None:
        runaway = asyncio.create_task(pool.run(request(CARTESIAN), time.monotonic() + 1.5))
        await asyncio.sleep(0.2)
        runaway.cancel()
        started = time.monotonic()
        reply = await pool.run(request("ASK {}"), started + 20)
        assert reply.outcome is Outcome.OK
        assert time.monotonic() - started > 1.0  # its one thread was busy until then

    pool_scenario(config, scenario, threads=1)


def test_pool_dead_worker_503_then_replaced(config: WorkerConfig) -> None:
    async def scenario(pool: QueryPool) -> None:
        worker = pool.current
        assert worker is not None
        running = asyncio.create_task(pool.run(request(CARTESIAN), time.monotonic() + 10))
        await asyncio.sleep(0.3)
        os.kill(worker.process.pid, 9)
        with pytest.raises(Unavailable, match="died"):
            await running
        reply = await pool.run(request("ASK {}"), time.monotonic() + 10)
        assert reply.outcome is Outcome.OK
        assert pool.current is not worker

    pool_scenario(config, scenario)


def test_pool_answers_many_queries_at_once_from_one_process(config: WorkerConfig) -> None:
    async def scenario(pool: QueryPool) -> None:
        replies = await asyncio.gather(
            *(pool.run(request(PLATFORMS), time.monotonic() + 20) for _ in range(12))
        )
        assert all(reply.outcome is Outcome.OK for reply in replies)
        assert len({reply.body for reply in replies}) == 1
        assert pool.size == 1

    pool_scenario(config, scenario, threads=4)


def test_pool_start_fails_when_no_worker_can_start(config: WorkerConfig, tmp_path: Path) -> None:
    tiny = config._replace(memory_limit_mb=100, in_memory_triples=0)  # RocksDB needs more
    with pytest.raises(Exception, match="memory-limit-mb"):
        pool_scenario(tiny, lambda pool: asyncio.sleep(0))


@pytest.fixture
def store_copy(built_store: Path, tmp_path: Path) -> Path:
    """A copy of the built store whose manifest a test may touch."""
    copy = tmp_path / "store"
    shutil.copytree(built_store, copy)
    return copy


def touch_manifest(store_dir: Path) -> None:
    """Change the manifest's stamp, as a new build swapped in would."""
    os.utime(store_dir / layout.MANIFEST, ns=(time.time_ns(), time.time_ns() + 10**9))


def test_database_reload_leaves_other_threads_on_the_store_they_had(store_copy: Path) -> None:
    database = Database(store_copy, 10**6)
    before = database.current()
    touch_manifest(store_copy)
    with database.lock:  # another thread is reloading
        assert database.current() is before
    after = database.current()
    assert after is not before
    assert after[1] == before[1]  # same release: the same manifest bytes


def test_evaluate_damaged_snapshot_is_an_unavailable_store(
    config: WorkerConfig, store_copy: Path
) -> None:
    (store_copy / layout.SNAPSHOT).write_text("not N-Quads\n", encoding="utf-8")
    database = Database(store_copy, 10**6)
    reply = evaluate(database, request("ASK {}"), config)
    assert reply.outcome is Outcome.UNAVAILABLE
    assert "snapshot.nq" in reply.body.decode()


def test_pool_bug_in_the_worker_is_a_503_reply_and_the_worker_goes_on(
    config: WorkerConfig,
) -> None:
    async def scenario(pool: QueryPool) -> None:
        worker = pool.current
        unknown_type = request(PLATFORMS, results_type="text/plain")  # no writer: KeyError
        reply = await pool.run(unknown_type, time.monotonic() + 10)
        assert reply.outcome is Outcome.UNAVAILABLE
        assert "KeyError" in reply.body.decode()
        reply = await pool.run(request("ASK {}"), time.monotonic() + 10)
        assert (reply.outcome, pool.current) == (Outcome.OK, worker)

    pool_scenario(config, scenario)


def test_database_keeps_its_store_while_the_http_side_names_its_manifest(
    store_copy: Path,
) -> None:
    database = Database(store_copy, 10**6)
    before = database.current()
    release = ReleaseWatcher(store_copy).current()
    assert release is not None
    seen = release.stamp  # as the HTTP side computes it
    touch_manifest(store_copy)
    assert database.current(seen) is before  # the HTTP side has not seen the swap yet
    assert database.current(None) is not before  # unknown: the manifest is looked at


def test_receive_reads_messages_that_arrived_together_then_eof() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.sendall(messages.frame("first") + messages.frame(("second", 2)))
        ours.shutdown(socket.SHUT_WR)
        reader = theirs.makefile("rb")
        assert messages.receive(reader) == "first"
        assert messages.receive(reader) == ("second", 2)
        with pytest.raises(EOFError):
            messages.receive(reader)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_queries_and_replies_cross_the_socket_unchanged(outcome: Outcome) -> None:
    sent = request(PLATFORMS, 7, default_graphs=("https://example.org/g",), stamp=(1, 2, 3))
    reply = QueryReply(outcome, SRJ, b"{}", True, ("0.1.0", "abc"), ("https://example.org/",))
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.sendall(messages.query_frame(4, sent) + messages.reply_frame(5, reply))
        reader = theirs.makefile("rb")
        assert messages.read_query(messages.receive(reader)) == (4, sent)
        number, received = messages.read_reply(messages.receive(reader))
    assert (number, received) == (5, reply)
    assert received.outcome is outcome


def test_receive_a_message_cut_short_is_eof() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.sendall(messages.frame("whole")[:-1])
        ours.shutdown(socket.SHUT_WR)
        with pytest.raises(EOFError):
            messages.receive(theirs.makefile("rb"))


def executors() -> list[int]:
    """Our live (not zombie) child processes that are query workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[1]) == os.getpid() and b"kg.engine.executor" in command:
            found.append(int(entry.name))
    return found


def test_pool_close_stops_a_worker_being_started(config: WorkerConfig) -> None:
    async def scenario(pool: QueryPool) -> None:
        with pytest.raises(Unavailable, match="time limit"):
            await pool.run(request(CARTESIAN), time.monotonic() + 0.5)
        # Checked at once: a worker can start in well under 0.1 s on a warm machine.
        assert pool.replacing  # a replacement is being started
        await asyncio.sleep(0)  # let it begin
        await pool.close()
        assert executors() == []

    pool_scenario(config, scenario)


def test_pool_close_tells_waiting_queries_the_server_is_stopping(config: WorkerConfig) -> None:
    async def scenario(pool: QueryPool) -> None:
        running = asyncio.create_task(pool.run(request(CARTESIAN), time.monotonic() + 20))
        await asyncio.sleep(0.3)
        await pool.close()
        with pytest.raises(Unavailable, match="stopping"):
            await running

    pool_scenario(config, scenario)


def test_app_worker_runs_two_queries_more_than_its_cores(built_store: Path) -> None:
    app = create_app(Settings(store=built_store, workers=3))
    assert app.state.kg.engine.config.threads == 5


def test_a_query_whose_service_calls_cannot_be_checked_leaves_no_verdict_to_reuse(
    config: WorkerConfig,
) -> None:
    """rdflib cannot read an RDF 1.2 triple term that Oxigraph can: the query is refused, and
    the reply names no services, so the HTTP side does not remember "none" and let the same
    text through the next time."""
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p <<( ?a ?b ?c )>> } }"
    reply = run(config, request(text, check_services=True))
    assert reply.outcome is Outcome.FORBIDDEN_SERVICE
    assert reply.services is None
