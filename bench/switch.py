"""Time from a release switch until every replica serves it (#11 point 7), for bench/remote.py.

Two switches, as the README's "When one machine is not enough" runs them:

* **blue/green** (read replicas): HAProxy routes to the set a map entry names; each colour is
  two replicas, each an `oxigraph serve-read-only` over its own copy of a data directory the
  release was published into, with a `kg serve --store-url` in front. The green set is started
  and checked beside the live blue one, then `set map … live green` on HAProxy's runtime API
  switches; the balancer is then polled, one request after another, until each green replica
  (HAProxy names it in `X-Replica`) has answered with the new release's `X-KG-Release` and
  `X-KG-Content-Hash`.
  Then back to blue, and so on: `repeat` switches.
* **one store** (two `kg serve --store-url` in front of one writable `oxigraph serve`): a new
  release is published there (`kg.remote.publish`: stage, then the swap that writes the release
  record), and each `kg serve` is polled until it names it; they look at the record every
  `store_record_interval` (1 s), so this is up to that interval.

Both are timed from the switch command's start and from its return, to the poll answer that
completed the set. HAProxy comes from `make haproxy` (Debian's package, unpacked).
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import servers

from kg.config import Settings as KgSettings
from kg.remote.client import RemoteStore
from kg.remote.publish import Content, publish_content, stage, swap

HAPROXY_ROOT = servers.ROOT / ".haproxy" / "root"
HAPROXY_LIBS = ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu")
REPLICAS = ("r1", "r2")
PROBE = {"query": "ASK {}"}
POLL = 0.005
"""Seconds between two polls of a `kg serve` still naming the old release (one store: it
looks at the record every second, so polls without a pause would only load the machine)."""
CONFIG = """\
global
    stats socket {socket} mode 600 level admin
    hard-stop-after 5s
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 1s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response junk-response 503
    default-server check inter 200ms fall 2 rise 2
frontend sparql
    bind 127.0.0.1:{port}
    use_backend %[str(live),map({map})]
    default_backend blue
    http-response set-header X-Replica %[srv_name]
"""
BACKEND = """\
backend {colour}
    balance roundrobin
    option httpchk
    http-check send meth GET uri /sparql?query=ASK%7B%7D
    http-check expect status 200
{servers}"""


@dataclass
class Switched:
    """Seconds from each switch's start and from its return until every replica served it."""

    kind: str
    from_start: list[float]
    from_return: list[float]
    old_after_return: int
    """Answers naming the old release among those asked after the switch returned."""

    def summary(self) -> str:
        return (
            f"{self.kind}: median {1000 * statistics.median(self.from_return):.1f} ms from the "
            f"return, max {1000 * max(self.from_return):.1f} ms"
        )


def until_served(
    ask: Callable[[], httpx.Response],
    expected: Content,
    replicas: set[str],
    pause: float = 0.0,
    timeout: float = 30,
) -> tuple[float, int]:
    """Poll `ask` (every `pause` seconds at least) until each of `replicas` answered with
    release `expected` (its `X-KG-Release` and `X-KG-Content-Hash`); (the monotonic time of the
    completing answer, answers naming another release meanwhile)."""
    label = (expected.version, expected.content_hash)
    seen: set[str] = set()
    stale = 0
    deadline = time.monotonic() + timeout
    while seen != replicas:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {sorted(seen)} of {sorted(replicas)} serve {label}")
        answer = ask()
        named = (answer.headers.get("x-kg-release"), answer.headers.get("x-kg-content-hash"))
        if answer.status_code == 200 and named == label:
            seen.add(answer.headers.get("x-replica", "one"))
        else:
            stale += 1
            time.sleep(pause)
    return time.monotonic(), stale


def kg_serve(tools: servers.Tools, store_url: str, files: Path, log: Path) -> servers.Running:
    """`kg serve --store-url` (cache off) in front of `store_url`, answering."""
    files.mkdir(parents=True, exist_ok=True)  # no pages or dumps: only /sparql is asked
    options = ["--store", str(files), "--store-url", store_url, "--cache-mb", "0"]
    return servers.kg_serve(tools, log, options, {"KG_STORE_PROFILE": "oxigraph"})


def oxigraph(
    tools: servers.Tools, location: Path, read_only: bool, timeout: float = 60
) -> servers.Running:
    """`oxigraph serve` (or `serve-read-only`) on `location`, in a process group of its own,
    answering within `timeout` seconds."""
    port = servers.free_port()
    command = "serve-read-only" if read_only else "serve"
    argv = [str(tools.oxigraph), command, "--location", str(location)]
    log = location.parent / f"{location.name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*argv, "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = servers.Running("oxigraph", process, f"http://127.0.0.1:{port}/query", log)
    servers.wait_ready(running, timeout)
    return running


def publish(running: servers.Running, content: Content, live: str | None) -> None:
    settings = KgSettings(store_url=running.url, store_profile="oxigraph", store_timeout=300)
    with RemoteStore.of(settings) as remote:
        publish_content(content, remote, live)


@contextmanager
def started(running: servers.Running) -> Iterator[servers.Running]:
    try:
        yield running
    finally:
        servers.stop(running)


class Balancer:
    """HAProxy from a private config, blue live; its runtime API on a Unix socket."""

    def __init__(self, directory: Path) -> None:
        binary = HAPROXY_ROOT / "usr" / "sbin" / "haproxy"
        if not binary.is_file():
            raise servers.ServerError(f"no HAProxy at {binary}: run `make haproxy`")
        self.private = Path(tempfile.mkdtemp(prefix="kg-bench-haproxy-"))  # a short path
        self.socket = self.private / "admin.sock"
        self.map = directory / "releases.map"
        self.map.write_text("live blue\n", encoding="utf-8")
        port = servers.free_port()
        self.url = f"http://127.0.0.1:{port}/sparql"
        placeholders = "".join(f"    server {name} 127.0.0.1:9 disabled\n" for name in REPLICAS)
        config = directory / "haproxy.cfg"
        config.write_text(
            CONFIG.format(socket=self.socket, port=port, map=self.map)
            + "".join(BACKEND.format(colour=c, servers=placeholders) for c in ("blue", "green")),
            encoding="utf-8",
        )
        libraries = ":".join(str(HAPROXY_ROOT / path) for path in HAPROXY_LIBS)
        log = directory / "haproxy.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(binary), "-db", "-f", str(config)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "LD_LIBRARY_PATH": libraries},
            )
        self.running = servers.Running("haproxy", process, self.url, log)
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise servers.ServerError(
                    f"HAProxy did not start: {servers.log_tail(self.running)}"
                )
            time.sleep(0.05)

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX) as admin:
            admin.settimeout(5)
            admin.connect(str(self.socket))
            admin.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := admin.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def enable(self, colour: str, replicas: list[servers.Running]) -> None:
        """Give the servers of backend `colour` the replicas' addresses; wait until UP."""
        for name, replica in zip(REPLICAS, replicas, strict=True):
            port = replica.url.rsplit(":", 1)[1].split("/")[0]
            self.command(f"set server {colour}/{name} addr 127.0.0.1 port {port}")
            self.command(f"set server {colour}/{name} state ready")
        deadline = time.monotonic() + 15
        while True:
            states = [
                line.split(",")[17]
                for line in self.command("show stat").splitlines()
                if line.startswith(f"{colour},") and line.split(",")[1] in REPLICAS
            ]
            if states == ["UP"] * len(REPLICAS):
                return
            if time.monotonic() > deadline:
                raise servers.ServerError(f"{colour} is not UP: {states}")
            time.sleep(0.05)

    def close(self) -> None:
        servers.stop(self.running)
        shutil.rmtree(self.private, ignore_errors=True)


def blue_green(
    graphs: Content, tools: servers.Tools, work: Path, repeat: int, log: Callable[[str], None]
) -> Switched:
    """`repeat` switches between two replica sets holding two releases (see the docstring)."""
    contents = {colour: release_of(graphs, n) for n, colour in enumerate(("blue", "green"))}
    with ExitStack() as stack:
        balancer = Balancer(work)
        stack.callback(balancer.close)
        for colour, content in contents.items():
            loaded = work / f"loaded-{colour}"
            with started(oxigraph(tools, loaded, read_only=False)) as writer:
                publish(writer, content, None)
            replicas = []
            for name in REPLICAS:
                copy = Path(shutil.copytree(loaded, work / f"{colour}-{name}"))
                store = stack.enter_context(started(oxigraph(tools, copy, read_only=True)))
                files, log_file = work / f"files-{colour}-{name}", work / f"{colour}-{name}.log"
                replicas.append(
                    stack.enter_context(started(kg_serve(tools, store.url, files, log_file)))
                )
            balancer.enable(colour, replicas)
            log(f"replica set {colour} up")
        client = stack.enter_context(httpx.Client(timeout=10))
        found = Switched("blue/green", [], [], 0)
        for turn in range(repeat):
            colour = ("green", "blue")[turn % 2]
            start = time.monotonic()
            answer = balancer.command(f"set map {balancer.map} live {colour}")
            returned = time.monotonic()
            if answer.strip():
                raise servers.ServerError(f"set map: {answer}")
            done, stale = until_served(
                lambda: client.get(balancer.url, params=PROBE),
                contents[colour],
                set(REPLICAS),
            )
            found.from_start.append(done - start)
            found.from_return.append(done - returned)
            found.old_after_return += stale
        return found


def one_store(
    graphs: Content, tools: servers.Tools, work: Path, repeat: int, log: Callable[[str], None]
) -> Switched:
    """`repeat` releases swapped into one store with two `kg serve` in front (see the
    docstring): each staged first, then timed from its swap."""
    found = Switched("one store, two kg serve", [], [], 0)
    with ExitStack() as stack:
        writer = stack.enter_context(started(oxigraph(tools, work / "one-store", read_only=False)))
        live = release_of(graphs, 0)
        publish(writer, live, None)
        fronts = {
            name: stack.enter_context(
                started(kg_serve(tools, writer.url, work / f"files-{name}", work / f"{name}.log"))
            )
            for name in REPLICAS
        }
        log("one store with two kg serve up")
        client = stack.enter_context(httpx.Client(timeout=10))
        asked = [0]

        def ask() -> httpx.Response:
            name = REPLICAS[asked[0] % len(REPLICAS)]
            asked[0] += 1
            answer = client.get(fronts[name].url, params=PROBE)
            answer.headers["x-replica"] = name
            return answer

        settings = KgSettings(store_url=writer.url, store_profile="oxigraph", store_timeout=300)
        with RemoteStore.of(settings) as remote:
            for turn in range(1, repeat + 1):
                content = release_of(graphs, turn)
                staged = stage(content, remote)
                start = time.monotonic()
                swap(staged, remote, live.content_hash)
                returned = time.monotonic()
                live = content
                done, stale = until_served(ask, content, set(REPLICAS), POLL)
                found.from_start.append(done - start)
                found.from_return.append(done - returned)
                found.old_after_return += stale
    return found


def release_of(graphs: Content, number: int) -> Content:
    """Another release of the same graphs: its own version and content hash."""
    return Content(f"bench-{number}", f"{number:04x}{graphs.content_hash[4:]}", graphs.graphs)
