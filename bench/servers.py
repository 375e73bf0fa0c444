"""The three servers under test: how each loads the data, starts, is watched and is stopped.

Every server runs on 127.0.0.1 on a free port, in a process group of its own, so that its
resident memory can be summed over all its processes (workers included) and it can be stopped
as a whole. Loads and start-ups are bounded in time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
SERVERS = ("ours", "ours-cached", "oxigraph", "rdflib-endpoint")
LABELS = {
    "ours": "Partage KG, cache off",
    "ours-cached": "Partage KG, its answer cache on",
    "ours-remote": "Partage KG in front of Oxigraph server, cache off",
    "oxigraph": "Oxigraph server",
    "rdflib-endpoint": "rdflib-endpoint",
}
"""`ours` is `kg serve --cache-mb 0`: the rotation repeats its queries, so with the cache on
(`ours-cached`, the default 64 MB) every timed request after the first round is a cache hit.

`ours-remote`, measured by bench/remote.py (not by run.py), is `kg serve --store-url --cache-mb 0`
in front of `oxigraph serve-read-only` holding the data published as a release: both processes
count as one server, in one process group, so their memory and CPU are summed."""


class ServerError(Exception):
    """A server could not be loaded or started in time; the message says why."""


@dataclass(frozen=True)
class Tools:
    kg: Path
    oxigraph: Path
    rdflib_endpoint: Path
    workers: int
    query_timeout: float


@dataclass
class Running:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path
    started: float = field(default_factory=time.monotonic)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(name: str, data: Path, work: Path, tools: Tools, timeout: float) -> float:
    """Bulk-load `data` the way the server expects (nothing to do for rdflib-endpoint, which
    parses at start-up, nor for ours-cached once ours has a store); returns the seconds taken."""
    if name == "ours-cached" and (work / "ours" / "store").is_dir():
        return 0.0
    name = "ours" if name == "ours-cached" else name
    target = work / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    commands = {
        "ours": [str(tools.kg), "load", str(data), "--store", str(target / "store")],
        "oxigraph": [
            str(tools.oxigraph),
            "load",
            "--location",
            str(target / "db"),
            "--file",
            str(data),
        ],
    }
    if name == "ours-remote":
        return publish_release(data, target / "db", tools, timeout)
    if name not in commands:
        return 0.0
    start = time.monotonic()
    try:
        done = subprocess.run(commands[name], cwd=ROOT, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ServerError(f"loading took more than {timeout:.0f} s") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).decode(errors="replace").strip()[-400:]
        raise ServerError(f"load failed (exit {done.returncode}): {tail}")
    return time.monotonic() - start


def publish_release(data: Path, location: Path, tools: Tools, timeout: float) -> float:
    """Publish `data` as one release (its N-Quads file's SHA-256 as content hash) to a
    writable `oxigraph serve` on `location`, as `kg build --store-url` does, then stop that
    server; the seconds taken, start-up included."""
    import hashlib  # kg and rdflib only for this server kind

    from rdflib import Dataset, URIRef

    from kg.config import Settings as KgSettings
    from kg.remote.client import RemoteStore
    from kg.remote.publish import Content, publish_content

    start_time = time.monotonic()
    port = free_port()
    argv = [str(tools.oxigraph), "serve", "--location", str(location)]
    argv += ["--bind", f"127.0.0.1:{port}"]
    log = location.parent / "publish.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    running = Running("oxigraph-writer", process, f"http://127.0.0.1:{port}/query", log)
    try:
        _wait_ready(running, timeout)
        parsed = Dataset()
        parsed.parse(data, format="nquads")
        graphs = {
            g.identifier: g for g in parsed.graphs() if isinstance(g.identifier, URIRef) and len(g)
        }
        digest = hashlib.sha256(data.read_bytes()).hexdigest()
        settings = KgSettings(
            store_url=running.url, store_profile="oxigraph", store_timeout=timeout
        )
        with RemoteStore.of(settings) as remote:
            publish_content(Content("bench", digest, graphs), remote, None)
    finally:
        stop(running)
    return time.monotonic() - start_time


def command(name: str, data: Path, work: Path, tools: Tools, port: int) -> tuple[list[str], str]:
    """The server's command line and its SPARQL endpoint URL."""
    base = f"http://127.0.0.1:{port}"
    if name in ("ours", "ours-cached"):
        argv = [
            str(tools.kg),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--store",
            str(work / "ours" / "store"),
            "--workers",
            str(tools.workers),
            "--timeout",
            f"{tools.query_timeout:g}",
        ]
        if name == "ours":
            argv += ["--cache-mb", "0"]
        return argv, f"{base}/sparql"
    if name == "oxigraph":
        argv = [
            str(tools.oxigraph),
            "serve-read-only",
            "--location",
            str(work / name / "db"),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ]
        return argv, f"{base}/query"
    argv = [
        str(tools.rdflib_endpoint),
        "serve",
        str(data),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return argv, f"{base}/"


def start(name: str, data: Path, work: Path, tools: Tools) -> Running:
    """Start the server, in a process group of its own; `wait_ready` waits for it to answer."""
    if name == "ours-remote":
        return start_remote(work, tools)
    port = free_port()
    argv, url = command(name, data, work, tools, port)
    log = work / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Running(name, process, url, log)


def start_remote(work: Path, tools: Tools) -> Running:
    """`oxigraph serve-read-only` on the published release and `kg serve --store-url` in front
    of it, in one process group (Oxigraph's): the Running's process is Oxigraph, its URL ours."""
    target = work / "ours-remote"
    store_port, port = free_port(), free_port()
    store_argv = [str(tools.oxigraph), "serve-read-only", "--location", str(target / "db")]
    store_argv += ["--bind", f"127.0.0.1:{store_port}"]
    empty = target / "release-files"  # no pages or dumps: only /sparql is measured
    empty.mkdir(exist_ok=True)
    argv, url = command("ours", Path(), work, tools, port)
    argv[argv.index("--store") + 1] = str(empty)
    argv += ["--store-url", f"http://127.0.0.1:{store_port}/query"]
    log = work / f"{target.name}.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    with log.open("wb") as out:
        store = subprocess.Popen(
            store_argv,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            process_group=0,  # a group of its own in our session, which kg serve joins
        )
        running = Running(target.name, store, url, log)
        # kg serve reads the release record as it starts: Oxigraph must answer first (if it
        # never does, kg serve exits and `wait_ready` says why)
        probe = Running("oxigraph", store, f"http://127.0.0.1:{store_port}/query", log)
        with contextlib.suppress(ServerError):
            _wait_ready(probe, 120)
        subprocess.Popen(
            argv,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            process_group=store.pid,
            env={**environment, "KG_STORE_PROFILE": "oxigraph"},
        )
    return running


def kg_serve(tools: Tools, log: Path, options: list[str], env: dict[str, str]) -> Running:
    """`kg serve` on a free port with `options` and `env` (no KG_ variable of ours leaks into
    it), answering; its output in `log`."""
    port = free_port()
    argv = [str(tools.kg), "serve", "--host", "127.0.0.1", "--port", str(port), *options]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**environment, **env},
        )
    running = Running("kg-serve", process, f"http://127.0.0.1:{port}/sparql", log)
    wait_ready(running, 120)
    return running


def wait_ready(running: Running, timeout: float) -> None:
    """Return once the server answers a query; stop it and raise if it does not in time."""
    try:
        _wait_ready(running, timeout)
    except ServerError:
        stop(running)
        raise


def _wait_ready(running: Running, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    probe = running.url + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise ServerError(f"exited with {running.process.returncode}: {log_tail(running)}")
        try:
            request = urllib.request.Request(
                probe, headers={"Accept": "application/sparql-results+json"}
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise ServerError(f"not answering after {timeout:.0f} s (still loading?)")


def log_tail(running: Running, size: int = 400) -> str:
    text = running.log.read_text(errors="replace").strip()
    return text[-size:].replace("\n", " | ")


def stop(running: Running) -> None:
    """SIGTERM the server's process group, SIGKILL it after 15 s."""
    group = running.process.pid  # its own session, so its own group
    try:
        os.killpg(group, signal.SIGTERM)
        running.process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(group, signal.SIGKILL)
        running.process.wait(timeout=15)
    _reap_group(group)


def _reap_group(group: int) -> None:
    """Workers that outlive their parent still belong to the group: kill what is left of it."""
    for pid in group_pids(group):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def group_pids(group: int) -> list[int]:
    """Processes whose process group is `group` (read from /proc/<pid>/stat)."""
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == group:
            pids.append(int(entry.name))
    return pids


def group_rss(group: int) -> int:
    """Resident bytes of all the processes of the group, summed."""
    total = 0
    for pid in group_pids(group):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


class RssSampler:
    """Samples the group's summed RSS every `interval` seconds in a thread; keeps the peak."""

    def __init__(self, group: int, interval: float = 0.1) -> None:
        self.group, self.interval, self.peak = group, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, group_rss(self.group))
            self._stop.wait(self.interval)


TICK = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system, with reaped children) of the group's live processes."""
    total = 0
    for pid in group_pids(group):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / TICK


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = values
    busy = user + nice + system + irq + softirq + steal
    return busy / TICK, (busy + idle + iowait) / TICK
