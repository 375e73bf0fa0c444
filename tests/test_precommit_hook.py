"""The `kg-validate` pre-commit hook, run for real by `pre-commit run` from a user's config.

pre-commit needs the hook repository to have a commit, and these tests need shapes that do not
change under them, so the hook repository is a temporary git repository made of this working
tree's package (pyproject.toml, src/, .pre-commit-hooks.yaml) with the fixture project's
shapes/ and ontology/ in place of the real ones. A user's repository names it, with its commit,
in .pre-commit-config.yaml as the README shows; pre-commit clones it and pip-installs it into an
environment of its own (dependencies come from the package index); the hook then finds shapes/
and ontology/ in that clone, the way it does for any user of the published repository.

Installing that environment is the cost (~10 s), so every test of the session shares one hook
repository and one PRE_COMMIT_HOME, even across pytest-xdist workers: the first worker to take
the lock makes the repository, and pre-commit's own lock on its home makes the first run install
the environment that the others reuse. (`pre-commit try-repo` would install it again each time:
it always works in a store of its own.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from session_files import locked, session_directory

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


@pytest.fixture(scope="session")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This session's directory for the hook, the same for every xdist worker."""
    return session_directory(tmp_path_factory, "pre-commit-hook")


@pytest.fixture(scope="session")
def hook_repository(shared: Path) -> Path:
    """A committed copy of the package whose shapes/ and ontology/ are the fixtures'.

    One for the session: pre-commit keys its installed environments by repository and commit.
    """
    root = shared / "hook"
    with locked(shared / "hook.lock"):
        if not root.is_dir():
            making = shared / "hook.partial"
            shutil.rmtree(making, ignore_errors=True)  # left by a worker that died making it
            make_hook_repository(making)
            making.rename(root)
    return root


@pytest.fixture(scope="session")
def pre_commit_home(shared: Path) -> Path:
    """The PRE_COMMIT_HOME of every test: the hook's environment is installed once."""
    return shared / "home"


def make_hook_repository(root: Path) -> None:
    root.mkdir()
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


def user_repository(root: Path, hook: Path, *fixtures: str) -> Path:
    """A git repository of someone using the hook at `hook`'s commit, with `fixtures` staged."""
    root.mkdir()
    git(root, "init", "--quiet")
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook, check=True, capture_output=True, text=True
    ).stdout.strip()
    config = f"repos:\n  - repo: {hook}\n    rev: {commit}\n    hooks:\n      - id: kg-validate\n"
    (root / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    for name in fixtures:
        shutil.copy(FIXTURES / name, root / name)
    git(root, "add", "--all")
    return root


def run_hook(user: Path, home: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "run", "kg-validate"]
    return subprocess.run(
        [*command, "--all-files", "--verbose"],
        cwd=user,
        env={**_environment(), "PRE_COMMIT_HOME": str(home), **PIP_QUICKER},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


PIP_QUICKER = {"PIP_NO_COMPILE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
"""For the pip that installs the hook's environment: no bytecode compiled for every module of
every dependency (Python compiles what the hook imports, when it imports it), no look-up of a
newer pip. What gets installed is the same."""


def _environment() -> dict[str, str]:
    # Git variables set by an outer hook would point pre-commit at the wrong repository.
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def test_hook_fails_naming_the_invalid_file(
    hook_repository: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    user = user_repository(tmp_path / "user", hook_repository, "valid.ttl", "violation.ttl")
    completed = run_hook(user, pre_commit_home)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "violation.ttl:6: violation: An organisation needs a label." in completed.stdout
    assert "valid.ttl:" not in completed.stdout.replace("violation.ttl", "")


def test_hook_passes_when_every_file_is_valid(
    hook_repository: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    user = user_repository(tmp_path / "user", hook_repository, "valid.ttl")
    completed = run_hook(user, pre_commit_home)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Passed" in completed.stdout
