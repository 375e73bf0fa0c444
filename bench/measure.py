"""One server on one data set: load, start, check every query, warm up, time, stop."""

from __future__ import annotations

import json
import resource
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import loadgen
import servers
from queries import MIX, PREFIXES, Query, canonical, distinct


@dataclass(frozen=True)
class Settings:
    duration: float
    warmup: float
    connections: int
    threads: int
    query_timeout: float
    load_timeout: float
    start_timeout: float
    wrk: str
    tools: servers.Tools
    quiet_wait: float = 15.0
    """Seconds to wait, at most, for other work on the machine to stop before a timed run."""
    retries: int = 1
    """Timed runs tried again when other processes took more than NOISY of the CPU."""


@dataclass
class Measurement:
    size: str
    server: str
    triples: int | None = None
    load_s: float = 0.0
    start_s: float = 0.0
    result: loadgen.LoadResult | None = None
    peak_rss: int = 0
    failures: list[str] = field(default_factory=list)
    latency_ms: dict[str, float] = field(default_factory=dict)
    """Median single-request latency per template, from the validation pass."""
    skipped: str = ""
    """Why the server was not measured, if it was not."""
    server_cpu: float = 0.0
    """CPU seconds the server's processes used during the timed run."""
    wrk_cpu: float = 0.0
    other_cpu: float = 0.0
    """Share (0-1) of the machine's CPU that other processes used during the timed run."""


class MeasurementError(Exception):
    pass


def measure(
    size: str,
    server: str,
    data: Path,
    work: Path,
    rotation: list[Query],
    reference: dict[str, Any],
    settings: Settings,
    say: Any,
) -> Measurement:
    """Measure `server`; answers it gives are added to `reference` if it is the first to answer.

    A server that cannot load, start, or answer a query within the time-outs is returned with
    `skipped` set rather than waited for.
    """
    m = Measurement(size, server)
    started = time.monotonic()
    try:
        say(f"{server}: loading")
        m.load_s = servers.prepare(server, data, work, settings.tools, settings.load_timeout)
    except servers.ServerError as error:
        m.start_s = time.monotonic() - started
        m.skipped = str(error)
        return m
    say(f"{server}: starting")
    started = time.monotonic()
    running = servers.start(server, data, work, settings.tools)
    # Sampled from the start: a server that loads its data while starting (rdflib-endpoint
    # parses the file, ours reads the store into memory) has its peak then.
    sampler = servers.RssSampler(running.process.pid)
    try:
        with sampler:
            try:
                servers.wait_ready(running, settings.start_timeout)
            except servers.ServerError as error:
                m.skipped = str(error)
                return m
            finally:
                m.start_s = time.monotonic() - started
            _exercise(m, running, rotation, reference, work, settings, say)
    except MeasurementError as error:
        m.skipped = str(error)
    finally:
        m.peak_rss = sampler.peak
        servers.stop(running)
    return m


def _exercise(
    m: Measurement,
    running: servers.Running,
    rotation: list[Query],
    reference: dict[str, Any],
    work: Path,
    settings: Settings,
    say: Any,
) -> None:
    say(f"{m.server}: validating {len(list(distinct(rotation)))} queries")
    m.triples = count_triples(running.url, settings.query_timeout)
    validate(m, running.url, rotation, reference, settings.query_timeout)
    if len(m.failures) == len(list(distinct(rotation))):
        raise MeasurementError("answered none of the queries")
    rotation_file = work / f"{m.server}.rotation.tsv"
    loadgen.write_rotation(rotation_file, running.url, rotation)
    common = dict(
        connections=settings.connections, threads=settings.threads, timeout=settings.query_timeout
    )
    if settings.warmup > 0:
        say(f"{m.server}: warming up {settings.warmup:.0f} s")
        loadgen.run_wrk(settings.wrk, running.url, rotation_file, seconds=settings.warmup, **common)
    for attempt in range(1 + settings.retries):
        busy = wait_quiet(settings.quiet_wait)
        say(
            f"{m.server}: timing {settings.duration:.0f} s (machine {100 * busy:.0f} % busy before)"
        )
        trial = Measurement(m.size, m.server)
        _timed_run(trial, running, rotation_file, settings, common)
        if m.result is None or trial.other_cpu < m.other_cpu:
            m.result, m.server_cpu, m.wrk_cpu = trial.result, trial.server_cpu, trial.wrk_cpu
            m.other_cpu = trial.other_cpu
        if m.other_cpu <= NOISY or attempt == settings.retries:
            break
        say(f"{m.server}: other processes took {100 * m.other_cpu:.0f} % of the CPU: again")


NOISY = 0.25
"""Share of the CPU taken by other processes above which a timed run is tried once more."""


def wait_quiet(limit: float, threshold: float = 0.15) -> float:
    """Wait (at most `limit` s) until the machine is nearly idle over one second; the last
    busy share seen (the server is idle meanwhile, so this is other work)."""
    deadline = time.monotonic() + limit
    while True:
        busy0, total0 = servers.machine_cpu_seconds()
        time.sleep(1.0)
        busy1, total1 = servers.machine_cpu_seconds()
        share = (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0
        if share <= threshold or time.monotonic() >= deadline:
            return share


def _timed_run(
    m: Measurement,
    running: servers.Running,
    rotation_file: Path,
    settings: Settings,
    common: dict[str, Any],
) -> None:
    before = _cpu(running)
    m.result = loadgen.run_wrk(
        settings.wrk, running.url, rotation_file, seconds=settings.duration, **common
    )
    after = _cpu(running)
    m.server_cpu, m.wrk_cpu = after[0] - before[0], after[1] - before[1]
    busy, total = after[3] - before[3], after[4] - before[4]
    ours = m.server_cpu + m.wrk_cpu + (after[2] - before[2])
    m.other_cpu = max(0.0, busy - ours) / total if total else 0.0


def _cpu(running: servers.Running) -> tuple[float, float, float, float, float]:
    """(server, finished children i.e. wrk, this process, machine busy, machine total) CPU s."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    busy, total = servers.machine_cpu_seconds()
    return (
        servers.group_cpu_seconds(running.process.pid),
        children.ru_utime + children.ru_stime,
        own.ru_utime + own.ru_stime,
        busy,
        total,
    )


def count_triples(url: str, timeout: float) -> int | None:
    """Triples in the union default graph, as the server counts them; None if it cannot say
    (a full scan: rdflib-endpoint may take longer than the time-out at 1M)."""
    query = Query(MIX[0], "", PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    reply = loadgen.send(url, query, timeout)
    try:
        bindings = json.loads(reply.body)["results"]["bindings"]
        return int(bindings[0]["n"]["value"])
    except (ValueError, KeyError, IndexError):
        return None


def validate(
    m: Measurement, url: str, rotation: list[Query], reference: dict[str, Any], timeout: float
) -> None:
    """Send each distinct query once: it must answer 200, non-empty, and as the reference."""
    seconds: dict[str, list[float]] = {}
    for query in distinct(rotation):
        reply = loadgen.send(url, query, timeout)
        name = f"{query.template.name}({query.value.rsplit('/', 1)[-1]})"
        if reply.status == 0:
            raise MeasurementError(f"{name} unanswered within {timeout:.0f} s ({reply.error})")
        seconds.setdefault(query.template.name, []).append(reply.seconds)
        problem = _check(query, reply, reference)
        if problem:
            m.failures.append(f"{name}: {problem}")
    m.latency_ms = {k: 1000 * statistics.median(v) for k, v in seconds.items()}


def _check(query: Query, reply: loadgen.Reply, reference: dict[str, Any]) -> str:
    if reply.error or reply.status != 200:
        return reply.error or f"HTTP {reply.status}"
    try:
        answer = canonical(query.template, reply.content_type, reply.body)
    except (ValueError, KeyError, TypeError) as error:
        return f"unreadable answer ({reply.content_type}): {str(error)[:120]}"
    if not answer:
        return "empty answer"
    expected = reference.setdefault(query.sparql, answer)
    if answer != expected:
        return f"differs from the reference ({len(answer)} rows or triples, not {len(expected)})"
    return ""
