"""The HTTP side of the query workers: start them, hand each one query, enforce the deadline.

Each worker is a `python -m kg.web.executor` process joined by a socket pair, started by exec
from this process (which never opens the store). A query waits for the reply with the request's
deadline; past it, the worker is SIGKILLed and replaced, and the client gets a 503. A worker
that dies (its memory cap) gives a 503 too. `workers` processes are kept warm; when all are
busy another is started, up to `limit`, so one runaway query never holds up a simple one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import socket
import subprocess
import sys
import time
from collections import deque

from kg.errors import UsageError
from kg.web.errors import Unavailable
from kg.web.messages import HEADER, QueryReply, QueryRequest, WorkerConfig, frame

log = logging.getLogger("kg.web")

IDLE_SECONDS = 30.0
"""A worker beyond the warm ones that stays idle this long is stopped."""


class Worker:
    """One query worker process and the HTTP side's stream to it."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.process = process
        self.reader = reader
        self.writer = writer
        self.idle_since = time.monotonic()

    @classmethod
    async def start(cls, config: WorkerConfig) -> Worker:
        """Start a worker and send it its config; it answers with its release once ready."""
        ours, theirs = socket.socketpair()
        with theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", "kg.web.executor", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        reader, writer = await asyncio.open_unix_connection(sock=ours, limit=2**20)
        worker = cls(process, reader, writer)
        worker.writer.write(frame(config))
        return worker

    async def ask(self, message: object) -> object:
        """Send `message` and wait for the answer.

        Raises:
            EOFError: the worker died.
        """
        self.writer.write(frame(message))
        await self.writer.drain()
        return await self.answer()

    async def answer(self) -> object:
        """The worker's next message.

        Raises:
            EOFError: the worker died.
        """
        try:
            header = await self.reader.readexactly(HEADER.size)
            (size,) = HEADER.unpack(header)
            return pickle.loads(await self.reader.readexactly(size))
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            raise EOFError(str(error)) from error

    def kill(self) -> None:
        """SIGKILL the process and close the stream; reaped by `reap`."""
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.writer.close()

    async def reap(self) -> None:
        await asyncio.to_thread(self.process.wait)


class QueryPool:
    """Query workers for one server process.

    Args:
        config: what every worker is told when it starts.
        workers: processes kept warm.
        limit: processes at most, busy or not.
    """

    def __init__(self, config: WorkerConfig, workers: int, limit: int) -> None:
        self.config = config
        self.warm = workers
        self.limit = max(limit, workers)
        self.idle: deque[Worker] = deque()
        self.starting = 0
        self.busy: set[Worker] = set()
        self.waiters: deque[asyncio.Future[Worker]] = deque()
        self.tasks: set[asyncio.Task[None]] = set()
        self.closed = False

    @property
    def size(self) -> int:
        return len(self.idle) + len(self.busy) + self.starting

    async def start(self) -> None:
        """Start the warm workers and wait until each has opened the store.

        Raises:
            UsageError: not one worker started (see the log for its error).
        """
        self.starting += self.warm
        await asyncio.gather(*(self._spawn() for _ in range(self.warm)))
        if not self.idle:
            raise UsageError(
                "no query worker could start: is --memory-limit-mb "
                f"({self.config.memory_limit_mb}) too low for the store?"
            )

    async def run(self, request: QueryRequest, deadline: float) -> QueryReply:
        """Run `request` on a worker, answering by `deadline` (a `time.monotonic()` value).

        Raises:
            Unavailable: no worker free in time, the query ran past the deadline, or the worker
                died.
        """
        worker = await self._acquire(deadline)
        remaining = deadline - time.monotonic()
        if remaining <= 0:  # nothing was sent: the worker is as good as it was
            self._release(worker)
            raise Unavailable(self._busy_message(), retry_after=5)
        try:
            async with asyncio.timeout(remaining):  # no extra task, unlike wait_for
                reply = await worker.ask(request)
        except TimeoutError:
            self._discard(worker)
            raise Unavailable(self._timeout_message(), retry_after=5) from None
        except (EOFError, OSError):
            self._discard(worker)
            raise Unavailable(
                "the query worker died, most likely over its memory limit "
                f"({self.config.memory_limit_mb} MB): simplify the query",
                retry_after=5,
            ) from None
        except BaseException:  # cancelled mid-query: the worker's state is unknown
            self._discard(worker)
            raise
        self._release(worker)
        assert isinstance(reply, QueryReply)
        return reply

    async def close(self) -> None:
        """Stop every worker."""
        self.closed = True
        for waiter in self.waiters:
            waiter.cancel()
        for worker in [*self.idle, *self.busy]:
            worker.kill()
            await worker.reap()
        self.idle.clear()
        self.busy.clear()

    def _timeout_message(self) -> str:
        return "the query ran past the time limit and was stopped: narrow it or add a LIMIT"

    def _busy_message(self) -> str:
        return "every query worker stayed busy until the time limit: try again later"

    async def _acquire(self, deadline: float) -> Worker:
        if self.idle:
            worker = self.idle.pop()  # the most recently used: its caches are warm
            self.busy.add(worker)
        else:
            self._spawn_if_room()
            worker = await self._wait(deadline)
        if not self.idle:
            self._spawn_if_room()  # a spare, so the next query does not wait
        return worker

    def _spawn_if_room(self) -> None:
        if self.size < self.limit and not self.closed:
            self.starting += 1  # counted now: the task may not run before the next request
            self._background(self._spawn())

    async def _wait(self, deadline: float) -> Worker:
        """The next worker released or started, handed over in the order queries came."""
        waiter: asyncio.Future[Worker] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter, deadline - time.monotonic())
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())  # handed over as this query gave up
            if isinstance(error, TimeoutError):
                raise Unavailable(self._busy_message(), retry_after=5) from None
            raise

    def _release(self, worker: Worker) -> None:
        self.busy.discard(worker)
        worker.idle_since = time.monotonic()
        self._hand_over(worker)
        self._retire_idle()

    def _hand_over(self, worker: Worker) -> None:
        """Give `worker` to the longest waiting query, or make it idle."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                self.busy.add(worker)
                waiter.set_result(worker)
                return
        self.idle.append(worker)

    def _retire_idle(self) -> None:
        """Stop workers beyond the warm ones that have been idle for a while."""
        now = time.monotonic()
        while len(self.idle) > self.warm and now - self.idle[0].idle_since > IDLE_SECONDS:
            self._stop(self.idle.popleft())

    def _discard(self, worker: Worker) -> None:
        """Kill a worker whose state is unknown, and start another if fewer than warm remain."""
        self.busy.discard(worker)
        self._stop(worker)
        if self.size < self.warm:
            self._spawn_if_room()

    def _stop(self, worker: Worker) -> None:
        worker.kill()
        self._background(worker.reap())

    async def _spawn(self) -> None:
        """Start a worker (already counted in `starting`) and hand it over once ready."""
        try:
            if self.closed:
                return
            worker = await Worker.start(self.config)
            try:
                await asyncio.wait_for(worker.answer(), 60)
            except (TimeoutError, EOFError):
                log.error("a query worker failed to start (exit code %s)", worker.process.poll())
                self._stop(worker)
                return
        finally:
            self.starting -= 1
        if self.closed:
            self._stop(worker)
        else:
            self._hand_over(worker)

    def _background(self, job: object) -> None:
        assert asyncio.iscoroutine(job)
        task = asyncio.get_running_loop().create_task(job)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
