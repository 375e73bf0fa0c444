"""The README is part of the product: its Python example and its `kg` commands run as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```(?P<lang>\w+)\n(?P<code>.*?)```", re.DOTALL)


def blocks(lang: str) -> list[str]:
    return [m["code"] for m in BLOCK.finditer(README) if m["lang"] == lang]


@pytest.fixture
def project_like_dir(tmp_path: Path, built_store: Path) -> Path:
    """A directory where `.kg/store` is the built store, as after `make serve`."""
    (tmp_path / ".kg").mkdir()
    (tmp_path / ".kg" / "store").symlink_to(built_store)
    return tmp_path


def test_the_first_screen_shows_the_two_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:20])
    assert "make serve" in first_screen
    assert "make test" in first_screen


@pytest.mark.parametrize("code", blocks("python"), ids=lambda code: code.splitlines()[0])
def test_python_example_runs(code: str, project_like_dir: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project_like_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("15 ")


def kg_commands() -> list[str]:
    return [
        line
        for code in blocks("sh")
        for line in code.splitlines()
        if line.startswith(".venv/bin/kg ")
    ]


@pytest.mark.parametrize("command", kg_commands())
def test_kg_command_runs(command: str, project_like_dir: Path) -> None:
    argv = shlex.split(command)
    argv[0] = str(Path(sys.executable).parent / "kg")
    run = subprocess.run(
        argv,
        cwd=project_like_dir,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "KG_ROOT": str(project_like_dir)},
    )
    assert run.returncode == 0, run.stderr
    assert "la-ruche-qui-dit-oui" in run.stdout
