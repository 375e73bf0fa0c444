"""The in-process engine: `kg.engine.executor`'s evaluation on threads of the calling process.

For tests that are not about processes: a server using it starts no worker, and is answering
as soon as the store is loaded. What it gives up is what the worker process is for
(`kg.engine.pool`): nothing can stop a query past its deadline (pyoxigraph cannot cancel one),
so its client gets the 503 and the query holds its thread, one of `threads`, until it ends;
and there is no memory cap (RLIMIT_AS would cap the whole process). Threads are daemons, so a
query still running never holds up the process's exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from kg.engine.errors import BUSY, STOPPING, TIMED_OUT, Unavailable
from kg.engine.executor import Database, answer, open_database
from kg.engine.local import LocalEngine, until
from kg.engine.messages import QueryReply, QueryRequest, WorkerConfig
from kg.engine.watcher import ReleaseWatcher


class InlineEngine(LocalEngine):
    """An `Engine` evaluating each query on a thread of its own, at most `threads` at once.

    Args: as `LocalEngine`'s (the config's memory limit is not applied).
    """

    def __init__(
        self, config: WorkerConfig, threads: int, watcher: ReleaseWatcher | None = None
    ) -> None:
        super().__init__(config, threads, watcher)
        self.database: Database | None = None
        self.waiting: set[asyncio.Future[QueryReply]] = set()

    async def start(self) -> None:
        """Open the store (a missing one is reported by each query, as the worker does)."""
        self.database = await asyncio.to_thread(open_database, self.config)

    async def run(self, request: QueryRequest, deadline: float) -> QueryReply:
        """The reply to `request` by `deadline`; see `kg.engine.interface.Engine.run`."""
        database = self.database
        if database is None or self.closed:
            raise Unavailable(STOPPING, retry_after=5)
        if not await self.take_slot(deadline):
            raise Unavailable(BUSY, retry_after=5)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[QueryReply] = loop.create_future()
        # The slot is held until the thread ends, whether or not anyone still waits.
        threading.Thread(
            target=self._evaluate, args=(loop, future, database, request), daemon=True
        ).start()
        self.waiting.add(future)
        try:
            async with asyncio.timeout(until(deadline)):
                return await asyncio.shield(future)
        except TimeoutError:
            raise Unavailable(TIMED_OUT, retry_after=5) from None
        finally:
            self.waiting.discard(future)

    def _evaluate(
        self,
        loop: asyncio.AbstractEventLoop,
        future: asyncio.Future[QueryReply],
        database: Database,
        request: QueryRequest,
    ) -> None:
        """On the query's thread: evaluate, then hand the reply to the loop."""
        reply = answer(database, request, self.config)
        with contextlib.suppress(RuntimeError):  # the loop closed: the server stopped
            loop.call_soon_threadsafe(self._finished, future, reply)

    def _finished(self, future: asyncio.Future[QueryReply], reply: QueryReply) -> None:
        self.slots.release()
        if not future.done():
            future.set_result(reply)

    async def close(self) -> None:
        """Stop answering: queries still waiting get a 503 (their threads finish unheard)."""
        self.closed = True
        for future in list(self.waiting):
            if not future.done():
                future.set_exception(Unavailable(STOPPING, retry_after=5))
        self.database = None
