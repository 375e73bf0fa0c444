"""One writer at a time: `kg build`, `kg load` and edits through the endpoint share one lock.

Before, `kg load` took no lock: a load that ran while the server committed an edit exited 0,
and the edit's new store then replaced the loaded one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kg.store import StoreBusyError, write_lock

KG = Path(sys.executable).with_name("kg")
SMALL = Path(__file__).parent / "data" / "validate" / "valid.ttl"


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
