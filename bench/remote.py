"""Partage KG on remote stores, measured (#11 point 7); writes its section of bench/RESULTS.md.

1. The query mix of bench/run.py through `kg serve --store-url --cache-mb 0` in front of
   `oxigraph serve-read-only` (servers.py's `ours-remote`) against that server directly, at
   each size: throughput ratio, target ≥ 0.8×.
2. Publish and swap: a release of each size sent to a writable `oxigraph serve` as
   `kg build --store-url` sends it (`kg.remote.publish`: staging graphs in one N-Quads request,
   counts checked, then one update that moves them live with the release record), first into
   an empty store, then a second release over the live one; staging and swap timed apart.
3. Edit latency: one accepted `INSERT DATA` POSTed to `kg serve`, request to answer, median of
   `--edits` (5), with the project's release embedded and published to Oxigraph server.
4. The time from a release switch until every replica serves it (`switch.py`), at the smallest
   size: blue/green between two sets of two read replicas behind HAProxy (`make haproxy`), and
   a swap in one store with two `kg serve` in front; `--switches` (5) of each.

A script, not a test. From the project's root, with the bench venv (`make bench` makes it):

    .venv-bench/bin/python bench/remote.py --sizes 10k,100k --duration 15s
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

# Run as a script (`python bench/remote.py`), so bench/ is on sys.path and these are found.
import report
import sections
import servers
import switch
from measure import Measurement, measure
from pydantic import SecretStr
from queries import fill
from rdflib import Dataset, Graph, URIRef
from run import dataset, find_tools, measure_settings, seconds, summary

from kg.config import Settings as KgSettings
from kg.remote.client import RemoteStore
from kg.remote.publish import Content, stage, swap

BENCH = Path(__file__).resolve().parent
TOKEN = "bench-token"
RATIO_TARGET = 0.8
VIRTUOSO_ROOT = servers.ROOT / ".virtuoso" / "root"  # `make virtuoso` unpacks it there
VIRTUOSO_INI = servers.ROOT / "tests" / "data" / "remote" / "virtuoso.ini"
VIRTUOSO_LIBS = ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu")
VIRTUOSO_WRITER = ("kgwriter", "kgsecret")


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="10k,100k", help="data sizes in quads (10k,100k)")
    p.add_argument("--duration", type=seconds, default=15.0, help="timed run per server (15s)")
    p.add_argument("--warmup", type=seconds, default=3.0, help="untimed wrk run first (3s)")
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    p.add_argument("--workers", type=int, default=2, help="`kg serve --workers`")
    p.add_argument("--per-template", type=int, default=8, help="parameter values per template")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--edits", type=int, default=5, help="edits timed per set-up (5)")
    p.add_argument("--query-timeout", type=seconds, default=30.0)
    p.add_argument("--load-timeout", type=seconds, default=300.0)
    p.add_argument("--start-timeout", type=seconds, default=120.0)
    p.add_argument("--quiet-wait", type=seconds, default=15.0)
    p.add_argument("--retries", type=int, default=1)
    p.add_argument(
        "--virtuoso", action="store_true", help="also time publishing to Virtuoso (make virtuoso)"
    )
    p.add_argument("--skip-mix", action="store_true", help="only publish and edit timings")
    p.add_argument("--switches", type=int, default=5, help="release switches timed (5; 0: none)")
    p.add_argument("--work-dir", type=Path, default=BENCH / "results" / "remote")
    p.add_argument("--output", type=Path, default=sections.RESULTS)
    p.add_argument("--kg", type=Path, default=None, help="kg executable (.venv/bin/kg)")
    return p.parse_args(argv)


@dataclass
class Publish:
    engine: str
    size: str
    quads: int
    read_s: float
    first_stage_s: float
    first_swap_s: float
    next_stage_s: float
    next_swap_s: float


def read_graphs(data: Path) -> dict[URIRef, Graph]:
    parsed = Dataset()
    parsed.parse(data, format="nquads")
    return {g.identifier: g for g in parsed.graphs() if isinstance(g.identifier, URIRef) and len(g)}


def start_virtuoso(directory: Path, timeout: float) -> tuple[servers.Running, KgSettings]:
    """Virtuoso from `make virtuoso`, as the tests start it: a private ini on 127.0.0.1, a
    writer granted SPARQL_UPDATE; its process and the settings that reach it."""
    binary = VIRTUOSO_ROOT / "usr" / "bin" / "virtuoso-t"
    if not binary.is_file():
        sys.exit(f"no Virtuoso at {binary}: run `make virtuoso`")
    directory.mkdir(parents=True)
    sql_port, http_port = servers.free_port(), servers.free_port()
    ini = directory / "virtuoso.ini"
    text = VIRTUOSO_INI.read_text(encoding="utf-8")
    ini.write_text(text.format(sql_port=sql_port, http_port=http_port), encoding="utf-8")
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
            start_new_session=True,
        )
    running = servers.Running("virtuoso", process, f"http://127.0.0.1:{http_port}/sparql", log)
    servers.wait_ready(running, timeout)
    user, password = VIRTUOSO_WRITER
    grant = f"DB.DBA.USER_CREATE ('{user}', '{password}');\nGRANT SPARQL_UPDATE TO \"{user}\";\n"
    done = subprocess.run(
        [str(VIRTUOSO_ROOT / "usr" / "bin" / "isql-vt"), str(sql_port), "dba", "dba"],
        input=grant.encode(),
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0 or b"Error" in done.stdout:
        servers.stop(running)
        sys.exit(f"isql-vt failed: {done.stdout.decode()}{done.stderr.decode()}")
    settings = KgSettings(
        store_url=running.url,
        store_profile="virtuoso",
        store_user=user,
        store_password=SecretStr(password),
        store_timeout=timeout,
    )
    return running, settings


def publish_times(
    engine: str, size: str, data: Path, work: Path, tools: servers.Tools, timeout: float
) -> Publish:
    """Two releases of `data` published one after the other to a fresh store of `engine`."""
    location = work / f"publish-{engine}-{size}"
    shutil.rmtree(location, ignore_errors=True)
    started = time.perf_counter()
    graphs = read_graphs(data)
    read_s = time.perf_counter() - started
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    first = Content("bench-1", f"1{digest[1:]}", graphs)
    second = Content("bench-2", f"2{digest[1:]}", graphs)  # another release, as large
    if engine == "virtuoso":
        running, settings = start_virtuoso(location, timeout)
    else:
        running = switch.oxigraph(tools, location, read_only=False, timeout=timeout)
        settings = KgSettings(
            store_url=running.url, store_profile="oxigraph", store_timeout=timeout
        )
    try:
        with RemoteStore.of(settings) as remote:
            clock = time.perf_counter()
            staged = stage(first, remote)
            first_stage, clock = time.perf_counter() - clock, time.perf_counter()
            swap(staged, remote, None)
            first_swap, clock = time.perf_counter() - clock, time.perf_counter()
            staged = stage(second, remote)
            next_stage, clock = time.perf_counter() - clock, time.perf_counter()
            swap(staged, remote, first.content_hash)
            next_swap = time.perf_counter() - clock
    finally:
        servers.stop(running)
        shutil.rmtree(location, ignore_errors=True)
    quads = sum(len(g) for g in graphs.values())
    return Publish(engine, size, quads, read_s, first_stage, first_swap, next_stage, next_swap)


def serving(
    store: Path, tools: servers.Tools, log: Path, *options: str, env: dict[str, str] | None = None
) -> servers.Running:
    """`kg serve` on `store` with edits enabled, answering."""
    options = ["--store", str(store), *options]
    return servers.kg_serve(tools, log, options, {"KG_ADMIN_TOKEN": TOKEN, **(env or {})})


def edit_median(endpoint: str, repeat: int) -> tuple[float, list[float]]:
    """The median time of an accepted edit, request to answer (each a new triple)."""
    times = []
    with httpx.Client(timeout=120) as client:
        headers = {"authorization": f"Bearer {TOKEN}"}
        for value in range(repeat):
            update = (
                f"INSERT DATA {{ GRAPH <urn:bench:g> {{ <urn:bench:s> <urn:bench:p> {value} }} }}"
            )
            started = time.perf_counter()
            answer = client.post(endpoint, data={"update": update}, headers=headers)
            times.append(time.perf_counter() - started)
            if answer.status_code != 204:
                sys.exit(f"the edit was answered {answer.status_code}: {answer.text}")
    return statistics.median(times), times


def edit_times(
    tools: servers.Tools, work: Path, repeat: int
) -> dict[str, tuple[float, list[float]]]:
    """Edit latency on the project's release, embedded and published to Oxigraph server."""
    found: dict[str, tuple[float, list[float]]] = {}
    with tempfile.TemporaryDirectory(dir=work) as scratch:
        root = Path(scratch)
        build = [str(tools.kg), "build", "--store", str(root / "embedded")]
        subprocess.run(build, cwd=servers.ROOT, check=True, capture_output=True, timeout=300)
        running = serving(root / "embedded", tools, root / "embedded.log")
        try:
            found["embedded"] = edit_median(running.url, repeat)
        finally:
            servers.stop(running)
        oxigraph = switch.oxigraph(tools, root / "oxigraph", read_only=False)
        try:
            remote = ["--store-url", oxigraph.url]
            build = [str(tools.kg), "build", "--store", str(root / "remote"), *remote]
            env = {**os.environ, "KG_STORE_PROFILE": "oxigraph"}
            subprocess.run(
                build, cwd=servers.ROOT, check=True, capture_output=True, timeout=300, env=env
            )
            running = serving(
                root / "remote",
                tools,
                root / "remote.log",
                *remote,
                env={"KG_STORE_PROFILE": "oxigraph"},
            )
            try:
                found["remote"] = edit_median(running.url, repeat)
            finally:
                servers.stop(running)
        finally:
            servers.stop(oxigraph)
    return found


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    args.servers = "oxigraph,ours-remote"
    tools, wrk = find_tools(args)
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    settings = measure_settings(args, tools, wrk)
    began, started_at = time.monotonic(), datetime.now(UTC)
    loads: list[tuple[str, str]] = []

    def say(message: str) -> None:
        print(f"[{time.monotonic() - began:6.0f} s] {message}", flush=True)

    def section(name: str) -> None:
        loads.append((name, report.load_average()))
        say(f"{name} (load average {loads[-1][1]})")

    measurements: list[Measurement] = []
    published: list[Publish] = []
    args.work_dir.mkdir(parents=True, exist_ok=True)
    data_dir = args.work_dir.parent  # the data files bench/run.py caches
    for size in sizes:
        work = args.work_dir / size
        work.mkdir(parents=True, exist_ok=True)
        data, catalogue = dataset(size, args.seed, data_dir)
        if not args.skip_mix:
            rotation = fill(catalogue, args.per_template, args.seed)
            reference: dict[str, object] = {}
            for server in ("oxigraph", "ours-remote"):
                section(f"{size}: mix, {server}")
                m = measure(size, server, data, work, rotation, reference, settings, say)
                measurements.append(m)
                say(f"{size}: {server}: {summary(m)}")
            for server in ("oxigraph", "ours-remote"):
                shutil.rmtree(work / server, ignore_errors=True)
        for engine in ("oxigraph", "virtuoso") if args.virtuoso else ("oxigraph",):
            section(f"{size}: publish to {engine}")
            published.append(publish_times(engine, size, data, work, tools, args.load_timeout))
            say(f"{size}: publish: {published[-1]}")
    section("edits")
    edits = edit_times(tools, args.work_dir, args.edits)
    say(f"edits: {edits}")
    switched: list[switch.Switched] = []
    if args.switches:
        section(f"{sizes[0]}: release switches")
        switched = switch_times(sizes[0], args, tools, data_dir, say)
    section("end")
    text = render(
        args, argv, measurements, published, edits, switched, started_at, loads, tools, wrk
    )
    sections.write_section("remote", text, args.output)
    say(f"wrote {args.output}")
    return 0


def switch_times(
    size: str, args: argparse.Namespace, tools: servers.Tools, data_dir: Path, say: Any
) -> list[switch.Switched]:
    """Both release switches of `switch.py`, `args.switches` times each, on the data of `size`."""
    data, _ = dataset(size, args.seed, data_dir)
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    graphs = Content("bench", digest, read_graphs(data))
    found = []
    for measured in (switch.blue_green, switch.one_store):
        with tempfile.TemporaryDirectory(dir=args.work_dir) as scratch:
            found.append(measured(graphs, tools, Path(scratch), args.switches, say))
        say(found[-1].summary())
    return found


def switch_section(sizes: list[str], switched: list[switch.Switched]) -> list[str]:
    if not switched:
        return ["### Release switch", "", "Not measured in this run (`--switches 0`).", ""]
    rows = [
        f"| {s.kind} | {len(s.from_return)} | {1000 * statistics.median(s.from_return):,.1f} | "
        f"{1000 * max(s.from_return):,.1f} | {1000 * statistics.median(s.from_start):,.1f} | "
        f"{1000 * max(s.from_start):,.1f} | {s.old_after_return} |"
        for s in switched
    ]
    return [
        "### Release switch until every replica serves it (ms)",
        "",
        f"At {sizes[0] if sizes else '?'}, `bench/switch.py`: **blue/green**, HAProxy's "
        "`set map … live <colour>` between two sets of two read replicas (`oxigraph "
        "serve-read-only` with `kg serve --store-url --cache-mb 0` in front), each set holding "
        "its release; **one store**, the swap of a staged release (`kg.remote.publish.swap`) "
        "in one `oxigraph serve` with two `kg serve` in front, which read its release record "
        "every second. From the command's return (and from its start) until each replica "
        "answered `ASK {}` with the new release's `X-KG-Release` and `X-KG-Content-Hash`, "
        "polled one request "
        "after another (every 5 ms at least for one store). The last column counts answers "
        "naming the previous release among those polls.",
        "",
        "| switch | times | from return: median | max | from start: median | max "
        "| old release after return |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ]


def mix_table(measurements: list[Measurement]) -> list[str]:
    lines = [
        "| data | server | req/s | p50 ms | p99 ms | errors | peak RSS MB | ÷ Oxigraph server "
        "| server CPU | CPU ms per answer | others' CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    direct = {m.size: m for m in measurements if m.server == "oxigraph"}
    for m in measurements:
        label = servers.LABELS[m.server]
        if m.result is None:
            lines.append(f"| {m.size} | {label} | not measured ({m.skipped}) |" + " |" * 8)
            continue
        r = m.result
        base = direct.get(m.size)
        share = (
            f"{r.throughput / base.result.throughput:.2f}×"
            if m.server != "oxigraph" and base and base.result and base.result.throughput
            else "—"
        )
        answers = r.requests - r.non_2xx
        per_answer = f"{1000 * m.server_cpu / answers:,.2f}" if answers else "—"
        lines.append(
            f"| {m.size} | {label} | {r.throughput:,.1f} | {r.p50_ms:,.1f} | {r.p99_ms:,.1f} | "
            f"{r.non_2xx + r.socket_errors + r.timeouts} of {r.requests} | "
            f"{m.peak_rss / 2**20:,.0f} | {share} | {m.server_cpu / r.seconds:.2f} cores | "
            f"{per_answer} | {100 * m.other_cpu:.0f} % |"
        )
    return lines


def verdicts(measurements: list[Measurement], sizes: list[str]) -> list[str]:
    lines = []
    for size in sizes:
        found = {m.server: m for m in measurements if m.size == size}
        direct, ours = found.get("oxigraph"), found.get("ours-remote")
        if not (direct and ours and direct.result and ours.result and direct.result.throughput):
            lines.append(f"- {size}: not measured")
            continue
        share = ours.result.throughput / direct.result.throughput
        cpu = (1000 * ours.server_cpu / max(1, ours.result.requests - ours.result.non_2xx)) / (
            1000 * direct.server_cpu / max(1, direct.result.requests - direct.result.non_2xx)
        )
        verdict = "met" if share >= RATIO_TARGET else "**not met**"
        lines.append(
            f"- {size}, in front of Oxigraph server ÷ Oxigraph server: {share:.2f}× "
            f"(target ≥ {RATIO_TARGET:g}×): {verdict}; CPU per answer {cpu:.2f}× Oxigraph's alone"
        )
        lines.extend(f"  - query failure: {failure}" for failure in ours.failures)
    return lines


def render(
    args: argparse.Namespace,
    argv: list[str] | None,
    measurements: list[Measurement],
    published: list[Publish],
    edits: dict[str, tuple[float, list[float]]],
    switched: list[switch.Switched],
    started_at: datetime,
    loads: list[tuple[str, str]],
    tools: servers.Tools,
    wrk: str,
) -> str:
    command = shlex.join(["python", "bench/remote.py", *(sys.argv[1:] if argv is None else argv)])
    sizes = list(dict.fromkeys(p.size for p in published))
    engines = {"oxigraph": "Oxigraph server", "virtuoso": "Virtuoso"}
    publish_rows = [
        f"| {engines[p.engine]} | {p.size} | {p.quads:,} | {p.read_s:.2f} | "
        f"{p.first_stage_s:.2f} | {p.first_swap_s:.2f} | {p.next_stage_s:.2f} | "
        f"{p.next_swap_s:.2f} | "
        f"{p.next_stage_s + p.next_swap_s:.2f} |"
        for p in published
    ]
    edit_rows = [
        f"| {label} | {edits[key][0]:.2f} | {', '.join(f'{t:.2f}' for t in edits[key][1])} |"
        for key, label in (
            ("embedded", "embedded store (`kg serve --store`)"),
            ("remote", "Oxigraph server (`kg serve --store-url`)"),
        )
        if key in edits
    ]
    if "embedded" in edits and "remote" in edits:
        edit_rows.append(
            f"| remote ÷ embedded | {edits['remote'][0] / edits['embedded'][0]:.2f}× | |"
        )
    lines = [
        "## Remote stores (`bench/remote.py`)",
        "",
        f"- Command: `{command}`",
        f"- Run: {started_at:%Y-%m-%d %H:%M} UTC; load average (1, 5, 15 min) at the start of "
        "each part: " + "; ".join(f"{name} {load}" for name, load in loads),
        *(f"- {fact}" for fact in report.machine_facts(tools, wrk)),
        "- The machine is shared with other work: see 'others' CPU' and the load averages "
        "before comparing runs.",
        "",
        "### Query mix: `kg serve --store-url` in front of Oxigraph server, against it directly",
        "",
        f"wrk -t{args.threads} -c{args.connections}, {args.warmup:g} s warm-up then "
        f"{args.duration:g} s timed, the rotation of bench/run.py ({args.per_template} values per "
        f"template), `kg serve --workers {args.workers} --cache-mb 0`. Oxigraph server is "
        "`oxigraph serve-read-only --union-default-graph` over the data published as a release; "
        "in front of it the same, and 'server CPU' and memory count both processes. Every "
        "answer of ours was checked equal to Oxigraph's before timing.",
        "",
        *(mix_table(measurements) if measurements else ["Not run (`--skip-mix`)."]),
        "",
        *verdicts(measurements, sizes),
        "",
        "### Publish and swap (seconds)",
        "",
        "As `kg build --store-url` publishes (`kg.remote.publish.stage` then `swap`): the "
        "release's graphs into staging graphs in one N-Quads POST and their counts checked "
        "(stage), then one SPARQL Update that moves them live and writes the release record "
        "(swap; atomic on Oxigraph, not on Virtuoso). Virtuoso takes no N-Quads request: each "
        "graph is PUT (Graph Store Protocol) with its blank nodes skolemised. First into an "
        "empty store, then a second release of the same size over the live one (the swap then "
        "replaces the live graphs). 'read' is parsing the N-Quads file with rdflib, which "
        "`kg build` does not pay (it has the graphs).",
        "",
        "| engine | data | quads | read | first: stage | first: swap | next: stage | "
        "next: swap | next: total |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        *publish_rows,
        *([] if args.virtuoso else ["", "Virtuoso: not measured in this run (`--virtuoso`)."]),
        "",
        "### Edit latency (seconds)",
        "",
        f"One accepted `INSERT DATA` (a new triple each) POSTed to `kg serve --admin-token`, "
        f"request to answer, median of {args.edits}, on the project's release (`kg build`): "
        "validated, made a release again and written (embedded), or validated, published to "
        "Oxigraph server (stage and swap) and written locally (remote).",
        "",
        "| store | median | each |",
        "|---|---:|---|",
        *edit_rows,
        "",
        *switch_section(sizes, switched),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
