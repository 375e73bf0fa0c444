"""RESULTS.md: the figures of one run, the machine they came from, and the command."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from measure import NOISY, Measurement
from queries import MIX
from servers import LABELS, ROOT

MB = 1024 * 1024
OURS = "ours"
TARGETS = {"oxigraph": 0.8, "rdflib-endpoint": 10.0}
MEMORY_TARGET_MB = 500


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine_facts(tools: Any, wrk: str) -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return [
        f"CPU: {cpu}, {os.cpu_count()} cores (`nproc` {_run(['nproc'])}); "
        f"memory {memory:.0f} GiB; Linux {platform.release()}; Python {platform.python_version()}",
        f"partage-kg {_version('partage-kg')} at commit {_commit()}; "
        f"{_run([str(tools.oxigraph), '--version'])}; "
        f"rdflib-endpoint {_version('rdflib-endpoint')} (rdflib {_version('rdflib')}); "
        f"wrk {_wrk_version(wrk)}",
    ]


def _run(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout or done.stderr).strip()


def _wrk_version(wrk: str) -> str:
    words = _run([wrk, "--version"]).split()  # "wrk debian/4.1.0-3+b2 [epoll] Copyright ..."
    return words[1] if len(words) > 1 else "?"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _commit() -> str:
    commit = _run(["git", "rev-parse", "--short", "HEAD"]) or "?"
    dirty = _run(["git", "status", "--porcelain", "--untracked-files=no"])
    return f"{commit}{' (with uncommitted changes)' if dirty else ''}"


def ours_for(measurements: Sequence[Measurement], size: str) -> Measurement | None:
    return next((m for m in measurements if m.size == size and m.server == OURS), None)


def ratio(ours: Measurement | None, peer: Measurement) -> float | None:
    if ours is None or ours.result is None or peer.result is None or peer.server.startswith(OURS):
        return None
    return ours.result.throughput / peer.result.throughput if peer.result.throughput else None


def main_table(measurements: Sequence[Measurement]) -> list[str]:
    lines = [
        "| data | server | req/s | p50 ms | p99 ms | errors | peak RSS MB | ours ÷ it | load s "
        "| server CPU | CPU ms per answer | others' CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measurements:
        label = LABELS[m.server]
        load = m.load_s + m.start_s
        if m.result is None:
            lines.append(
                f"| {m.size} | {label} | not measured ({m.skipped}) | | | | "
                f"{_mb(m.peak_rss)} | | {load:.1f} | | | |"
            )
            continue
        r = m.result
        errors = r.non_2xx + r.socket_errors + r.timeouts
        share = ratio(ours_for(measurements, m.size), m)
        lines.append(
            f"| {m.size} | {label} | {r.throughput:,.1f} | {r.p50_ms:,.1f} | {r.p99_ms:,.1f} | "
            f"{errors} of {r.requests} | {_mb(m.peak_rss)} | "
            f"{f'{share:.2f}×' if share is not None else '—'} | {load:.1f} | "
            f"{m.server_cpu / r.seconds:.2f} cores | {_per_answer(m)} | {100 * m.other_cpu:.0f} % |"
        )
    return lines


def _per_answer(m: Measurement) -> str:
    """Server CPU time per successful answer: less sensitive to other work than req/s."""
    answers = m.result.requests - m.result.non_2xx if m.result else 0
    return f"{1000 * m.server_cpu / answers:,.2f}" if answers else "—"


def _mb(rss: int) -> str:
    return f"{rss / MB:,.0f}" if rss else "—"


def targets(measurements: Sequence[Measurement], sizes: Sequence[str]) -> list[str]:
    lines = []
    for size in sizes:
        ours = ours_for(measurements, size)
        for m in measurements:
            if m.size != size or m.server not in TARGETS:
                continue
            share, goal = ratio(ours, m), TARGETS[m.server]
            if share is None or ours is None:
                lines.append(f"- {size}, ours ÷ {LABELS[m.server]}: not measured (see above)")
            else:
                verdict = ("met" if share >= goal else "**not met**") + _noise(ours, m)
                lines.append(
                    f"- {size}, ours ÷ {LABELS[m.server]}: {share:.2f}× "
                    f"(target ≥ {goal:g}×): {verdict}"
                )
        for m in measurements:
            if m.size == size and m.server.startswith(OURS) and m.peak_rss:
                verdict = "met" if m.peak_rss / MB < MEMORY_TARGET_MB else "**not met**"
                lines.append(
                    f"- {size}, peak RSS of {LABELS[m.server]}: {_mb(m.peak_rss)} MB "
                    f"(target < {MEMORY_TARGET_MB} MB at 1M triples): {verdict}"
                )
    return lines


def _noise(*runs: Measurement) -> str:
    """A warning when other work on the machine took enough CPU to sway the comparison."""
    worst = max(m.other_cpu for m in runs)
    if worst <= NOISY:
        return ""
    return (
        f", but not conclusive: other processes took {100 * worst:.0f} % of the CPU "
        "during one of the two runs"
    )


def per_query_table(measurements: Sequence[Measurement]) -> list[str]:
    shown = [m for m in measurements if m.latency_ms]
    header = "| query | kind | " + " | ".join(f"{m.size} {m.server}" for m in shown) + " |"
    lines = [header, "|---|---|" + "---:|" * len(shown)]
    for template in MIX:
        cells = [
            f"{m.latency_ms[template.name]:,.1f}" if template.name in m.latency_ms else "—"
            for m in shown
        ]
        lines.append(f"| {template.name} | {template.kind} | " + " | ".join(cells) + " |")
    return lines


def validation(measurements: Sequence[Measurement]) -> list[str]:
    failures = [
        f"- {m.size}, {LABELS[m.server]}: {failure}" for m in measurements for failure in m.failures
    ]
    lines = failures or [
        "- Every query was answered 200, non-empty and as the reference, by every server measured."
    ]
    counts = [f"{m.size} {m.server} {m.triples:,}" for m in measurements if m.triples is not None]
    if counts:
        lines.append(
            "- Triples each server counts in its default graph (`SELECT (COUNT(*) AS ?n)"
            " { ?s ?p ?o }`): " + "; ".join(counts) + "."
        )
    return lines


def data_table(catalogues: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| data | quads | organisations | surveys | quads per graph |",
        "|---|---:|---:|---:|---|",
    ]
    for size, c in catalogues.items():
        graphs = ", ".join(f"{g} {n:,}" for g, n in c["graphs"].items())
        lines.append(
            f"| {size} | {c['quads']:,} | {c['organisations']:,} | {c['studies']:,} | {graphs} |"
        )
    return lines
