"""Oxigraph server for tests: started on a free port of 127.0.0.1, stopped by its PID.

Shared by the remote-store tests (`tests/remote`) and the web tests that run `kg serve` in front
of a remote store (`tests/web`). The server comes from the `oxigraph` package of the dev extra
(same version as pyoxigraph); a missing one fails the tests, it is never skipped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    """Wait until `url` answers `ASK {}`; stop the process and raise if it does not in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the engine exited {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    stop(process)
    raise RuntimeError(f"{url} did not answer within {seconds} s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop one server we started, by its PID."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def start_oxigraph(
    directory: Path, *, read_only: bool = False, location: Path | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    """`oxigraph serve` (or `serve-read-only`) with its data in `location` (default
    `directory`/data); (query endpoint URL, process). The caller stops it with `stop`."""
    if not OXIGRAPH.is_file():
        pytest.fail(f"no Oxigraph server at {OXIGRAPH}: pip install -e '.[dev]' installs it")
    port = free_port()
    log = directory / f"oxigraph-{port}.log"
    command = "serve-read-only" if read_only else "serve"
    data = location or directory / "data"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(OXIGRAPH), command, "--location", str(data), "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/query"
    wait_until_up(url, process, log, 30)
    return url, process
