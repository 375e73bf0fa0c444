"""`kg build`: summary, exit codes, determinism, and a failed build never touches the store."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.store import MANIFEST, read_manifest, run_query

FIXTURES = Path(__file__).parent / "data" / "build"
KG = Path(sys.executable).parent / "kg"

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the fixture project that a test may break."""
    return Path(shutil.copytree(FIXTURES / "project", tmp_path / "project"))


@dataclass(frozen=True)
class Built:
    """One `kg build` of an untouched copy of the fixture project, and what it printed."""

    project: Path
    store: Path
    code: int
    out: str
    err: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture project built once for the module; tests only read it, or copy its store."""
    root = tmp_path_factory.mktemp("built")
    project = Path(shutil.copytree(FIXTURES / "project", root / "project"))
    return Built(project, root / "store", *build(project, root / "store"))


def previous_store(built: Built, path: Path) -> Path:
    """A store that a successful `kg build` wrote, for a failing build to leave alone."""
    return Path(shutil.copytree(built.store, path))


def snapshot(path: Path) -> dict[str, str]:
    return {
        file.relative_to(path).as_posix(): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in sorted(path.rglob("*"))
        if file.is_file()
    }


def build(project: Path, store: Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["build", "--root", str(project), "--store", str(store)])
    return result.exit_code, result.stdout, result.stderr


def test_build_writes_the_store_and_prints_triples_per_graph(built: Built) -> None:
    assert built.code == 0, built.err
    assert "https://w3id.org/partage/graph/study" in built.out
    assert f"content hash {read_manifest(built.store).content_hash}" in built.out


def test_build_defaults_to_the_store_under_the_root(project: Path) -> None:
    result = runner.invoke(app, ["build", "--root", str(project)], env={"KG_STORE": None})
    assert result.exit_code == 0
    assert (project / ".kg" / "store" / MANIFEST).is_file()


def test_build_twice_gives_the_same_content_hash(built: Built, tmp_path: Path) -> None:
    assert build(built.project, tmp_path / "two")[0] == 0
    assert (built.store / MANIFEST).read_bytes() == (tmp_path / "two" / MANIFEST).read_bytes()


def test_build_parse_error_exits_2_naming_file_and_line(
    built: Built, project: Path, tmp_path: Path
) -> None:
    store = previous_store(built, tmp_path / "store")
    before = snapshot(store)
    shutil.copy(FIXTURES / "broken" / "organisations.ttl", project / "data" / "organisations.ttl")
    code, _, err = build(project, store)
    assert code == 2
    assert f"{project / 'data' / 'organisations.ttl'}:7:" in err
    assert snapshot(store) == before
    assert run_query(store, "ASK { id:org-alpha a pv:Marketplace }").boolean is True


def test_build_violation_exits_1_and_keeps_previous_store(
    built: Built, project: Path, tmp_path: Path
) -> None:
    store = previous_store(built, tmp_path / "store")
    before = snapshot(store)
    shutil.copy(FIXTURES / "invalid" / "organisations.ttl", project / "data" / "invalid.ttl")
    code, out, err = build(project, store)
    assert code == 1
    assert "org-delta" in out
    assert "not written" in err
    assert snapshot(store) == before
    assert run_query(store, "ASK { id:org-delta ?p ?o }").boolean is False


def test_build_outside_a_project_exits_2(tmp_path: Path) -> None:
    code, _, err = build(tmp_path, tmp_path / "store")
    assert code == 2
    assert "ontology/" in err


def test_build_runs_as_the_installed_console_script(project: Path, tmp_path: Path) -> None:
    completed = subprocess.run(
        [str(KG), "build", "--root", str(project), "--store", str(tmp_path / "store")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert read_manifest(tmp_path / "store").triples


def test_console_script_reports_parse_errors_with_exit_2(project: Path, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "broken" / "organisations.ttl", project / "data" / "organisations.ttl")
    completed = subprocess.run(
        [str(KG), "build", "--root", str(project), "--store", str(tmp_path / "store")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith(f"{project / 'data' / 'organisations.ttl'}:7:")
    assert not (tmp_path / "store").exists()
