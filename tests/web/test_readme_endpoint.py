"""The README's curl example works as written against a running `kg serve`."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import httpx

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def curl_lines() -> list[str]:
    return [line for line in README.splitlines() if line.startswith("curl ")]


def test_readme_shows_one_curl_example() -> None:
    assert len(curl_lines()) >= 1


def test_get_readme_curl_example_answers(client: httpx.Client) -> None:
    for line in curl_lines():
        argv = [
            re.sub(r"^http://127\.0\.0\.1:8000", str(client.base_url).rstrip("/"), word)
            for word in shlex.split(line)
        ]
        run = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
        assert run.returncode == 0, run.stderr
        assert "la-ruche-qui-dit-oui" in run.stdout
