"""The access log's handler: lines as `logging` would write them, a loop turn's in one write."""

from __future__ import annotations

import asyncio
import io
import logging

from kg.commands.serve import LOG_FORMAT
from kg.web.access_log import ACCESS_LOGGER, LoopBatchHandler, SecondsFormatter, install


class CountingStream(io.StringIO):
    """A text stream that counts the writes it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def record(message: str, created: float) -> logging.LogRecord:
    made = logging.makeLogRecord(
        {"name": "kg.web.access", "levelno": logging.INFO, "levelname": "INFO", "msg": message}
    )
    made.created = created
    made.msecs = (created - int(created)) * 1000
    return made


def test_seconds_formatter_writes_what_logging_writes() -> None:
    ours, theirs = SecondsFormatter(LOG_FORMAT), logging.Formatter(LOG_FORMAT)
    for created in (1_790_000_000.123, 1_790_000_000.987, 1_790_000_001.004, 1_790_000_000.5):
        line = record("GET /sparql 200 1.0ms q=0123456789", created)
        assert ours.format(line) == theirs.format(line)


def test_handler_outside_a_loop_writes_each_line_at_once() -> None:
    stream = CountingStream()
    handler = LoopBatchHandler(stream)
    handler.handle(record("one", 1_790_000_000.0))
    assert stream.getvalue() == "one\n"
    handler.handle(record("two", 1_790_000_000.0))
    assert (stream.getvalue(), stream.writes) == ("one\ntwo\n", 2)


def test_handler_in_a_loop_writes_a_turns_lines_at_its_end_in_one_write() -> None:
    stream = CountingStream()
    handler = LoopBatchHandler(stream)

    async def requests() -> tuple[str, str]:
        for name in ("a", "b", "c"):
            handler.handle(record(name, 1_790_000_000.0))
        during = stream.getvalue()
        await asyncio.sleep(0)  # the turn ends
        return during, stream.getvalue()

    during, after = asyncio.run(requests())
    assert during == ""
    assert (after, stream.writes) == ("a\nb\nc\n", 1)


def test_handler_flush_writes_lines_still_held() -> None:
    stream = CountingStream()
    handler = LoopBatchHandler(stream)

    async def request_then_stop() -> None:
        handler.handle(record("last", 1_790_000_000.0))
        handler.flush()  # as logging.shutdown does when the server exits mid-turn

    asyncio.run(request_then_stop())
    assert stream.getvalue() == "last\n"


def test_install_gives_the_access_log_one_handler_of_its_own() -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    root_stream, stream = CountingStream(), CountingStream()
    root_handler = logging.StreamHandler(root_stream)
    logging.getLogger().addHandler(root_handler)
    try:
        install(LOG_FORMAT, CountingStream())
        install(LOG_FORMAT, stream)  # again, as a second server in one process would
        logger.info("GET /sparql 200 1.0ms q=0123456789")
    finally:
        logging.getLogger().removeHandler(root_handler)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True
    assert stream.getvalue().endswith("INFO kg.web.access: GET /sparql 200 1.0ms q=0123456789\n")
    assert root_stream.getvalue() == ""
