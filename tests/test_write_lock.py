"""One writer at a time: `kg build`, `kg load` and edits through the endpoint share one lock,
and those waiting for it are served in the order they came, threads and processes alike.

Before, `kg load` took no lock: a load that ran while the server committed an edit exited 0,
and the edit's new store then replaced the loaded one. Then the lock had no order: whichever
waiter polled first after it was freed took it, so one client's edits could pass another's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kg.errors import UsageError
from kg.lock import DEFAULT_WAIT, StoreBusyError, configured_wait, queued, write_lock

KG = Path(sys.executable).with_name("kg")
SMALL = Path(__file__).parent / "data" / "validate" / "valid.ttl"
WRITER = Path(__file__).parent / "data" / "faults" / "writer.py"


@contextmanager
def held(store: Path, holder: str) -> Iterator[None]:
    """Hold the store's write lock on another thread, as a concurrent writer would."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with write_lock(store, holder, wait=5):
            taken.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert taken.wait(10)
        yield
    finally:
        release.set()
        thread.join()


def test_load_waits_for_a_writer_and_then_lands(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with held(store, "an edit through the endpoint"):
        load = subprocess.Popen(
            [str(KG), "load", str(SMALL), "--store", str(store)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        with pytest.raises(subprocess.TimeoutExpired):
            load.wait(timeout=2)  # still waiting for the lock
        assert not (store / "manifest.json").exists()
    assert load.wait(timeout=60) == 0, load.stderr.read() if load.stderr else ""
    loaded = json.loads((store / "manifest.json").read_text())["loaded"]
    assert [record["file"] for record in loaded] == [SMALL.name]


def test_a_writer_that_gives_up_names_the_holder(tmp_path: Path) -> None:
    store = tmp_path / "store"
    busy = pytest.raises(StoreBusyError, match=r"kg load \(pid \d+\)")
    with held(store, "kg load"), busy, write_lock(store, "kg build", wait=0.2):
        pass


def test_the_lock_is_free_again_once_its_writer_is_done(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with held(store, "kg build"):
        pass
    with write_lock(store, "kg load", wait=0.2):
        pass


def writer_process(
    store: Path, holder: str, output: Path, seconds: float = 0
) -> subprocess.Popen[bytes]:
    """A writer in another process (tests/data/faults/writer.py): queues for the lock, notes
    `holder` in `output` once it has it, holds it `seconds` more."""
    command = [sys.executable, str(WRITER), str(store), holder, str(output), str(seconds)]
    return subprocess.Popen(command)


def writer_thread(store: Path, holder: str, output: Path) -> threading.Thread:
    """A writer on a thread of this process, as an edit through the endpoint is."""

    def write() -> None:
        with write_lock(store, holder, wait=60), output.open("a", encoding="utf-8") as out:
            out.write(holder + "\n")

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def until(condition: Callable[[], bool], seconds: float = 30) -> None:
    limit = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < limit, "timed out"
        time.sleep(0.01)


def waiting(store: Path, count: int) -> Callable[[], bool]:
    """True once `count` writers hold or wait for the lock: each has taken its number."""
    return lambda: len(queued(store)) == count


def test_waiting_writers_are_served_in_arrival_order_threads_and_processes(
    tmp_path: Path,
) -> None:
    store, order = tmp_path / "store", tmp_path / "order"
    names = [f"writer {i}" for i in range(6)]
    threads: list[threading.Thread] = []
    processes: list[subprocess.Popen[bytes]] = []
    with held(store, "the first writer"):
        for i, name in enumerate(names):
            if i % 2:
                processes.append(writer_process(store, name, order))
            else:
                threads.append(writer_thread(store, name, order))
            until(waiting(store, i + 2))  # the holder, then each writer in turn
        assert [entry.split(" (pid")[0] for entry in queued(store)] == ["the first writer", *names]
    for thread in threads:
        thread.join(60)
    assert all(process.wait(60) == 0 for process in processes)
    assert order.read_text(encoding="utf-8").splitlines() == names
    assert queued(store) == []


def test_a_waiter_killed_while_queued_does_not_block_the_others(tmp_path: Path) -> None:
    store, order = tmp_path / "store", tmp_path / "order"
    with held(store, "kg build"):
        doomed = writer_process(store, "kg load", order)
        until(waiting(store, 2))
        after = writer_thread(store, "an edit through the endpoint", order)
        until(waiting(store, 3))
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(10)
        released = time.monotonic()
    after.join(10)
    assert time.monotonic() - released < 2  # one poll or two, not a wait for the dead
    assert order.read_text(encoding="utf-8").splitlines() == ["an edit through the endpoint"]
    assert queued(store) == []
    assert not any((tmp_path / "store.lock.queue").iterdir())  # the dead ticket is gone too


def test_a_holder_killed_hands_the_lock_to_the_next_in_line(tmp_path: Path) -> None:
    store, order = tmp_path / "store", tmp_path / "order"
    holder = writer_process(store, "kg build", order, seconds=60)
    until(lambda: order.exists())
    successor = writer_thread(store, "kg load", order)
    until(waiting(store, 2))
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(10)
    successor.join(5)
    assert not successor.is_alive()
    assert order.read_text(encoding="utf-8").splitlines() == ["kg build", "kg load"]


def test_a_writer_that_gives_up_names_the_holder_and_the_queue_and_leaves_it(
    tmp_path: Path,
) -> None:
    store, order = tmp_path / "store", tmp_path / "order"
    holder = writer_process(store, "kg build", order, seconds=60)
    try:
        until(lambda: order.exists())
        queued_load = writer_thread(store, "kg load", order)
        until(waiting(store, 2))
        with (
            pytest.raises(StoreBusyError) as busy,
            write_lock(store, "an edit through the endpoint", wait=0.3),
        ):
            pass
        message = str(busy.value)
        assert f"written by kg build (pid {holder.pid}), and 1 more writer(s) queued" in message
        assert [entry.split(" (pid")[0] for entry in queued(store)] == ["kg build", "kg load"]
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
    queued_load.join(10)
    assert order.read_text(encoding="utf-8").splitlines() == ["kg build", "kg load"]


@pytest.mark.parametrize(
    ("value", "seconds"), [(None, DEFAULT_WAIT), ("", DEFAULT_WAIT), ("0", 0.0), ("2.5", 2.5)]
)
def test_kg_lock_wait_sets_the_wait(value: str | None, seconds: float) -> None:
    environ = {} if value is None else {"KG_LOCK_WAIT": value}
    assert configured_wait(environ) == seconds


@pytest.mark.parametrize("value", ["soon", "-1", "inf", "nan"])
def test_a_malformed_kg_lock_wait_is_said(value: str) -> None:
    with pytest.raises(UsageError, match="KG_LOCK_WAIT"):
        configured_wait({"KG_LOCK_WAIT": value})
