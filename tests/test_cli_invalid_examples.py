"""`kg validate` is red on every broken example and green on every valid one, through the CLI.

tests/test_shapes.py checks which shape fires; this checks the contract a user's CI relies on:
the exit code, for the file as a user would pass it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

DATA = Path(__file__).resolve().parent / "data"
EXPECT = re.compile(r"^# expect: (?P<severity>Violation|Warning|Info)\b", re.MULTILINE)
ORDER = ("Info", "Warning", "Violation")


def strongest_expected(path: Path) -> str:
    severities = EXPECT.findall(path.read_text(encoding="utf-8"))
    assert severities, f"{path.name} has no '# expect:' line"
    return max(severities, key=ORDER.index).lower()


def kg_validate(path: Path, root: Path, *options: str) -> int:
    result = CliRunner().invoke(app, ["validate", str(path), "--root", str(root), *options])
    return result.exit_code


@pytest.mark.parametrize(
    "case", sorted((DATA / "invalid").glob("*.ttl")), ids=lambda path: path.stem
)
def test_validate_exits_1_on_each_invalid_example(case: Path, project_root: Path) -> None:
    assert kg_validate(case, project_root, "--fail-on", strongest_expected(case)) == 1


@pytest.mark.parametrize("case", sorted((DATA / "valid").glob("*.ttl")), ids=lambda path: path.stem)
def test_validate_exits_0_on_each_valid_example(case: Path, project_root: Path) -> None:
    assert kg_validate(case, project_root, "--fail-on", "info") == 0
