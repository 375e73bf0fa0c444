"""What the two engines over the local store share: the worker configuration they evaluate
with, the watcher of the release on disk, and the slots of the queries evaluated at once.

`kg.engine.pool.QueryPool` (a worker process) and `kg.engine.inline.InlineEngine` (threads
of this process) differ in where a query runs, not in how a client waits for its turn or
learns which release it is served.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from kg.engine.messages import WorkerConfig
from kg.engine.watcher import Release, ReleaseWatcher


class LocalEngine:
    """The base of the engines that evaluate queries over the store at `config.store`.

    Args:
        config: what a worker is told when it starts (`threads` set here).
        threads: queries evaluated at once; more wait for a slot until their deadline.
        watcher: the release on disk; by default a watcher of `config.store`.
    """

    def __init__(
        self, config: WorkerConfig, threads: int, watcher: ReleaseWatcher | None = None
    ) -> None:
        self.config = config._replace(threads=threads)
        self.watcher = watcher or ReleaseWatcher(Path(config.store))
        self.slots = asyncio.Semaphore(threads)
        self.closed = False

    async def take_slot(self, deadline: float) -> bool:
        """Take a slot by `deadline` (a `time.monotonic()` value); False if none came free."""
        if not self.slots.locked():
            await self.slots.acquire()  # free: returns at once, no timer needed
            return True
        try:
            async with asyncio.timeout(until(deadline)):
                await self.slots.acquire()
        except TimeoutError:
            return False
        return True

    def current_release(self) -> Release | None:
        """The release on disk; see `ReleaseWatcher.current`."""
        return self.watcher.current()

    def look_again(self) -> None:
        """Look at the manifest on the next `current_release`."""
        self.watcher.look_again()


def until(deadline: float) -> float:
    """Seconds left before `deadline`, never negative."""
    return max(0.0, deadline - time.monotonic())
