"""Real servers for the web tests: `kg serve` in a subprocess on 127.0.0.1, over the built store.

Clients are real HTTP clients (httpx, SPARQLWrapper); nothing of ours is mocked. The default
server is shared by the session; `strict_server` has a short time limit and small caps for the
abuse tests. Every server stops at the end of its scope.

Servers run queries on the in-process engine (KG_ENGINE=inline: no worker process to start),
but for the tests that are about the worker process: `strict_server` (runaway queries are
killed) and `launch_with_worker` (the memory cap, the worker's own settings).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

KG = str(Path(sys.executable).parent / "kg")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    """A running `kg serve`: its base URL, its log file, its process."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def endpoint(self) -> str:
        return f"{self.url}/sparql"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    store: Path,
    log: Path,
    *options: str,
    env: dict[str, str] | None = None,
    engine: str = "inline",
) -> Server:
    """Start `kg serve` and wait until it answers; the caller stops it with `stop_server`.

    Args:
        engine: `Settings.engine`: "inline" (no worker process) or "process".
    """
    port = free_port()
    command = [KG, "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store)]
    command += ["--root", str(ROOT)]  # the UI reads queries/ and node_modules/ from the project
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, *options],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**environment, "KG_ENGINE": engine, **(env or {})},
        )
    server = Server(f"http://127.0.0.1:{port}", log, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kg serve exited {process.returncode}:\n{server.log_text()}")
        try:
            if httpx.get(server.endpoint, timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"kg serve did not answer in time:\n{server.log_text()}")


def stop_server(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def reported_store(built_store: Path) -> Path:
    """The project's store with its validation report: `built_store`, made as `kg build`
    makes it (the name stays for the tests that are about the report). Read only."""
    return built_store


@pytest.fixture(scope="module")
def own_store(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of `built_store` (dumps included) that this module's tests may edit."""
    path = tmp_path_factory.mktemp("own") / "store"
    shutil.copytree(built_store, path)
    return path


@pytest.fixture(scope="session")
def server(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The endpoint as `make serve` runs it, with an admin token (so updates are enabled), two
    query workers; two settings come from KG_*."""
    log = tmp_path_factory.mktemp("server") / "serve.log"
    running = start_server(
        built_store,
        log,
        "--admin-token",
        "s3cret-admin-token",
        env={"KG_WORKERS": "2", "KG_MAX_RESULTS": "500"},
    )
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def strict_server(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Short time limit and small caps, for the abuse tests; no answer cache, no admin token."""
    log = tmp_path_factory.mktemp("strict") / "serve.log"
    running = start_server(
        built_store,
        log,
        *("--workers", "2", "--timeout", "2", "--max-results", "5"),
        *("--max-query-length", "2000", "--max-body-bytes", "4000", "--cache-mb", "0"),
        engine="process",  # a runaway query must be killed, not left running
    )
    yield running
    stop_server(running)


class Launcher:
    """Starts servers on demand and stops them all when its fixture's scope ends."""

    def __init__(self, directory: Path, engine: str = "inline") -> None:
        self.directory = directory
        self.engine = engine
        self.servers: list[Server] = []

    def __call__(self, store: Path, *options: str, env: dict[str, str] | None = None) -> Server:
        log = self.directory / f"serve-{len(self.servers)}.log"
        self.servers.append(start_server(store, log, *options, env=env, engine=self.engine))
        return self.servers[-1]

    def stop_all(self) -> None:
        for running in self.servers:
            stop_server(running)


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Launcher]:
    """Start a server of one's own (stopped after the test)."""
    launcher = Launcher(tmp_path)
    yield launcher
    launcher.stop_all()


@pytest.fixture
def launch_with_worker(tmp_path: Path) -> Iterator[Launcher]:
    """Start a server of one's own whose queries run in a worker process, as in production."""
    launcher = Launcher(tmp_path, engine="process")
    yield launcher
    launcher.stop_all()


@pytest.fixture(scope="module")
def launch_for_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    """Start servers shared by one test module."""
    launcher = Launcher(tmp_path_factory.mktemp("servers"))
    yield launcher
    launcher.stop_all()


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.fixture
def strict_client(strict_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=strict_server.url, timeout=30) as http:
        yield http
