"""Time the release path as a user meets it: `kg validate` and `kg build`, each run whole.

Not a test: each command runs as a fresh process (interpreter start-up and imports included,
as a user's CI pays them), `--repeat` times, and the median is written to
bench/RELEASE-RESULTS.md. Run from the project's root: `.venv/bin/python bench/release.py`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG = Path(sys.executable).with_name("kg")
SMALL_FILE = ROOT / "tests" / "data" / "validate" / "valid.ttl"
RESULTS = ROOT / "bench" / "RELEASE-RESULTS.md"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
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
    lines = [
        "# Release path: one run",
        "",
        f"`bench/release.py --repeat {args.repeat}` at commit {commit}: median wall-clock time of",
        "each command as a fresh process, on this project's 2-core machine.",
        "",
        "| command | seconds | target |",
        "|---|---:|---:|",
        *(f"| {name} | {value:.2f} | ≤ {target:g} |" for name, value, target in measured),
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
