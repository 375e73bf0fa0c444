"""The store's write lock: one writer at a time, and waiting writers served in arrival order.

Every writer takes it: `kg build` and `kg load` (processes of their own) and edits through the
endpoint (threads of the server), so that none replaces a store another has just written.
Plain `flock` gives the lock to whichever waiter happens to poll first after it is freed: one
client sending edits back to back passed ~7 times in a row before another's edit, which then
waited past its limit (issue #10). So writers queue, in files beside the store (the store
itself is renamed on every write and cannot hold them):

- `<store>.lock`: the lock itself, an exclusive `flock` held for the whole write. Its text
  names the holder and its PID, for whoever gives up waiting and for an operator's `cat`.
- `<store>.lock.queue/`: one ticket file per writer waiting or writing, named by its arrival
  number. A writer takes a number, then polls until its ticket is the first one alive, and only
  then takes `<store>.lock`; it removes its ticket once it has released the lock (or given up).
  Taking a number and removing tickets happen under a brief `flock` on the queue directory,
  so two writers never get the same number and nobody reads a ticket being made.

A writer holds a `flock` on its own ticket for as long as it waits or writes. The kernel drops
the locks of a process that ends, however it ends (SIGKILL included), so a ticket whose lock
can be taken belongs to a writer that is gone: whoever sees one removes it, and a waiter or
holder killed in the queue delays the others by one poll at most. Each lock is taken on a file
description of its own, so threads of one process queue among themselves just as processes do.
"""

from __future__ import annotations

import fcntl
import math
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from kg.errors import KGError, UsageError

DEFAULT_WAIT = 120.0
"""Seconds a writer waits for the lock when KG_LOCK_WAIT does not say otherwise."""

WAIT_VARIABLE = "KG_LOCK_WAIT"
"""The environment variable that sets `LOCK_WAIT` for every writer of a process."""

POLL = 0.05
"""Seconds between a waiting writer's looks at the queue. Waiters are served in order
whatever the interval: it only bounds how soon the next one notices its turn."""


GUARD_GRACE = 1.0
"""Seconds a writer may wait for the queue directory's own brief lock, past its own wait."""


class StoreBusyError(KGError):
    """Another writer holds the store's write lock, or a build replaced the store meanwhile."""


def configured_wait(environ: Mapping[str, str] = os.environ) -> float:
    """The wait KG_LOCK_WAIT asks for, in seconds (0: give up at once), or `DEFAULT_WAIT`.

    An operator who runs `kg load` beside a busy server may rather fail fast than wait two
    minutes; a test of the busy path must not wait that long either.

    Raises:
        UsageError: KG_LOCK_WAIT is not a number of seconds, zero or more.
    """
    text = environ.get(WAIT_VARIABLE)
    if text is None or not text.strip():
        return DEFAULT_WAIT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise UsageError(f"{WAIT_VARIABLE}={text!r} must be a number of seconds, zero or more")
    return seconds


def _wait_at_import() -> float:
    """`configured_wait`, or `DEFAULT_WAIT` if KG_LOCK_WAIT is malformed: importing this module
    must not fail; `write_lock` reports the malformed value to the writer instead."""
    try:
        return configured_wait()
    except UsageError:
        return DEFAULT_WAIT


LOCK_WAIT = _wait_at_import()
"""Seconds a writer waits for the store's write lock before it gives up: KG_LOCK_WAIT (read
once, when this module is imported), 120 by default. Edits wait as long as `kg build` and
`kg load`: a writer holds the lock for one validation and one store write."""


@contextmanager
def write_lock(store: Path, holder: str, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the write lock of `store`, after the writers that queued for it before this one.

    The one lock of every writer, in this process or another. `holder` (with the PID) is
    written into the ticket and into `<store>.lock`, so that a writer that gives up can say
    who it waited for.

    Raises:
        StoreBusyError: the lock was not this writer's within `wait` seconds; names the holder.
        UsageError: KG_LOCK_WAIT is malformed (see `configured_wait`).
    """
    configured_wait()  # a malformed value is said at the first write, not silently replaced
    lock = _lock_path(store)
    queue = _queue_path(store)
    queue.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    with _Queue(queue) as line, lock.open("a+b") as handle:
        ticket = line.enter(holder, deadline)
        try:
            while True:
                ahead = line.alive_before(ticket, deadline)
                if not ahead and _try_flock(handle.fileno()):
                    break
                if time.monotonic() >= deadline:
                    raise StoreBusyError(_busy_message(store, ahead, lock))
                time.sleep(POLL)
            try:
                handle.truncate(0)
                handle.write(_signature(holder).encode())
                handle.flush()
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            line.leave(ticket)


def queued(store: Path) -> list[str]:
    """Who holds the write lock of `store` and who waits for it, in the order they are served:
    each as `holder (pid N)`. Tickets of writers that are gone are left out (and removed)."""
    queue = _queue_path(store)
    if not queue.is_dir():
        return []
    with _Queue(queue) as line:
        return [name for _number, name in line.alive_before(None, time.monotonic())]


def _lock_path(store: Path) -> Path:
    return store.with_name(f"{store.name}.lock")


def _queue_path(store: Path) -> Path:
    return store.with_name(f"{store.name}.lock.queue")


def _signature(holder: str) -> str:
    return f"{holder} (pid {os.getpid()})\n"


def _try_flock(fd: int) -> bool:
    """Take an exclusive flock on `fd` if nobody holds one; never wait."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _busy_message(store: Path, ahead: list[tuple[int, str]], lock: Path) -> str:
    """Name the writer this one waited for: the first ticket alive, else (a writer that does
    not queue, such as an older version of this module) whoever `<store>.lock` names."""
    if ahead:
        holder = ahead[0][1]
    else:
        try:
            holder = lock.read_text(encoding="utf-8").strip()
        except OSError:
            holder = ""
    message = f"{store} is being written by {holder or 'another writer'}"
    if len(ahead) > 1:
        message += f", and {len(ahead) - 1} more writer(s) queued before this one"
    return message + ": try again once it is done"


class _Queue:
    """The ticket directory of one store's lock, as one writer sees it.

    Every method runs under the directory's own flock (`_guarded`), held for the few system
    calls it takes, so the tickets are never seen half made.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.fd = -1
        self.tickets: dict[int, int] = {}
        """This writer's tickets (number: descriptor holding its flock): one at a time."""

    def __enter__(self) -> _Queue:
        self.fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        return self

    def __exit__(self, *_exc: object) -> None:
        for fd in self.tickets.values():  # left without `leave`: the ticket is dead, not held
            os.close(fd)
        os.close(self.fd)

    @contextmanager
    def _guarded(self, deadline: float) -> Iterator[None]:
        """Hold the directory's flock, polling briefly: it is only ever held for a few system
        calls, but a writer stopped (SIGSTOP) while holding it must not hold up the others
        past their wait.

        Raises:
            StoreBusyError: not free by `deadline`, nor within `GUARD_GRACE` (a writer whose
                wait is over still gets its look at the queue).
        """
        limit = max(deadline, time.monotonic() + GUARD_GRACE)
        while not _try_flock(self.fd):
            if time.monotonic() >= limit:
                raise StoreBusyError(f"the write queue {self.directory} stayed locked")
            time.sleep(0.001)
        try:
            yield
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def enter(self, holder: str, deadline: float) -> int:
        """Take the next number: a ticket file this writer holds a flock on, naming it."""
        with self._guarded(deadline):
            number = max((n for n, _path in self._tickets()), default=0) + 1
            path = self.directory / f"{number:012d}"
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
            self.tickets[number] = fd  # closed on the way out whatever happens next
            fcntl.flock(fd, fcntl.LOCK_EX)  # a new file nobody else has opened: at once
            os.write(fd, _signature(holder).encode())
        return number

    def leave(self, number: int) -> None:
        """Remove this writer's ticket, then let go of its flock. If the queue stays locked,
        the ticket is only let go of: a ticket nobody holds is removed by the next writer."""
        fd = self.tickets.pop(number)
        try:
            with self._guarded(time.monotonic()):
                (self.directory / f"{number:012d}").unlink(missing_ok=True)
        except StoreBusyError:
            pass
        finally:
            os.close(fd)

    def alive_before(self, number: int | None, deadline: float) -> list[tuple[int, str]]:
        """The tickets ahead of `number` (all, for None) whose writers are alive, first first,
        each with the name it holds; those of writers that are gone are removed.

        Raises:
            StoreBusyError: the queue stayed locked until `deadline`.
        """
        alive: list[tuple[int, str]] = []
        with self._guarded(deadline):
            for other, path in sorted(self._tickets()):
                if number is not None and other >= number:
                    break
                name = self._holder_if_alive(path)
                if name is not None:
                    alive.append((other, name))
        return alive

    def _tickets(self) -> list[tuple[int, Path]]:
        return [(int(p.name), p) for p in self.directory.iterdir() if p.name.isdigit()]

    def _holder_if_alive(self, path: Path) -> str | None:
        """The name in the ticket at `path` if its writer still holds it; else remove it."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        try:
            if _try_flock(fd):  # nobody holds it: its writer is gone
                path.unlink(missing_ok=True)
                return None
            return os.read(fd, 4096).decode("utf-8", "replace").strip() or "another writer"
        finally:
            os.close(fd)
