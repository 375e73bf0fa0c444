"""The `kg-validate` pre-commit hook, run for real by `pre-commit try-repo`.

pre-commit needs the hook repository to have a commit, and these tests need shapes that do not
change under them, so the hook repository is a temporary git repository made of this working
tree's package (pyproject.toml, src/, .pre-commit-hooks.yaml) with the fixture project's
shapes/ and ontology/ in place of the real ones. pre-commit clones it and pip-installs it into
an environment of its own (dependencies come from the package index); the hook then finds
shapes/ and ontology/ in that clone, the way it does for any user of the published repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "data" / "validate"
PACKAGE_FILES = ("pyproject.toml", ".pre-commit-hooks.yaml", "README.md")

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git"),
    pytest.mark.skipif(
        not (REPOSITORY / "src" / "kg" / "cli.py").is_file(),
        reason="src/kg/cli.py, which provides the `kg` entry point the hook runs, is not written",
    ),
]


def git(cwd: Path, *args: str) -> None:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.org"]
    command = ["git", *identity, "-c", "commit.gpgsign=false", *args]
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of the package whose shapes/ and ontology/ are the fixtures'."""
    root = tmp_path_factory.mktemp("hook")
    for name in PACKAGE_FILES:
        if (REPOSITORY / name).is_file():
            shutil.copy(REPOSITORY / name, root / name)
    if not (root / "README.md").exists():  # pyproject.toml names it as the package readme
        (root / "README.md").write_text("Partage KG\n", encoding="utf-8")
    ignored = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(REPOSITORY / "src", root / "src", ignore=ignored)
    for directory in ("shapes", "ontology"):
        shutil.copytree(FIXTURES / "project" / directory, root / directory)
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "hook under test")
    return root


def user_repository(root: Path, *fixtures: str) -> Path:
    """A git repository of someone using the hook, with `fixtures` staged."""
    root.mkdir()
    git(root, "init", "--quiet")
    for name in fixtures:
        shutil.copy(FIXTURES / name, root / name)
    git(root, "add", "--all")
    return root


def try_repo(hook: Path, user: Path, home: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hook), "kg-validate"]
    return subprocess.run(
        [*command, "--all-files", "--verbose"],
        cwd=user,
        env={**_environment(), "PRE_COMMIT_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _environment() -> dict[str, str]:
    # Git variables set by an outer hook would point pre-commit at the wrong repository.
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def test_hook_fails_naming_the_invalid_file(hook_repository: Path, tmp_path: Path) -> None:
    user = user_repository(tmp_path / "user", "valid.ttl", "violation.ttl")
    completed = try_repo(hook_repository, user, tmp_path / "cache")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "violation.ttl:6: violation: An organisation needs a label." in completed.stdout
    assert "valid.ttl:" not in completed.stdout.replace("violation.ttl", "")


def test_hook_passes_when_every_file_is_valid(hook_repository: Path, tmp_path: Path) -> None:
    user = user_repository(tmp_path / "user", "valid.ttl")
    completed = try_repo(hook_repository, user, tmp_path / "cache")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Passed" in completed.stdout
