"""Fault cases, as an operator meets them: a `kg build` killed at each step of its write, a writer
that cannot get the lock, a server started after a killed writer, a query worker killed from
outside or over its memory limit.

Bounded (every wait has a limit), loopback only, every process stopped by its PID. What
tests/test_store_recovery.py (each case of `recover`, a `kg load` killed while staging) and
tests/test_write_lock.py (arrival order, waiters and holders killed in the queue) cover is not
repeated here.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

from kg.engine.pool import death
from kg.lock import queued
from kg.store import _exchange, open_store

KG = str(Path(sys.executable).with_name("kg"))
TESTS = Path(__file__).parent
ROOT = TESTS.parent
PROJECT = TESTS / "data" / "build" / "project"
SMALL = TESTS / "data" / "validate" / "valid.ttl"
FAULTS = TESTS / "data" / "faults"
LOOPBACK = "127.0.0.1"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without its KG_* settings, plus `settings`."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KG_")} | settings


def kg(*arguments: str | Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """Run `kg` to its end (two minutes at most), its output captured."""
    command = [KG, *map(str, arguments)]
    env = clean_environment(**settings)
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def until(condition: Callable[[], object], seconds: float = 30) -> None:
    limit = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < limit, "timed out"
        time.sleep(0.02)


def complete(store: Path) -> str:
    """The manifest of the store at `store`, once its database and its snapshot are seen to
    hold as many quads as it says: a store the server can open and serve."""
    manifest = (store / "manifest.json").read_text(encoding="utf-8")
    triples = sum(json.loads(manifest)["triples"].values())
    assert len(open_store(store)) == triples
    with (store / "snapshot.nq").open("rb") as snapshot:
        assert sum(1 for line in snapshot if line.strip()) == triples
    return manifest


def leftovers(store: Path) -> list[str]:
    """What a killed writer left beside the store: staged or renamed-away copies."""
    return sorted(p.name for p in store.parent.glob(f"{store.name}.*-*") if p.is_dir())


@pytest.fixture(scope="module")
def changed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project with one organisation more: a build of it is a new release."""
    project = Path(shutil.copytree(PROJECT, tmp_path_factory.mktemp("changed") / "project"))
    with (project / "data" / "organisations.ttl").open("a", encoding="utf-8") as data:
        data.write('\nid:org-gamma a pv:Organisation ;\n    rdfs:label "Gamma" .\n')
    return project


# --- a server on the loopback --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class Served(NamedTuple):
    client: httpx.Client
    process: subprocess.Popen[bytes]


@contextmanager
def serving(store: Path, log: Path, *options: str) -> Iterator[Served]:
    """`kg serve` over `store` on a free loopback port until the block ends, then SIGTERM to
    its PID (SIGKILL if it has not stopped in 15 s); yields a client of it, once it answers."""
    port = free_port()
    command = [KG, "serve", "--host", LOOPBACK, "--port", str(port), "--store", str(store)]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "--root", str(ROOT), *options],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=clean_environment(),
        )
    try:
        with httpx.Client(base_url=f"http://{LOOPBACK}:{port}", timeout=30) as client:
            until(lambda: server.poll() is not None or answers(client), 60)
            assert server.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            yield Served(client, server)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(15)


def answers(client: httpx.Client) -> bool:
    try:
        return client.get("/sparql", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def in_named_graphs(manifest: str) -> int:
    """Triples in the named graphs of a store, by its manifest: what `quads_served` counts."""
    return sum(n for graph, n in json.loads(manifest)["triples"].items() if ":" in graph)


def quads_served(client: httpx.Client) -> int:
    reply = client.post("/sparql", data={"query": COUNT}, headers={"accept": "text/csv"})
    assert reply.status_code == 200, reply.text
    return int(reply.text.split()[1])


# --- kg build killed at each step ----------------------------------------------------------


def paused_build(at: int, marker: Path, project: Path, store: Path) -> subprocess.Popen[bytes]:
    """`kg build` that stops before its `at`-th move on disk (tests/data/faults/
    paused_writer.py) and writes that move into `marker`."""
    script = FAULTS / "paused_writer.py"
    arguments = [str(at), str(marker), "build", "--root", str(project), "--store", str(store)]
    return subprocess.Popen([sys.executable, str(script), *arguments], stdout=subprocess.DEVNULL)


def paused(writer: subprocess.Popen[bytes], marker: Path) -> bool:
    """Wait until `writer` stops at its move (True) or ends (False)."""
    until(lambda: marker.exists() or writer.poll() is not None, 60)
    return writer.poll() is None


def test_build_killed_at_each_step_leaves_a_store_that_the_next_start_cleans_up(
    tmp_path: Path, changed_project: Path
) -> None:
    """SIGKILL before each move of the write: before the swap, between its two renames, after
    it; each time some complete store is there (the previous or the new one), and the next
    `kg load`, `kg serve` or `kg build` (in turn) leaves no leftover and serves one."""
    reference = tmp_path / "reference" / "store"
    assert kg("build", "--root", changed_project, "--store", reference).returncode == 0
    new = complete(reference)
    store, marker = tmp_path / "stores" / "store", tmp_path / "marker"
    assert kg("build", "--root", PROJECT, "--store", store).returncode == 0
    cleanups: list[Callable[[Path], None]] = [load_over, serve_over, build_over]
    for at in count(1):
        assert at < 20, "the build never ran to its end"
        previous = complete(store)
        marker.unlink(missing_ok=True)
        build = paused_build(at, marker, changed_project, store)
        if not paused(build, marker):  # fewer moves than `at`: it ran to its end
            assert build.returncode == 0
            assert complete(store) == new
            assert leftovers(store) == []
            break
        os.kill(build.pid, signal.SIGKILL)
        build.wait(10)
        step = marker.read_text(encoding="utf-8")
        if store.exists():
            assert complete(store) in (previous, new), step
        else:  # between two renames, where the system cannot exchange: renamed away whole
            assert not atomic_swap(tmp_path), f"no store at its path: {step}"
            [renamed] = [store.with_name(name) for name in leftovers(store) if ".old-" in name]
            assert complete(renamed) == previous, step
        cleanups[(at - 1) % len(cleanups)](store)
        assert leftovers(store) == [], step
        assert queued(store) == []


def atomic_swap(tmp_path: Path) -> bool:
    """Whether this system swaps two directories in one step (`kg.store._exchange`)."""
    one, other = tmp_path / "swap-one", tmp_path / "swap-other"
    one.mkdir(exist_ok=True)
    other.mkdir(exist_ok=True)
    return _exchange(one, other)


def load_over(store: Path) -> None:
    done = kg("load", SMALL, "--graph", "https://example.org/graph/loaded", "--store", store)
    assert done.returncode == 0, done.stderr
    assert json.loads(complete(store))["loaded"][-1]["file"] == SMALL.name


def serve_over(store: Path) -> None:
    with serving(store, store.parent.parent / "serve.log") as served:
        assert quads_served(served.client) == in_named_graphs(complete(store))


def build_over(store: Path) -> None:
    done = kg("build", "--root", PROJECT, "--store", store)
    assert done.returncode == 0, done.stderr
    complete(store)


# --- the lock, end to end ------------------------------------------------------------------


@contextmanager
def holding(store: Path, holder: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The store's write lock held by another process (tests/data/faults/writer.py) as
    `holder`, until the block ends and that process is SIGKILLed by its PID."""
    taken = tmp_path / "taken"
    command = [sys.executable, str(FAULTS / "writer.py"), str(store), holder, str(taken), "120"]
    writer = subprocess.Popen(command)
    try:
        until(taken.exists)
        yield writer
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(10)


@pytest.mark.parametrize("command", ["load", "build"])
def test_a_writer_kept_waiting_past_kg_lock_wait_exits_2_naming_the_holder(
    tmp_path: Path, command: str
) -> None:
    store = tmp_path / "store"
    arguments = [SMALL] if command == "load" else ["--root", PROJECT]
    with holding(store, "an edit through the endpoint", tmp_path) as holder:
        started = time.monotonic()
        done = kg(command, *arguments, "--store", store, KG_LOCK_WAIT="0.5")
        assert time.monotonic() - started < 30
    assert done.returncode == 2, done.stderr
    assert f"being written by an edit through the endpoint (pid {holder.pid})" in done.stderr
    assert not store.exists()


def test_a_malformed_kg_lock_wait_is_a_usage_error_of_the_writer(tmp_path: Path) -> None:
    done = kg("load", SMALL, "--store", tmp_path / "store", KG_LOCK_WAIT="two minutes")
    assert done.returncode == 2
    assert "KG_LOCK_WAIT='two minutes' must be a number of seconds" in done.stderr


# --- kg serve starts after a killed writer -------------------------------------------------


def test_serve_puts_back_a_store_left_renamed_away_and_removes_staging(tmp_path: Path) -> None:
    store = tmp_path / "stores" / "store"
    assert kg("build", "--root", PROJECT, "--store", store).returncode == 0
    triples = in_named_graphs(complete(store))
    store.rename(store.with_name("store.old-killed"))  # killed between the swap's renames
    (store.with_name("store.tmp-killed") / "oxigraph").mkdir(parents=True)
    with serving(store, tmp_path / "serve.log") as served:
        assert quads_served(served.client) == triples
    assert leftovers(store) == []


def test_serve_leaves_the_staging_of_a_writer_at_work_alone(tmp_path: Path) -> None:
    """A writer holding the lock is writing now: its staging is no leftover, and the server
    starts at once rather than wait for it."""
    store = tmp_path / "stores" / "store"
    assert kg("build", "--root", PROJECT, "--store", store).returncode == 0
    staging = store.with_name("store.tmp-at-work")
    with holding(store, "kg build", tmp_path):
        staging.mkdir()
        started = time.monotonic()
        with serving(store, tmp_path / "serve.log") as served:
            assert time.monotonic() - started < 30
            assert quads_served(served.client) > 0
        assert staging.is_dir()
    assert "not cleaning up beside the store now" in (tmp_path / "serve.log").read_text()


# --- a query worker that dies --------------------------------------------------------------


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server of its own over the fixture project's store, at the lowest memory limit, with
    one core for queries: its worker is killed by these tests."""
    directory = tmp_path_factory.mktemp("dying")
    store = directory / "store"
    assert kg("build", "--root", PROJECT, "--store", store).returncode == 0
    options = ("--memory-limit-mb", "768", "--workers", "1", "--cache-mb", "0")
    with serving(store, directory / "serve.log", *options) as served:
        yield served


def query_worker(served: Served) -> int:
    """The PID of the server's query worker: its live child process running the executor."""
    server = served.process.pid
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        state, parent = stat[stat.rindex(")") + 2 :].split()[:2]
        if state != "Z" and int(parent) == server and b"executor" in command:
            found.append(int(entry.name))
    assert len(found) == 1, found
    return found[0]


def cpu_ticks(pid: int) -> int:
    """User and system time of the process `pid` so far, in clock ticks."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def sent(client: httpx.Client, query: str) -> Callable[[], httpx.Response]:
    """Send `query` on a thread of its own; the function returned waits for its reply."""
    replies: list[httpx.Response] = []
    thread = threading.Thread(
        target=lambda: replies.append(client.post("/sparql", data={"query": query}))
    )
    thread.start()

    def reply() -> httpx.Response:
        thread.join(60)
        return replies[0]

    return reply


@pytest.mark.parametrize(
    ("sent_signal", "said"),
    [
        (signal.SIGKILL, "killed (SIGKILL) from outside the server"),
        (signal.SIGTERM, "stopped by SIGTERM from outside the server"),
    ],
)
def test_a_query_worker_killed_from_outside_is_said_so_and_replaced(
    small_server: Served, sent_signal: signal.Signals, said: str
) -> None:
    worker = query_worker(small_server)
    before = cpu_ticks(worker)
    reply = sent(small_server.client, RUNAWAY)
    until(lambda: cpu_ticks(worker) > before + 10)  # the query runs in the worker
    os.kill(worker, sent_signal)
    died = reply()
    assert died.status_code == 503
    assert said in died.text
    assert "memory limit" not in died.text
    assert quads_served(small_server.client) > 0  # the next query is answered, by a new worker
    assert query_worker(small_server) != worker


def test_a_query_worker_over_its_memory_limit_is_said_to_be(small_server: Served) -> None:
    doubled = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(28))
    query = f'SELECT (STRLEN(?x28) AS ?n) WHERE {{ BIND("0123456789abcdef" AS ?x0) {doubled} }}'
    worker = query_worker(small_server)
    died = small_server.client.post("/sparql", data={"query": query})
    assert died.status_code == 503
    assert "most likely over its memory limit (768 MB)" in died.text
    assert quads_served(small_server.client) > 0
    assert query_worker(small_server) != worker


@pytest.mark.parametrize(
    ("status", "fault", "said"),
    [
        (None, None, "it stopped answering"),
        (1, None, "it exited with code 1"),
        (-int(signal.SIGSEGV), None, "it crashed (SIGSEGV)"),
        (-int(signal.SIGHUP), None, "stopped by SIGHUP from outside"),
        (-99, None, "stopped by signal 99"),
        (-int(signal.SIGKILL), "it sent a reply that could not be read", "could not be read"),
    ],
)
def test_every_end_of_a_worker_is_told_apart(
    status: int | None, fault: str | None, said: str
) -> None:
    message = death(status, 768, fault)
    assert message.startswith("the query worker died")
    assert said in message
    assert "memory limit" not in message
