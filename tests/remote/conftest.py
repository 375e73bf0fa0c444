"""Real engines for the remote-store tests: the embedded one, Oxigraph server, Virtuoso.

Oxigraph server comes from the `oxigraph` package (the dev extra, beside pyoxigraph of the same
version); Virtuoso from Debian's packages unpacked by `make virtuoso` into `.virtuoso/` (or
KG_TEST_VIRTUOSO_ROOT). Each server runs on free ports on 127.0.0.1 with its data in a
temporary directory, once per session (per xdist worker), and is stopped by its PID. A missing
engine fails the tests that need it: it is never skipped.

Every test gets the engine cleared of what a test before it published (`store`), so tests stay
independent on a shared server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from engines import free_port, start_oxigraph, stop, wait_until_up
from kg import __version__, release
from kg.build import source_graphs
from kg.config import Settings
from kg.namespaces import BASE
from kg.remote.client import GraphStore, RemoteStore
from kg.remote.embedded import MemoryStore
from kg.remote.publish import Content, drop, publish_content
from kg.remote.record import STAGING, graph_sizes
from kg.sources import load_project

ROOT = Path(__file__).resolve().parents[2]
KG = str(Path(sys.executable).parent / "kg")
DATA = ROOT / "tests" / "data"
VIRTUOSO_ROOT = Path(os.environ.get("KG_TEST_VIRTUOSO_ROOT", ROOT / ".virtuoso" / "root"))
VIRTUOSO_LIBS = ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu")
WRITER = ("kgwriter", "kgsecret")
ENGINES = ("embedded", "oxigraph", "virtuoso")


@dataclass
class Engine:
    """A running engine: the settings `kg` is given to reach it, and its process."""

    name: str
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def settings(self) -> Settings:
        fields = {k.removeprefix("KG_").lower(): v for k, v in self.env.items()}
        return Settings(**fields)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url, process = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield Engine("oxigraph", {"KG_STORE_URL": url, "KG_STORE_PROFILE": "oxigraph"}, process)
    stop(process)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    binary = VIRTUOSO_ROOT / "usr" / "bin" / "virtuoso-t"
    if not binary.is_file():
        pytest.fail(f"no Virtuoso at {binary}: run `make virtuoso` (Debian's packages, unpacked)")
    directory = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    template = (DATA / "remote" / "virtuoso.ini").read_text(encoding="utf-8")
    ini = directory / "virtuoso.ini"
    ini.write_text(template.format(sql_port=sql_port, http_port=http_port), encoding="utf-8")
    libraries = ":".join(str(VIRTUOSO_ROOT / path) for path in VIRTUOSO_LIBS)
    env = {**os.environ, "LD_LIBRARY_PATH": libraries}
    log = directory / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(binary), "+foreground", "+configfile", str(ini)],
            cwd=directory,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{http_port}/sparql"
    wait_until_up(url, process, log, 90)
    user, password = WRITER
    grant = f"DB.DBA.USER_CREATE ('{user}', '{password}');\nGRANT SPARQL_UPDATE TO \"{user}\";\n"
    isql = VIRTUOSO_ROOT / "usr" / "bin" / "isql-vt"
    done = subprocess.run(
        [str(isql), str(sql_port), "dba", "dba"],
        input=grant.encode(),
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0 or b"Error" in done.stdout:
        stop(process)
        raise RuntimeError(f"isql-vt failed:\n{done.stdout.decode()}{done.stderr.decode()}")
    settings = {
        "KG_STORE_URL": url,
        "KG_STORE_PROFILE": "virtuoso",
        "KG_STORE_USER": WRITER[0],
        "KG_STORE_PASSWORD": WRITER[1],
    }
    yield Engine("virtuoso", settings, process)
    stop(process)


@pytest.fixture(scope="session")
def memory_store() -> MemoryStore:
    return MemoryStore()


def clear(store: GraphStore) -> None:
    """Drop every graph a test may have made (ours and staging), never an engine's own."""
    drop(store, [g for g in graph_sizes(store) if g.startswith((BASE, STAGING, "urn:x:"))])


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(engine_name: str, request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """A cleared store of the engine `engine_name` names."""
    if engine_name == "embedded":
        found: GraphStore = request.getfixturevalue("memory_store")
        clear(found)
        yield found
        return
    engine: Engine = request.getfixturevalue(f"{engine_name}_server")
    with RemoteStore.of(engine.settings()) as remote:
        clear(remote)
        yield remote


@pytest.fixture(params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A cleared remote engine, for the command-line tests (the embedded one has no URL)."""
    engine: Engine = request.getfixturevalue(f"{request.param}_server")
    with RemoteStore.of(engine.settings()) as store:
        clear(store)
    yield engine


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def module_remote(request: pytest.FixtureRequest) -> Engine:
    """`remote`, cleared once for a module whose tests only read what it publishes."""
    engine: Engine = request.getfixturevalue(f"{request.param}_server")
    with RemoteStore.of(engine.settings()) as store:
        clear(store)
    return engine


@dataclass
class Served:
    """A `kg serve --store-url` in front of an engine: its endpoint and its release files."""

    endpoint: str
    store: Path
    process: subprocess.Popen[bytes]


ServeInFront = Callable[..., Served]


@pytest.fixture
def serve_in_front(tmp_path: Path) -> Iterator[ServeInFront]:
    """Start `kg serve --store-url` in front of an engine (`start(engine, release, **env)`),
    each stopped by its PID after the test."""
    yield from _serving(tmp_path)


@pytest.fixture(scope="module")
def serve_in_front_of_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeInFront]:
    """`serve_in_front` for a module whose tests only read: each server stopped after the
    module (or when the module's engine parameter changes)."""
    yield from _serving(tmp_path_factory.mktemp("serve"))


def _serving(parent: Path) -> Iterator[ServeInFront]:
    started: list[Served] = []

    def start(engine: Engine, made: release.Release, **env: str) -> Served:
        directory = parent / f"serve-{len(started)}"
        directory.mkdir()
        started.append(_serve(engine, made, directory, env))
        return started[-1]

    yield start
    for served in started:
        stop(served.process)


def _serve(engine: Engine, made: release.Release, directory: Path, env: dict[str, str]) -> Served:
    store = directory / "store"
    release.write(made, store)
    with RemoteStore.of(engine.settings()) as target:
        publish_content(Content.of_release(made), target, None)
    port = free_port()
    log = directory / "serve.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    command = [KG, "serve", "--port", str(port), "--store", str(store), "--root", str(ROOT)]
    variables = {**environment, **engine.env, "KG_ENGINE": "inline", "KG_WORKERS": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**variables, **env}
        )
    endpoint = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"kg serve did not answer:\n{log.read_text()}")
        try:
            if httpx.get(endpoint, timeout=2).status_code == 200:
                return Served(endpoint, store, process)
        except httpx.TransportError:
            time.sleep(0.1)


def make_release(project: Path) -> release.Release:
    sources = source_graphs(load_project(project))
    return release.make(sources, __version__, Settings(root=project).base_iri)


@pytest.fixture(scope="session")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copytree(DATA / "build" / "project", tmp_path_factory.mktemp("a") / "p"))


@pytest.fixture(scope="session")
def project_b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project with one linkset more: another release, with a graph A lacks."""
    project = Path(shutil.copytree(DATA / "build" / "project", tmp_path_factory.mktemp("b") / "p"))
    (project / "data" / "links" / "other.ttl").write_text(
        "<https://w3id.org/partage/id/org-alpha> <http://www.w3.org/2002/07/owl#sameAs>"
        " <http://www.wikidata.org/entity/Q3> .\n",
        encoding="utf-8",
    )
    return project


@pytest.fixture(scope="session")
def release_a(project_copy: Path) -> release.Release:
    return make_release(project_copy)


@pytest.fixture(scope="session")
def release_b(project_b: Path) -> release.Release:
    return make_release(project_b)


@pytest.fixture(scope="session")
def content_a(release_a: release.Release) -> Content:
    return Content.of_release(release_a)


@pytest.fixture(scope="session")
def content_b(release_b: release.Release) -> Content:
    return Content.of_release(release_b)
