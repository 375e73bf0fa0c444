"""Running a script under several hash seeds: output that depends on set or dict order of
strings differs between them, so a byte-for-byte reproducible build must not."""

from __future__ import annotations

import subprocess
import sys

SEEDS = ("1", "2")


def outputs_under_hash_seeds(script: str, *args: str) -> list[str]:
    """The standard output of `python -c script args` under each of `SEEDS`, run side by side.

    Each run must exit 0; the environment is empty but for the seed, so nothing else varies.
    """
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args],
            stdout=subprocess.PIPE,
            text=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        )
        for seed in SEEDS
    ]
    outputs = []
    for run in runs:
        out, _err = run.communicate(timeout=300)
        assert run.returncode == 0
        outputs.append(out)
    return outputs
