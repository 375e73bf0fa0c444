"""Read replicas behind a load balancer, on loopback (#11 point 5; README "When one machine is
not enough").

Topology, as the README documents it: per release one *replica set*, here two replicas, each an
`oxigraph serve-read-only` over its own copy of a data directory the release was published into
(a writable `oxigraph serve` on that directory, `publish_content` as `kg build --store-url`
runs it, then stopped), and a stateless `kg serve --store-url` in front of it (inline engine, no
answer cache, so the health check reaches the store). HAProxy (Debian's package, unpacked by
`make haproxy`, from a private config on 127.0.0.1) balances round-robin over the live set, with
an HTTP health check through `kg serve` to the store every 200 ms.

The release switch is blue/green (strategy C of the reference, the only one for read-only
replicas): HAProxy has a `blue` and a `green` backend and routes every request to the one a map
entry names (`use_backend %[str(live),map(releases.map)]`). A new set is started beside the
live one, its servers are given their addresses and made ready through HAProxy's runtime API,
checked up and serving the new release, then one `set map` sends every request that arrives
after it to the new set; the old set is put in maintenance, drained and stopped.

A request a dying replica fails is sent again to the other one: `retries 3`, `option
redispatch 1` and `retry-on conn-failure empty-response junk-response 503` (refused connections
to a dead `kg serve`, an answer cut short by its death, a 503 from one whose store is gone). So
no request fails at all, before the balancer notices as after; it notices when two health
checks in a row fail (`fall 2`, `inter 200ms`: well under a second here), marks the replica
DOWN, and from then on sends it nothing. The tests kill under steady traffic (mostly between
requests) and, apart, while each replica is in the middle of a slow answer.

Every process is started on free ports and stopped by its PID; every wait is bounded.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from engines import free_port, start_oxigraph, stop
from kg import release
from kg.config import Settings
from kg.remote.client import RemoteStore
from kg.remote.publish import Content, publish_content

KG = str(Path(sys.executable).parent / "kg")
ROOT = Path(__file__).resolve().parents[2]
HAPROXY_ROOT = Path(os.environ.get("KG_TEST_HAPROXY_ROOT", ROOT / ".haproxy" / "root"))
HAPROXY = HAPROXY_ROOT / "usr" / "sbin" / "haproxy"
HAPROXY_LIBS = ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu")
QUERY = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
_VALUES = " ".join(str(i) for i in range(150))
SLOW = (
    f"SELECT (COUNT(*) AS ?n) {{ VALUES ?a {{ {_VALUES} }} VALUES ?b {{ {_VALUES} }}"
    f" VALUES ?c {{ {_VALUES} }} FILTER(?a + ?b > ?c) }}"
)
"""About half a second of Oxigraph's time, whatever the data: a query still running at a kill."""
CHECK_INTERVAL = 0.2
"""Seconds between two health checks of one server (HAProxy's `inter`)."""
COLOURS = ("blue", "green")
SERVERS = ("r1", "r2")

CONFIG = """\
global
    log stdout format raw local0 info
    stats socket {socket} mode 600 level admin
    hard-stop-after 5s

defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 1s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response junk-response 503
    default-server check inter {inter}ms fall 2 rise 2

frontend sparql
    bind 127.0.0.1:{port}
    use_backend %[str(live),map({map})]
    default_backend blue
    http-response set-header X-Replica %[be_name]/%[srv_name]
{backends}"""

BACKEND = """
backend {colour}
    balance roundrobin
    option httpchk
    http-check send meth GET uri /sparql?query=ASK%7B%7D
    http-check expect status 200
{servers}"""


class Balancer:
    """HAProxy from its private config, with its runtime API on a Unix socket of its own."""

    def __init__(self, directory: Path) -> None:
        if not HAPROXY.is_file():
            pytest.fail(f"no HAProxy at {HAPROXY}: run `make haproxy` (Debian's package, unpacked)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.private = Path(tempfile.mkdtemp(prefix="kg-haproxy-"))  # a short socket path
        self.socket = self.private / "admin.sock"
        self.map = directory / "releases.map"
        self.map.write_text("live blue\n", encoding="utf-8")
        backends = "".join(
            BACKEND.format(
                colour=colour,
                # placeholders in maintenance: `deploy` gives them their addresses
                servers="".join(f"    server {name} 127.0.0.1:9 disabled\n" for name in SERVERS),
            )
            for colour in COLOURS
        )
        config = directory / "haproxy.cfg"
        config.write_text(
            CONFIG.format(
                socket=self.socket,
                inter=int(CHECK_INTERVAL * 1000),
                port=self.port,
                map=self.map,
                backends=backends,
            ),
            encoding="utf-8",
        )
        self.log = directory / "haproxy.log"
        libraries = ":".join(str(HAPROXY_ROOT / path) for path in HAPROXY_LIBS)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(HAPROXY), "-db", "-f", str(config)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "LD_LIBRARY_PATH": libraries},
            )
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"HAProxy did not start:\n{self.log_text()}")
            time.sleep(0.05)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def command(self, line: str) -> str:
        """One command of the runtime API; its answer."""
        with socket.socket(socket.AF_UNIX) as admin:
            admin.settimeout(5)
            admin.connect(str(self.socket))
            admin.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := admin.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def states(self, colour: str) -> dict[str, str]:
        """Each server of backend `colour`: its status (UP, DOWN, MAINT...)."""
        text = self.command("show stat").removeprefix("# ")
        return {
            row["svname"]: row["status"]
            for row in csv.DictReader(text.splitlines())
            if row["pxname"] == colour and row["svname"] in SERVERS
        }

    def wait_for(self, colour: str, expected: dict[str, str], seconds: float = 10) -> float:
        """Wait until the servers of `colour` have the statuses `expected`; seconds waited."""
        start = time.monotonic()
        while (found := self.states(colour)) != {**found, **expected}:
            if time.monotonic() - start > seconds:
                raise AssertionError(f"{colour}: {found}, not {expected}:\n{self.log_text()}")
            time.sleep(0.02)
        return time.monotonic() - start

    def close(self) -> None:
        stop(self.process)
        shutil.rmtree(self.private, ignore_errors=True)


@dataclass
class Replica:
    """A read-only Oxigraph server and the `kg serve --store-url` in front of it."""

    store_url: str
    oxigraph: subprocess.Popen[bytes]
    url: str = ""
    serve: subprocess.Popen[bytes] | None = None
    log: Path = field(default_factory=Path)

    def stop(self) -> None:
        if self.serve is not None:
            stop(self.serve)
        stop(self.oxigraph)


def load_release(directory: Path, content: Content) -> Path:
    """An Oxigraph data directory holding `content`: published to a writable server on it, as
    `kg build --store-url` does, and the server stopped."""
    directory.mkdir()
    data = directory / "loaded"
    url, process = start_oxigraph(directory, location=data)
    try:
        with RemoteStore.of(Settings(store_url=url, store_profile="oxigraph")) as remote:
            publish_content(content, remote, None)
    finally:
        stop(process)
    return data


def start_replica(directory: Path, data: Path, store: Path) -> Replica:
    """A copy of `data` served read-only, and `kg serve --store-url` in front of it with the
    release's files from `store`."""
    directory.mkdir()
    copy = shutil.copytree(data, directory / "data")
    store_url, oxigraph = start_oxigraph(directory, read_only=True, location=copy)
    replica = Replica(store_url, oxigraph, log=directory / "serve.log")
    port = free_port()
    replica.url = f"http://127.0.0.1:{port}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    command = [KG, "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store)]
    command += ["--root", str(ROOT), "--store-url", store_url, "--cache-mb", "0"]
    with replica.log.open("wb") as out:
        replica.serve = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**environment, "KG_ENGINE": "inline", "KG_STORE_PROFILE": "oxigraph"},
        )
    deadline = time.monotonic() + 60
    while True:
        if replica.serve.poll() is not None or time.monotonic() > deadline:
            replica.stop()
            raise RuntimeError(f"kg serve did not answer:\n{replica.log.read_text()}")
        try:
            if httpx.get(f"{replica.url}/sparql", timeout=2).status_code == 200:
                return replica
        except httpx.TransportError:
            time.sleep(0.1)


class Topology:
    """A balancer and the replica sets it routes to, by colour; stops them all."""

    def __init__(self, directory: Path, loaded: Callable[[Content], Path]) -> None:
        self.directory = directory
        self.loaded = loaded
        self.balancer = Balancer(directory)
        self.sets: dict[str, list[Replica]] = {}

    def deploy(self, colour: str, made: release.Release) -> list[Replica]:
        """Start the replica set `colour` with release `made` and put it in the balancer's
        backend `colour` (not yet live unless that backend is); wait until it is UP. Its
        replicas start side by side, each on its own copy of the release's data directory."""
        store = self.directory / f"store-{colour}"
        release.write(made, store)
        data = self.loaded(Content.of_release(made))
        with ThreadPoolExecutor(len(SERVERS)) as pool:
            starting = [
                pool.submit(start_replica, self.directory / f"{colour}-{name}", data, store)
                for name in SERVERS
            ]
        replicas = self.sets[colour] = [f.result() for f in starting if not f.exception()]
        for future in starting:  # the started ones are in `sets`, so `close` stops them
            future.result()
        for name, replica in zip(SERVERS, replicas, strict=True):
            port = replica.url.rsplit(":", 1)[1]
            self.balancer.command(f"set server {colour}/{name} addr 127.0.0.1 port {port}")
            self.balancer.command(f"set server {colour}/{name} state ready")
        self.balancer.wait_for(colour, dict.fromkeys(SERVERS, "UP"))
        return replicas

    def switch(self, colour: str) -> None:
        """Send every request that arrives from now on to the set `colour`."""
        answer = self.balancer.command(f"set map {self.balancer.map} live {colour}")
        assert answer.strip() == "", answer

    def retire(self, colour: str) -> None:
        """Put the set `colour` in maintenance, let its requests finish, stop it."""
        for name in SERVERS:
            self.balancer.command(f"set server {colour}/{name} state maint")
        self.balancer.wait_for(colour, dict.fromkeys(SERVERS, "MAINT"))
        deadline = time.monotonic() + 10
        while any(int(row) for row in self.sessions(colour)) and time.monotonic() < deadline:
            time.sleep(0.02)
        for replica in self.sets.pop(colour):
            replica.stop()

    def sessions(self, colour: str) -> list[str]:
        text = self.balancer.command("show stat").removeprefix("# ")
        rows = csv.DictReader(text.splitlines())
        return [row["scur"] for row in rows if row["pxname"] == colour and row["svname"] in SERVERS]

    def close(self) -> None:
        for replicas in self.sets.values():
            for replica in replicas:
                replica.stop()
        self.balancer.close()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Content], Path]:
    """`load_release`, once per release for the module: replicas only read copies of it."""
    directories: dict[str, Path] = {}
    parent = tmp_path_factory.mktemp("loaded")

    def load(content: Content) -> Path:
        key = content.content_hash
        if key not in directories:
            directories[key] = load_release(parent / f"release-{len(directories)}", content)
        return directories[key]

    return load


@pytest.fixture
def topology(
    tmp_path: Path, release_a: release.Release, loaded: Callable[[Content], Path]
) -> Iterator[Topology]:
    """HAProxy with the blue set live, holding release A."""
    running = Topology(tmp_path, loaded)
    try:
        running.deploy("blue", release_a)
        yield running
    finally:
        running.close()


@dataclass
class Answer:
    start: float
    end: float
    status: int | str  # the HTTP status, or the transport error's name
    content_hash: str = ""
    replica: str = ""
    count: str = ""


class Traffic:
    """A thread sending QUERY through the balancer, one request after another, until stopped;
    every answer kept."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: list[Answer] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def __enter__(self) -> Traffic:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join(timeout=30)

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as http:
            while not self.done.is_set():
                start = time.monotonic()
                try:
                    response = http.get("/sparql", params={"query": QUERY})
                except httpx.HTTPError as error:
                    self.answers.append(Answer(start, time.monotonic(), type(error).__name__))
                    continue
                count = ""
                if response.status_code == 200:
                    count = response.json()["results"]["bindings"][0]["n"]["value"]
                self.answers.append(
                    Answer(
                        start,
                        time.monotonic(),
                        response.status_code,
                        response.headers.get("x-kg-content-hash", ""),
                        response.headers.get("x-replica", ""),
                        count,
                    )
                )

    def wait_for(self, answers: int, seconds: float = 20) -> None:
        """Wait until `answers` more answers came."""
        target = len(self.answers) + answers
        deadline = time.monotonic() + seconds
        while len(self.answers) < target:
            assert time.monotonic() < deadline, "the traffic stalled"
            assert self.thread.is_alive(), "the traffic thread died"
            time.sleep(0.01)

    def failures(self) -> list[Answer]:
        return [answer for answer in self.answers if answer.status != 200]


def test_replicas_answer_with_the_same_etag_and_content_hash(
    topology: Topology, release_a: release.Release
) -> None:
    heads = []
    for replica in topology.sets["blue"]:
        response = httpx.get(f"{replica.url}/sparql", params={"query": QUERY}, timeout=10)
        assert response.status_code == 200, response.text
        heads.append((response.headers["etag"], response.headers["x-kg-content-hash"]))
    assert heads[0] == heads[1]
    assert heads[0][1] == Content.of_release(release_a).content_hash
    # through the balancer: both replicas take turns, and answer alike
    through = set()
    with httpx.Client(base_url=topology.balancer.url, timeout=10) as http:
        for _ in range(4):
            response = http.get("/sparql", params={"query": QUERY})
            assert response.status_code == 200, response.text
            through.add(
                (
                    response.headers["x-replica"],
                    response.headers["etag"],
                    response.headers["x-kg-content-hash"],
                )
            )
    assert {replica for replica, _, _ in through} == {"blue/r1", "blue/r2"}
    assert {(etag, digest) for _, etag, digest in through} == {heads[0]}


def test_blue_green_switch_under_traffic_fails_no_request(
    topology: Topology, release_a: release.Release, release_b: release.Release
) -> None:
    blue = Content.of_release(release_a).content_hash
    green = Content.of_release(release_b).content_hash
    assert blue != green
    with Traffic(topology.balancer.url) as traffic:
        traffic.wait_for(20)
        topology.deploy("green", release_b)  # beside blue, under traffic
        for replica in topology.sets["green"]:  # the deployer's check: the new release is served
            response = httpx.get(f"{replica.url}/sparql", params={"query": "ASK {}"}, timeout=10)
            assert response.headers["x-kg-content-hash"] == green
        switching = time.monotonic()
        topology.switch("green")
        switched = time.monotonic()
        traffic.wait_for(20)
        topology.retire("blue")
        traffic.wait_for(20)
    assert traffic.failures() == []
    before = [answer for answer in traffic.answers if answer.end < switching]
    after = [answer for answer in traffic.answers if answer.start > switched]
    assert before and after
    assert {answer.content_hash for answer in before} == {blue}
    assert {answer.content_hash for answer in after} == {green}
    assert {answer.replica for answer in after} == {"green/r1", "green/r2"}
    # each answer is the release its headers name: one count per release
    counts = {(answer.content_hash, answer.count) for answer in traffic.answers}
    assert len(counts) == 2, counts


@pytest.mark.parametrize("part", ["serve", "oxigraph"])
def test_a_replica_killed_under_traffic_fails_no_request(topology: Topology, part: str) -> None:
    victim = topology.sets["blue"][0]
    process = victim.serve if part == "serve" else victim.oxigraph
    assert process is not None
    with Traffic(topology.balancer.url) as traffic:
        traffic.wait_for(20)
        killed = time.monotonic()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        topology.balancer.wait_for("blue", {"r1": "DOWN"})
        noticed = time.monotonic()
        traffic.wait_for(20)
    # retried on the other replica: no failure, not even while the balancer had not noticed
    assert traffic.failures() == []
    after = [answer for answer in traffic.answers if answer.start > noticed]
    assert after
    assert {answer.replica for answer in after} == {"blue/r2"}
    assert noticed - killed < 10 * CHECK_INTERVAL + 1


def test_a_replica_killed_mid_answer_is_retried_on_the_other(topology: Topology) -> None:
    """The kill lands while each replica is answering a slow query: the one cut short is sent
    again to the other replica (`retry-on empty-response`), and both get their answer."""
    answers: list[tuple[int, str]] = []

    def ask() -> None:
        with httpx.Client(base_url=topology.balancer.url, timeout=30) as http:
            response = http.get("/sparql", params={"query": SLOW})
            answers.append((response.status_code, response.headers.get("x-replica", "")))

    askers = [threading.Thread(target=ask) for _ in range(2)]
    for asker in askers:
        asker.start()
    deadline = time.monotonic() + 10
    while topology.sessions("blue") != ["1", "1"]:  # one query on each replica, round-robin
        assert time.monotonic() < deadline, topology.sessions("blue")
        time.sleep(0.01)
    victim = topology.sets["blue"][0].serve
    assert victim is not None
    os.kill(victim.pid, signal.SIGKILL)
    for asker in askers:
        asker.join(timeout=30)
    assert answers == [(200, "blue/r2"), (200, "blue/r2")], topology.balancer.log_text()
