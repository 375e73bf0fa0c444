"""Real servers for the web tests: `kg serve` in a subprocess on 127.0.0.1, over the built store.

Clients are real HTTP clients (httpx, SPARQLWrapper); nothing of ours is mocked. The default
server is shared by the session; `strict_server` has a short time limit and small caps for the
abuse tests. Every server stops at the end of its scope.

Servers run queries on the in-process engine (KG_ENGINE=inline: no worker process to start),
but for the tests that are about the worker process: `strict_server` (runaway queries are
killed) and `launch_with_worker` (the memory cap, the worker's own settings).

`remote_server` and `launch_remote_for_module` run `kg serve --store-url` in front of Oxigraph
server (from the `oxigraph` package, `tests/engines.py`) loaded with the store's release, for
the tests that hold the remote engine to what users see of the embedded one.
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

from engines import start_oxigraph, stop
from kg.config import Settings
from kg.remote.client import RemoteStore
from kg.remote.publish import Content, publish_content
from kg.remote.record import read_record

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
def own_store(small_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of `small_store` (dumps included) that this module's tests may edit: the edit
    tests are about the protocols, and an edit of the small project is made in a tenth of
    a second."""
    path = tmp_path_factory.mktemp("own") / "store"
    shutil.copytree(small_store, path)
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


# `kg serve` in front of a remote store (`kg serve --store-url`, kg.engine.remote): Oxigraph
# server, loaded with a store's release as `kg load --store-url` publishes it.


def publish_store(url: str, store: Path) -> None:
    """Publish the release of the local store `store` to the Oxigraph server at `url`."""
    settings = Settings(store_url=url, store_profile="oxigraph")
    with RemoteStore.of(settings) as remote:
        live = read_record(remote)
        publish_content(Content.of_store(store), remote, live.content_hash if live else None)


REMOTE_ENV = {"KG_STORE_PROFILE": "oxigraph", "KG_STORE_RECORD_INTERVAL": "0.2"}
"""What a server in front of Oxigraph server is given beside --store-url."""


@pytest.fixture(scope="session")
def oxigraph_release(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query URL of an Oxigraph server holding the project's release (`built_store`'s),
    one per session (per xdist worker). Read only: edits get a server of their own."""
    url, process = start_oxigraph(tmp_path_factory.mktemp("oxigraph-web"))
    publish_store(url, built_store)
    yield url
    stop(process)


@pytest.fixture(scope="session")
def remote_server(
    built_store: Path, oxigraph_release: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """`server`, with its queries answered by Oxigraph server: the same options, and the
    release's files (pages, dumps, docs) from `built_store`."""
    log = tmp_path_factory.mktemp("remote-server") / "serve.log"
    running = start_server(
        built_store,
        log,
        *("--admin-token", "s3cret-admin-token", "--store-url", oxigraph_release),
        env={"KG_WORKERS": "2", "KG_MAX_RESULTS": "500", **REMOTE_ENV},
    )
    yield running
    stop_server(running)


class RemoteLauncher(Launcher):
    """Starts servers each in front of an Oxigraph server of its own, loaded with the release
    of the store it is given; stops both."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.engines: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []

    def __call__(self, store: Path, *options: str, env: dict[str, str] | None = None) -> Server:
        directory = self.directory / f"oxigraph-{len(self.engines)}"
        directory.mkdir()
        url, process = start_oxigraph(directory)
        self.engines.append(process)
        self.urls.append(url)
        publish_store(url, store)
        return super().__call__(
            store, *options, "--store-url", url, env={**REMOTE_ENV, **(env or {})}
        )

    def stop_all(self) -> None:
        super().stop_all()
        for process in self.engines:
            stop(process)


@pytest.fixture(scope="module")
def launch_remote_for_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    """Start servers shared by one test module, each in front of an Oxigraph server of its
    own (for tests that edit the store)."""
    directory = tmp_path_factory.mktemp("remote-servers")
    launcher = RemoteLauncher(directory)
    yield launcher
    launcher.stop_all()
