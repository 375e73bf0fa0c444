"""kg.cli: each command's module is imported when the command runs, and the app looks the same."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from kg.cli import COMMANDS, app

VALID = Path(__file__).parent / "data" / "validate" / "valid.ttl"
REPOSITORY = Path(__file__).parent.parent

NOT_FOR_VALIDATE = ("httpx", "fastapi", "uvicorn", "kg.remote", "kg.web", "kg.links.check")


def modules_after(*args: str) -> set[str]:
    """The modules a fresh interpreter has imported once `kg ARGS` has run."""
    script = (
        "import sys\n"
        "from kg.cli import app\n"
        "try:\n"
        f"    app({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n'.join(sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPOSITORY, check=True
    )
    return set(done.stderr.split())


def test_validating_a_file_imports_no_web_remote_or_links_code() -> None:
    imported = modules_after("validate", str(VALID))
    assert "kg.commands.validate" in imported
    assert [m for m in imported if m.startswith(NOT_FOR_VALIDATE)] == []


def test_importing_the_cli_imports_no_command() -> None:
    imported = modules_after("--version")
    assert [m for m in imported if m.startswith("kg.commands.")] == []


def test_help_lists_every_command_in_order() -> None:
    shown = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "100"}).output
    assert re.findall(r"^│ ([a-z]+) ", shown, flags=re.MULTILINE) == list(COMMANDS)


def test_a_mistyped_command_gets_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["valdate"])
    assert result.exit_code == 2
    assert "Did you mean 'validate'?" in result.output
