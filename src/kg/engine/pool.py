"""The production engine: a query worker process, started, handed queries, held to deadlines.

The worker is a `python -m kg.engine.executor` process joined by a socket pair, started by exec
from this process (which never opens the store). It evaluates up to `threads` queries at once,
on threads sharing one copy of the store; replies come back numbered, in the order queries
finish. The server runs two threads more than it has cores for queries: while an answer
travels back, the next query is already there (small queries keep the cores busy only so), and
a runaway query does not hold up a simple one.

Past its deadline a query's client gets a 503, but a thread cannot be stopped, only the whole
process. So the worker holding an overdue query is replaced: a new worker is started and gets
the new queries once it has loaded the store; the old one finishes the queries it still has
for clients who wait, and is SIGKILLed when none is left. A worker that dies fails the queries
it held with a 503 that says how it died, as far as its exit status tells (`death`): over its
memory cap, killed from outside, crashed; and is replaced at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import pickle
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

from kg.engine.errors import BUSY, STOPPING, Unavailable
from kg.engine.local import LocalEngine, until
from kg.engine.messages import (
    HEADER,
    QueryReply,
    QueryRequest,
    WorkerConfig,
    frame,
    query_frame,
    read_reply,
)
from kg.engine.watcher import ReleaseWatcher
from kg.errors import UsageError

log = logging.getLogger("kg.web")
START_SECONDS = 300.0
"""How long a worker may take to load the store before it is given up."""


class Worker:
    """One query worker process, the HTTP side's stream to it, and the queries it holds."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.process = process
        self.reader = reader
        self.writer = writer
        self.pending: dict[int, tuple[asyncio.Future[QueryReply], Callable[[], None]]] = {}
        """Queries sent and not answered: the future for the reply, and what to call when the
        query leaves the worker (answered, or the worker ended)."""
        self.abandoned: set[int] = set()  # pending, but nobody waits for the reply any more
        self.overdue = False  # holds a query past its deadline: to be replaced
        self.retiring = False  # replaced: killed once no client waits for it
        self.ended = False  # its replies are read no more: every query left it
        self.fault: str | None = None  # why the pool stopped it, if the pool did

    @classmethod
    async def start(cls, config: WorkerConfig) -> Worker:
        """Start a worker and send it its config; it answers with its release once ready."""
        ours, theirs = socket.socketpair()
        with theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", "kg.engine.executor", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        try:
            reader, writer = await asyncio.open_unix_connection(sock=ours, limit=2**20)
        except BaseException:
            process.kill()
            ours.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)
            raise
        worker = cls(process, reader, writer)
        worker.writer.write(frame(config))
        return worker

    @property
    def waited_for(self) -> int:
        """Queries whose clients still wait for this worker's reply."""
        return len(self.pending) - len(self.abandoned)

    def enter(self, number: int, done: Callable[[], None]) -> asyncio.Future[QueryReply]:
        """Count a query as the worker's before it is sent; the future gets its reply, or
        EOFError if the worker ends first.

        Args:
            done: called once the query has left the worker, answered or not: not before,
                even if nobody waits for it any more.
        """
        future: asyncio.Future[QueryReply] = asyncio.get_running_loop().create_future()
        self.pending[number] = (future, done)
        if self.ended:  # nothing will read a reply: fail it now
            self._leave(number, EOFError("the query worker ended"))
        return future

    async def send(self, number: int, request: QueryRequest) -> None:
        """Send an entered query. A worker that cannot be written to is killed: reading then
        ends, and fails the queries it held, this one too."""
        try:
            self.writer.write(query_frame(number, request))
            await self.writer.drain()
        except (ConnectionError, RuntimeError, OSError):  # RuntimeError: written after close
            self.kill()
            if self.ended and number in self.pending:
                self._leave(number, EOFError("the query worker ended"))

    def _leave(self, number: int, error: BaseException) -> None:
        future, done = self.pending.pop(number)
        done()
        if number in self.abandoned:
            self.abandoned.discard(number)
            future.cancel()  # nobody will read it: no "exception never retrieved"
        elif not future.done():
            future.set_exception(error)

    def abandon(self, number: int) -> None:
        """Nobody waits for this query's reply any more."""
        if number in self.pending:
            self.abandoned.add(number)

    async def answer(self) -> object:
        """The worker's next message.

        Raises:
            EOFError: the worker died.
        """
        try:
            header = await self.reader.readexactly(HEADER.size)
            (size,) = HEADER.unpack(header)
            return pickle.loads(await self.reader.readexactly(size))
        except (asyncio.IncompleteReadError, OSError) as error:  # ConnectionError is an OSError
            raise EOFError(str(error)) from error

    async def read_replies(self) -> None:
        """Hand each reply to the query it answers, until the worker ends; then fail the rest."""
        try:
            while True:
                number, reply = read_reply(await self.answer())
                entry = self.pending.pop(number, None)
                self.abandoned.discard(number)
                if entry is not None:
                    future, done = entry
                    done()
                    if not future.done():
                        future.set_result(reply)
                self.retire_if_idle()
        except EOFError:
            pass
        except Exception:  # a garbled message: the worker cannot be trusted any more
            log.exception("unreadable reply from the query worker")
            self.fault = "it sent a reply that could not be read, and was stopped"
        finally:
            self.ended = True
            self.kill()
            for number in list(self.pending):
                self._leave(number, EOFError("the query worker ended"))

    def retire_if_idle(self) -> None:
        """A replaced worker goes as soon as no client waits for it."""
        if self.retiring and not self.waited_for:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the process and close the stream; reaped by `reap`."""
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.writer.close()

    async def exit_status(self, seconds: float = 1.0) -> int | None:
        """The worker's exit status (minus the signal's number if a signal ended it), once the
        kernel has it: its stream ends a moment before. None if still running after `seconds`."""
        limit = time.monotonic() + seconds
        while (status := self.process.poll()) is None and time.monotonic() < limit:
            await asyncio.sleep(0.01)
        return status

    async def reap(self) -> None:
        await asyncio.to_thread(self.process.wait)


class QueryPool(LocalEngine):
    """The query worker of one server process: the production `kg.engine.interface.Engine`.

    Args: as `LocalEngine`'s; `threads` are the worker's threads.
    """

    def __init__(
        self, config: WorkerConfig, threads: int, watcher: ReleaseWatcher | None = None
    ) -> None:
        super().__init__(config, threads, watcher)
        self.current: Worker | None = None
        self.ready = asyncio.Event()  # set while there is a current worker
        self.replacing = False
        self.retired: set[Worker] = set()
        self.numbers = itertools.count()
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def size(self) -> int:
        """Worker processes alive: the current one and those being retired."""
        return len(self.retired) + (self.current is not None)

    async def start(self) -> None:
        """Start the worker and wait until it has opened the store.

        Raises:
            UsageError: the worker could not start (see the log for its error).
        """
        worker = await self._spawn()
        if worker is None:
            raise UsageError(
                "the query worker could not start: is --memory-limit-mb "
                f"({self.config.memory_limit_mb}) too low for the store?"
            )
        self._make_current(worker)

    async def run(self, request: QueryRequest, deadline: float) -> QueryReply:
        """Run `request`, answering by `deadline` (a `time.monotonic()` value).

        Raises:
            Unavailable: no thread free in time, the query ran past the deadline, or the worker
                died.
        """
        if not await self.take_slot(deadline):
            raise Unavailable(self._busy_message(), retry_after=5)
        # The slot stands for a thread of the worker: held until the query leaves the worker.
        try:
            worker = self.current or await self._worker(deadline)
        except BaseException:
            self.slots.release()
            raise
        number = next(self.numbers)
        future = worker.enter(number, self.slots.release)
        timer = asyncio.get_running_loop().call_later(
            until(deadline), self._expire, worker, number, future
        )
        try:
            await worker.send(number, request)
            reply = await future
        except _DeadlinePassedError:
            raise Unavailable(self._timeout_message(), retry_after=5) from None
        except EOFError:
            timer.cancel()
            if self.closed:
                raise Unavailable(STOPPING, retry_after=5) from None
            raise Unavailable(await self._died_message(worker), retry_after=5) from None
        except BaseException:  # the client went away; the query runs on, and is watched
            worker.abandon(number)
            worker.retire_if_idle()
            raise
        timer.cancel()
        return reply

    def _expire(self, worker: Worker, number: int, future: asyncio.Future[QueryReply]) -> None:
        """At a query's deadline: if the worker still holds it, fail it and replace the worker."""
        if number not in worker.pending:
            return
        if not future.done():
            future.set_exception(_DeadlinePassedError())
        worker.abandon(number)
        if not worker.overdue:
            worker.overdue = True
            log.warning("a query ran past its deadline: replacing the query worker")
        if worker is self.current:
            self._replace()
        worker.retire_if_idle()

    async def close(self) -> None:
        """Stop every worker, and any being started."""
        self.closed = True
        for task in list(self.tasks):
            task.cancel()
        for worker in [*self.retired, *([self.current] if self.current else [])]:
            worker.kill()
            await worker.reap()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.retired.clear()
        self.current = None
        self.ready.set()  # queries waiting for a worker see the pool closed

    def _timeout_message(self) -> str:
        return "the query ran past the time limit and was stopped: narrow it or add a LIMIT"

    def _busy_message(self) -> str:
        return BUSY

    async def _died_message(self, worker: Worker) -> str:
        status = await worker.exit_status()
        return death(status, self.config.memory_limit_mb, worker.fault)

    async def _worker(self, deadline: float) -> Worker:
        """The current worker, waiting for one being started if need be."""
        while self.current is None:
            if self.closed:
                raise Unavailable(STOPPING, retry_after=5)
            self._replace()
            try:
                async with asyncio.timeout(until(deadline)):
                    await self.ready.wait()
            except TimeoutError:
                raise Unavailable(self._busy_message(), retry_after=5) from None
        return self.current

    def _replace(self) -> None:
        """Start a new worker unless one is starting; it becomes current once ready."""
        if self.replacing or self.closed:
            return
        self.replacing = True
        self._background(self._replacement())

    async def _replacement(self) -> None:
        try:
            worker = await self._spawn()
        finally:
            self.replacing = False
        if worker is None:  # logged; try again while a replacement is still needed
            await asyncio.sleep(1)  # do not spin on a store that cannot be opened
            if not self.closed and (self.current is None or self.current.overdue):
                self._replace()
            return
        if self.closed:
            self._stop(worker)
            return
        old = self.current
        self._make_current(worker)
        if old is not None:
            old.retiring = True
            self.retired.add(old)
            old.retire_if_idle()

    def _make_current(self, worker: Worker) -> None:
        self.current = worker
        self.ready.set()
        self._background(self._follow(worker))

    async def _follow(self, worker: Worker) -> None:
        """Read the worker's replies; when it ends, reap it and replace it if it was current."""
        try:
            await worker.read_replies()
        finally:
            if worker is self.current:
                self.current = None
                self.ready.clear()
                if not self.closed:
                    self._background(self._log_death(worker))
                    self._replace()
            worker.kill()
            self.retired.discard(worker)
        await worker.reap()

    async def _log_death(self, worker: Worker) -> None:
        log.error("%s (exit status %s)", await self._died_message(worker), worker.process.poll())

    async def _spawn(self) -> Worker | None:
        """A started worker that has opened the store, or None (logged) if it failed."""
        if self.closed:
            return None
        worker = await Worker.start(self.config)
        try:
            await asyncio.wait_for(worker.answer(), START_SECONDS)
        except (TimeoutError, EOFError):
            log.error("a query worker failed to start (exit code %s)", worker.process.poll())
            self._stop(worker)
            return None
        except BaseException:  # cancelled (the server stops): the process must not outlive it
            worker.kill()
            # Reaped here, not in the background: a cancelled task cannot start another, and
            # a SIGKILLed process is gone in milliseconds.
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(5)
            raise
        return worker

    def _stop(self, worker: Worker) -> None:
        worker.kill()
        self._background(worker.reap())

    def _background(self, job: object) -> None:
        assert asyncio.iscoroutine(job)
        task = asyncio.get_running_loop().create_task(job)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


CRASHES = frozenset({signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE})
"""Signals a process gets from its own fault, not from outside."""


def death(status: int | None, memory_limit_mb: int, fault: str | None = None) -> str:
    """What the clients of a worker that died holding their queries are told, from its exit
    `status` (`Popen.returncode`; None: it did not end) or the `fault` the pool stopped it for.

    The worker caps its address space (RLIMIT_AS): an allocation past the cap fails, and
    Oxigraph, in Rust, aborts the process when an allocation fails ("memory allocation of N
    bytes failed", then SIGABRT); a MemoryError in Python is answered as a failed query and the
    worker goes on. So SIGABRT is the memory limit, most likely, and other ends are not: the
    pool never SIGKILLs a worker whose queries are still awaited, so a SIGKILL came from outside
    (an operator, or the kernel's out-of-memory killer when the machine ran out, not the worker).
    """
    if fault is not None:
        return f"the query worker died: {fault}: try again"
    if status is None:
        return "the query worker died: it stopped answering: try again"
    if status >= 0:
        return f"the query worker died: it exited with code {status}: try again"
    number = -status
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    if number == signal.SIGABRT:
        return (
            f"the query worker died, most likely over its memory limit ({memory_limit_mb} MB):"
            f" it aborted ({name}), as it does when memory runs out: simplify the query"
        )
    if number == signal.SIGKILL:
        return (
            f"the query worker died: it was killed ({name}) from outside the server, by an"
            " operator or the system's out-of-memory killer: try again"
        )
    if number in CRASHES:
        return f"the query worker died: it crashed ({name}): try again"
    return f"the query worker died: it was stopped by {name} from outside the server: try again"


class _DeadlinePassedError(Exception):
    """Set on a query's reply future when its deadline passes first."""
