"""The access log's handler: one line per request, the lines of a loop iteration in one write.

Logging a request through `logging` cost about a seventh of the HTTP process's CPU per small
query: a stream write (a system call) per line, `time.strftime` per line, and the caller lookup.
So the `kg.web.access` logger writes to its own handler, which formats the time once a second
and gathers the lines logged during one turn of the event loop into one write at its end (as
nginx's `access_log ... buffer=`, but never held back longer than that turn). Outside a running
loop a line is written at once.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import TextIO

ACCESS_LOGGER = "kg.web.access"


class SecondsFormatter(logging.Formatter):
    """A `logging.Formatter` that computes the date and time once per second, not per line."""

    def __init__(self, fmt: str) -> None:
        super().__init__(fmt)
        self._second = -1
        self._text = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        """`logging`'s default date and time (this formatter is given no `datefmt`)."""
        second = int(record.created)
        if second != self._second:
            self._second = second
            self._text = time.strftime(self.default_time_format, self.converter(record.created))
        return "%s,%03d" % (self._text, record.msecs)  # noqa: UP031 - logging's own format


class LoopBatchHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes the lines emitted during one event-loop turn in one write, at the turn's end."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream if stream is not None else sys.stderr)
        self.lines: list[str] = []
        self.scheduled = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record) + self.terminator)
        except Exception:  # logging's contract: report, never raise
            self.handleError(record)
            return
        if self.scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop in this thread: write now
            self._write()
            return
        self.scheduled = True
        loop.call_soon(self.flush)

    def flush(self) -> None:
        self.acquire()
        try:
            self.scheduled = False
            self._write()
        finally:
            self.release()

    def _write(self) -> None:
        if not self.lines:
            return
        text, self.lines = "".join(self.lines), []
        try:
            self.stream.write(text)
            self.stream.flush()
        except Exception:  # a log that cannot be written must not stop serving
            self.handleError(logging.makeLogRecord({"msg": "access log write failed"}))


def install(fmt: str, stream: TextIO | None = None) -> LoopBatchHandler:
    """Give the access logger its own batching handler (it no longer propagates to the root)."""
    handler = LoopBatchHandler(stream)
    handler.setFormatter(SecondsFormatter(fmt))
    logger = logging.getLogger(ACCESS_LOGGER)
    for old in list(logger.handlers):
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler
