"""A writer in a process of its own, for tests/test_write_lock.py and tests/test_faults.py.

    python writer.py STORE HOLDER OUTPUT SECONDS

Takes the write lock of STORE as HOLDER (waiting up to a minute), appends HOLDER to OUTPUT,
holds the lock SECONDS more, then exits. A test starts it to queue a writer, or to hold the lock,
from another process than its own, as `kg build` and `kg load` are; and kills it by its PID.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kg.lock import write_lock


def main(store: str, holder: str, output: str, seconds: str) -> None:
    with write_lock(Path(store), holder, wait=60):
        with Path(output).open("a", encoding="utf-8") as out:
            out.write(holder + "\n")
        time.sleep(float(seconds))


if __name__ == "__main__":
    main(*sys.argv[1:])
