"""Time the release path as a user meets it: `kg validate`, `kg build`, accepted edits
through the endpoint (the first after start-up, and the median of later ones of two kinds)
and, with `--suite`, `make test`'s lint and pytest.

Not a test: each command runs as a fresh process (interpreter start-up and imports included,
as a user's CI pays them), `--repeat` times, and the median is written to
its section of bench/RESULTS.md with the targets of the redesign (issue #9); the endpoint's
ratio to Oxigraph's server is read from the section `bench/run.py` writes there. An edit is timed
from request to answer: an `INSERT DATA` POSTed to a `kg serve` on a fresh store, each a new
triple, so each is accepted, validated and published. Run from the project's root:
`.venv/bin/python bench/release.py [--suite]`.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

# Run as a script (`python bench/release.py`), so bench/ is on sys.path.
import sections

ROOT = Path(__file__).resolve().parent.parent
KG = Path(sys.executable).with_name("kg")
SMALL_FILE = ROOT / "tests" / "data" / "validate" / "valid.ttl"
TOKEN = "bench-token"


def seconds(command: list[str], repeat: int) -> float:
    """The median wall-clock time of `command` over `repeat` runs.

    Exit 1 of `kg validate` is a finished validation that found results; 2 and 3 stop the run.
    """
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} exited {done.returncode}: {done.stderr}")
    return statistics.median(times)


@contextmanager
def serving(store: Path) -> Iterator[str]:
    """`kg serve` on `store` with edits enabled, until the block ends; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "KG_ADMIN_TOKEN": TOKEN}
    command = [str(KG), "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/sparql", params={"query": "ASK {}"}).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


STUDY = "https://w3id.org/partage/graph/study"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
PREPARED_AFTER = 5.0
"""Seconds after `kg serve` answers when it has validated its release (`prepare_edits`)."""
FIRST_ORGANISATION = (
    "SELECT ?o WHERE { ?o a <https://w3id.org/partage/ontology#Organisation> } ORDER BY ?o LIMIT 1"
)


def edit_seconds(scratch: str, repeat: int) -> dict[str, float]:
    """Accepted edits, request to answer, on a fresh store and server: the first edit, sent as
    soon as the server answers (it waits for the validation `kg serve` makes at start-up), then
    the median of `repeat` more of each kind: a triple in a graph of its own, which no shape
    reads, and an English comment on an organisation of the study graph, which the
    organisation's shapes read; and the first edit of a second server, sent once it has had
    time to validate its release.
    """
    store = Path(scratch) / "edited"
    subprocess.run([str(KG), "build", "--store", str(store)], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    found: dict[str, list[float]] = {"first": [], "own graph": [], "study": []}
    with serving(store) as url, httpx.Client(timeout=120) as client:
        headers = {"authorization": f"Bearer {TOKEN}"}
        answer = client.get(
            f"{url}/sparql",
            params={"query": FIRST_ORGANISATION},
            headers={"accept": "application/sparql-results+json"},
        )
        organisation = answer.json()["results"]["bindings"][0]["o"]["value"]
        kinds = ["first", *["own graph"] * repeat, *["study"] * repeat]
        for value, kind in enumerate(kinds):
            if kind == "study":
                triple = f'<{organisation}> <{COMMENT}> "Note {value}."@en'
                update = f"INSERT DATA {{ GRAPH <{STUDY}> {{ {triple} }} }}"
            else:
                triple = f"<urn:bench:s> <urn:bench:p> {value}"
                update = f"INSERT DATA {{ GRAPH <urn:bench:g> {{ {triple} }} }}"
            started = time.perf_counter()
            answer = client.post(f"{url}/sparql", data={"update": update}, headers=headers)
            found[kind].append(time.perf_counter() - started)
            if answer.status_code != 204:
                sys.exit(f"the edit was answered {answer.status_code}: {answer.text}")
    with serving(store) as url, httpx.Client(timeout=120) as client:
        time.sleep(PREPARED_AFTER)  # kg serve has validated its release meanwhile
        update = "INSERT DATA { GRAPH <urn:bench:g> { <urn:bench:s> <urn:bench:p> -1 } }"
        started = time.perf_counter()
        answer = client.post(f"{url}/sparql", data={"update": update}, headers=headers)
        found["first, later"] = [time.perf_counter() - started]
        if answer.status_code != 204:
            sys.exit(f"the edit was answered {answer.status_code}: {answer.text}")
    return {kind: statistics.median(times) for kind, times in found.items()}


def suite_seconds() -> list[tuple[str, float]]:
    """`make test`'s two steps after install, timed once each: lint, then pytest -n auto.

    A step that fails is timed all the same and named as failed: the figure is still one run's.
    """
    pytest = str(KG.with_name("pytest"))
    steps = [("lint", ["make", "lint"]), ("pytest -n auto", [pytest, "-n", "auto", "-q"])]
    measured = []
    for name, command in steps:
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        label = name if done.returncode == 0 else f"{name} (FAILED: exit {done.returncode})"
        measured.append((label, time.perf_counter() - started))
        if done.returncode != 0:
            print(done.stdout[-3000:], file=sys.stderr)
    return measured


def endpoint_ratio() -> str:
    """Ours ÷ Oxigraph server at 10k triples, cache off, as bench/RESULTS.md last measured it."""
    text = sections.read_sections().get("endpoint", "")
    found = re.search(r"10k, ours ÷ Oxigraph server: ([0-9.]+)×", text)
    run = re.search(r"at commit (\w+)", text)
    if not found:
        return "not measured"
    return f"{found.group(1)}× (bench/RESULTS.md, commit {run.group(1) if run else '?'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--suite", action="store_true", help="also time make lint and pytest")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as scratch:
        rows = [
            ("`kg validate` on the project's graph", [str(KG), "validate"], 2.0),
            ("`kg validate` of one small file", [str(KG), "validate", str(SMALL_FILE)], 1.0),
            ("`kg build`", [str(KG), "build", "--store", f"{scratch}/store"], 5.0),
        ]
        measured = [(name, seconds(command, args.repeat), target) for name, command, target in rows]
        edit = edit_seconds(scratch, max(args.repeat, 5))
    suite = suite_seconds() if args.suite else []
    table = [f"| {name} | {value:.2f} | ≤ {target:g} |" for name, value, target in measured]
    table.append(
        f"| an accepted edit, request to answer: a triple in its own graph (median) |"
        f" {edit['own graph']:.2f} | ≤ 1 |"
    )
    table.append(
        f"| an accepted edit: an English comment on an organisation, study graph (median) |"
        f" {edit['study']:.2f} | ≤ 1 |"
    )
    table.append(
        f"| the first edit, sent as soon as `kg serve` answers (it waits for the start-up"
        f" validation) | {edit['first']:.2f} | ≤ 1 |"
    )
    table.append(
        f"| the first edit, sent {PREPARED_AFTER:g} s after `kg serve` answers |"
        f" {edit['first, later']:.2f} | ≤ 1 |"
    )
    if suite:
        total = sum(value for _name, value in suite)
        steps = " + ".join(f"{name} {value:.0f} s" for name, value in suite)
        table.append(f"| `make test` after install ({steps}) | {total:.0f} | ≤ 120 |")
    else:
        table.append("| `make test` after install (lint + pytest) | not run (`--suite`) | ≤ 120 |")
    table.append(
        f"| endpoint mix vs Oxigraph server, 10k, cache off | {endpoint_ratio()} | ≥ 1.18× |"
    )
    lines = [
        "## The release path (`bench/release.py`)",
        "",
        f"`bench/release.py --repeat {args.repeat}` at commit {commit}: median wall-clock time of",
        "each command as a fresh process, on this project's 2-core machine.",
        "",
        "| figure | seconds | target |",
        "|---|---:|---:|",
        *table,
        "",
    ]
    sections.write_section("release", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
