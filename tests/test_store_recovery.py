"""A writer killed mid-write leaves a complete store at its path, and its leftovers are cleaned
by the next writer (`kg.store.recover`): each step of the swap, killed, then written again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from kg.store import load_files, recover

KG = Path(sys.executable).with_name("kg")
SMALL = Path(__file__).parent / "data" / "validate" / "valid.ttl"


def loaded(store: Path) -> list[str]:
    return [r["file"] for r in json.loads((store / "manifest.json").read_text())["loaded"]]


def leftovers(store: Path) -> list[str]:
    """Directories beside the store (its lock file and the lock's queue stay, by design)."""
    return sorted(
        p.name
        for p in store.parent.iterdir()
        if p.name.startswith("store.") and p.is_dir() and p.name != "store.lock.queue"
    )


def test_staging_left_by_a_killed_writer_is_removed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    load_files([SMALL], store)
    (tmp_path / "store.tmp-dead").mkdir()
    (tmp_path / "store.tmp-dead" / "oxigraph").mkdir()
    load_files([SMALL], store)
    assert leftovers(store) == []
    assert loaded(store) == [SMALL.name, SMALL.name]


def test_a_store_renamed_away_but_not_replaced_is_put_back(tmp_path: Path) -> None:
    store = tmp_path / "store"
    load_files([SMALL], store)
    store.rename(tmp_path / "store.old-dead")  # killed between the swap's two renames
    recover(store)
    assert loaded(store) == [SMALL.name]
    assert leftovers(store) == []


def test_an_old_store_left_after_the_swap_is_removed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    load_files([SMALL], store)
    (tmp_path / "store.old-dead").mkdir()
    recover(store)
    assert loaded(store) == [SMALL.name]
    assert leftovers(store) == []


def test_load_killed_while_writing_keeps_the_store_and_the_next_load_cleans_up(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    load_files([SMALL], store)
    writer = subprocess.Popen(
        [str(KG), "load", str(SMALL), "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not any(p.name.startswith("store.tmp-") for p in tmp_path.iterdir()):
        assert writer.poll() is None and time.monotonic() < deadline, "never staged"
        time.sleep(0.001)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(10)
    assert loaded(store) == [SMALL.name]  # the store it was writing over is whole
    load_files([SMALL], store)
    assert leftovers(store) == []
    assert loaded(store) == [SMALL.name, SMALL.name]
