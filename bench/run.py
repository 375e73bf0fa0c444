"""Benchmark our SPARQL endpoint against Oxigraph's server and rdflib-endpoint, and write
bench/RESULTS.md. A script, not a test: see bench/README.md.

    python bench/run.py --sizes 10k,100k,1m --duration 15s --connections 8
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Run as a script (`python bench/run.py`), so bench/ is on sys.path and these are found.
import report
import sections
import servers
from generate import GENERATOR_VERSION, generate, parse_size
from measure import Measurement, Settings, measure
from queries import MIX, fill

BENCH = Path(__file__).resolve().parent
ORDER = ("oxigraph", "ours", "ours-cached", "rdflib-endpoint")
"""Oxigraph first: its answers are the reference the others are checked against."""


def seconds(text: str) -> float:
    """`15s`, `2m`, `15` -> seconds."""
    text = text.strip().lower()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    factor = {"s": 1, "m": 60}.get(text[-1:], 1)
    return float(text.rstrip("sm")) * factor


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="10k,100k,1m", help="data sizes in quads (10k,100k,1m)")
    p.add_argument("--duration", type=seconds, default=15.0, help="timed run per server (15s)")
    p.add_argument("--warmup", type=seconds, default=3.0, help="untimed wrk run first (3s)")
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--threads", type=int, default=1, help="wrk threads (1: leave the server cores)")
    p.add_argument("--servers", default=",".join(servers.SERVERS), help="(all four)")
    p.add_argument("--workers", type=int, default=2, help="`kg serve --workers`")
    p.add_argument("--per-template", type=int, default=8, help="parameter values per template")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--query-timeout", type=seconds, default=30.0, help="per request (30s)")
    p.add_argument("--load-timeout", type=seconds, default=300.0, help="bulk load (300s)")
    p.add_argument(
        "--start-timeout",
        type=seconds,
        default=240.0,
        help="until a server answers; rdflib-endpoint parses the data then (240s)",
    )
    p.add_argument(
        "--quiet-wait",
        type=seconds,
        default=15.0,
        help="wait at most this for other work on the machine to stop (15s)",
    )
    p.add_argument(
        "--retries",
        type=int,
        default=1,
        help="timed runs tried again when others took >25%% of the CPU (1)",
    )
    p.add_argument("--work-dir", type=Path, default=BENCH / "results", help="data, stores, logs")
    p.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    p.add_argument("--kg", type=Path, default=None, help="kg executable (.venv/bin/kg)")
    return p.parse_args(argv)


def tool(name: str) -> Path:
    """An executable of the bench venv (beside this Python), else from PATH."""
    beside = Path(sys.executable).parent / name
    found = beside if beside.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found: install the bench extra (`make bench` does)")
    return Path(found)


def measure_settings(args: argparse.Namespace, tools: servers.Tools, wrk: str) -> Settings:
    """The measurement's settings from the command line (run.py's options, and remote.py's)."""
    return Settings(
        args.duration,
        args.warmup,
        args.connections,
        args.threads,
        args.query_timeout,
        args.load_timeout,
        args.start_timeout,
        wrk,
        tools,
        args.quiet_wait,
        args.retries,
    )


def find_tools(args: argparse.Namespace) -> tuple[servers.Tools, str]:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk not found: apt-get install -y wrk (`make bench` does)")
    kg = args.kg or (servers.ROOT / ".venv" / "bin" / "kg")
    if not kg.exists():
        kg = tool("kg")
    tools = servers.Tools(
        kg, tool("oxigraph"), tool("rdflib-endpoint"), args.workers, args.query_timeout
    )
    return tools, wrk


def dataset(size: str, seed: int, work: Path) -> tuple[Path, dict[str, Any]]:
    """The N-Quads file for `size`, generated unless an identical one is there already."""
    path = work / "data" / f"partage-{size}-seed{seed}-v{GENERATOR_VERSION}.nq"
    meta = path.with_suffix(".json")
    if not (path.exists() and meta.exists()):
        generate(parse_size(size), seed, path)
    return path, json.loads(meta.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    tools, wrk = find_tools(args)
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    chosen = [s.strip() for s in args.servers.split(",")]
    unknown = set(chosen) - set(servers.SERVERS)
    if unknown:
        sys.exit(f"unknown servers {sorted(unknown)}: choose among {servers.SERVERS}")
    settings = measure_settings(args, tools, wrk)
    began, started_at, load_before = time.monotonic(), datetime.now(UTC), report.load_average()

    def say(message: str) -> None:
        print(f"[{time.monotonic() - began:6.0f} s] {message}", flush=True)

    measurements: list[Measurement] = []
    catalogues: dict[str, dict[str, Any]] = {}
    for size in sizes:
        work = args.work_dir / size
        work.mkdir(parents=True, exist_ok=True)
        say(f"{size}: data")
        data, catalogues[size] = dataset(size, args.seed, args.work_dir)
        rotation = fill(catalogues[size], args.per_template, args.seed)
        reference: dict[str, Any] = {}
        for server in (s for s in ORDER if s in chosen):
            say(f"{size}: {server}")
            m = measure(
                size,
                server,
                data,
                work,
                rotation,
                reference,
                settings,
                lambda text, size=size: say(f"{size}: {text}"),
            )
            measurements.append(m)
            say(f"{size}: {server}: {summary(m)}")
        for server in servers.SERVERS:  # stores are GBs at 1M; the data and logs stay
            shutil.rmtree(work / server, ignore_errors=True)
    elapsed = time.monotonic() - began
    loads = (load_before, report.load_average())
    text = render(
        args, argv, measurements, catalogues, sizes, tools, wrk, started_at, elapsed, loads
    )
    sections.write_section("endpoint", text, args.output)
    say(f"wrote {args.output}")
    return 0


def summary(m: Measurement) -> str:
    if m.result is None:
        return f"not measured ({m.skipped})"
    r = m.result
    return (
        f"{r.throughput:,.1f} req/s, p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, "
        f"peak {m.peak_rss / 2**20:,.0f} MB, {len(m.failures)} query failure(s)"
    )


def render(
    args: argparse.Namespace,
    argv: list[str] | None,
    measurements: list[Measurement],
    catalogues: dict[str, dict[str, Any]],
    sizes: list[str],
    tools: servers.Tools,
    wrk: str,
    started_at: datetime,
    elapsed: float,
    loads: tuple[str, str],
) -> str:
    command = shlex.join(["python", "bench/run.py", *(sys.argv[1:] if argv is None else argv)])
    rotation = args.per_template * len(MIX)
    lines = [
        "## The endpoint against Oxigraph server and rdflib-endpoint (`bench/run.py`)",
        "",
        f"- Command: `{command}`",
        f"- Run: {started_at:%Y-%m-%d %H:%M} UTC, {elapsed / 60:.1f} min in all; load average "
        f"{loads[0]} before, {loads[1]} after",
        *(f"- {fact}" for fact in report.machine_facts(tools, wrk)),
        f"- Load: wrk -t{args.threads} -c{args.connections}, {args.warmup:g} s warm-up then "
        f"{args.duration:g} s timed, per server and size; a rotation of {rotation} GET requests "
        f"({len(MIX)} templates × {args.per_template} parameter values); `kg serve --workers "
        f"{args.workers}`; seed {args.seed}. Servers and wrk share the same cores.",
        "",
        "### Throughput, latency, memory",
        "",
        *report.main_table(measurements),
        "",
        "req/s counts successful (2xx) answers; errors are non-2xx answers, socket errors and "
        f"time-outs (over {args.query_timeout:g} s). Peak RSS is the sum over all the server's "
        "processes, sampled every 0.1 s from its start (reading its data in, if it does then) "
        "until the timed run ends. "
        "'ours ÷ it' is our throughput over that server's; 'load s' is bulk load plus start-up "
        "(rdflib-endpoint parses the file at start-up). 'server CPU' is the CPU time of the "
        "server's processes over the timed run, in cores, and per successful answer (a "
        "figure less disturbed by other work than req/s); 'others' CPU' is the share of the "
        "machine's CPU used meanwhile by processes other than the server, wrk and this script "
        "(other work on the machine: figures taken with a high share are not comparable).",
        "",
        "### Targets",
        "",
        *report.targets(measurements, sizes),
        "",
        "### Validation",
        "",
        "Each distinct query was sent once to each server before timing; it must answer 200, "
        "non-empty, and the same as Oxigraph's server (rows compared as normalised terms, "
        "CONSTRUCT answers as sets of triples).",
        "",
        *report.validation(measurements),
        "",
        "### Single-request latency per query (ms)",
        "",
        "Median over the template's parameter values, one request at a time, from the "
        "validation pass (so partly cold).",
        "",
        *report.per_query_table(measurements),
        "",
        "### Data",
        "",
        *report.data_table(catalogues),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
