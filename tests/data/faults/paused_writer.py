"""A `kg` command that stops before its N-th move on disk, for tests/test_faults.py to kill.

    python paused_writer.py N MARKER kg-arguments...

A move is a call of os.rename, os.replace, os.symlink or shutil.rmtree: what a writer does to
swap a staged store in and the old one out, and to clean up after a killed one. Before the N-th,
the command writes the move into MARKER and sleeps, so that the test SIGKILLs it by its PID at
exactly that point of the write; a command that makes fewer moves runs to its end. Patching
the os and shutil functions (not the store's own) keeps every step reachable however the store
module orders them.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.cli import app


def pausing(name: str, move: Callable[..., Any], marker: Path, at: int) -> Callable[..., Any]:
    def paused(*args: Any, **kwargs: Any) -> Any:
        global moves
        moves += 1
        if moves == at:
            marker.write_text(f"{moves}: {name}{tuple(map(str, args))}\n", encoding="utf-8")
            time.sleep(600)  # until the test kills this process
        return move(*args, **kwargs)

    return paused


moves = 0

if __name__ == "__main__":
    at, marker = int(sys.argv[1]), Path(sys.argv[2])
    for module, name in [(os, "rename"), (os, "replace"), (os, "symlink"), (shutil, "rmtree")]:
        setattr(module, name, pausing(name, getattr(module, name), marker, at))
    app(args=sys.argv[3:], prog_name="kg")
