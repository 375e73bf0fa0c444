"""`kg validate`: its exit contract, formats, baselines and project mode, through the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from kg.commands.validate import validate

DATA = Path(__file__).parent / "data" / "validate"
PROJECT = DATA / "project"
REPOSITORY = Path(__file__).parent.parent
KG = Path(sys.executable).parent / "kg"


def make_app() -> typer.Typer:
    """A Typer app registering the command the way cli.py does."""
    app = typer.Typer()
    app.command("validate")(validate)

    @app.callback()
    def main() -> None:
        """Force sub-command mode, as the real app has several commands."""

    return app


def kg_validate(*args: str | Path) -> Result:
    return CliRunner().invoke(make_app(), ["validate", *map(str, args)])


def against_fixtures(*args: str | Path) -> Result:
    """Run with the fixture project's shapes and ontology, not the real ones."""
    return kg_validate("--root", PROJECT, *args)


def test_conformant_file_exits_0() -> None:
    result = against_fixtures(DATA / "valid.ttl")
    assert result.exit_code == 0, result.output


def test_violation_exits_1_naming_file_and_line() -> None:
    result = against_fixtures(DATA / "violation.ttl")
    assert result.exit_code == 1
    assert f"{DATA / 'violation.ttl'}:6: violation:" in result.stdout


def test_warning_only_exits_0_by_default() -> None:
    assert against_fixtures(DATA / "warning.ttl").exit_code == 0


def test_warning_only_exits_1_with_fail_on_warning() -> None:
    assert against_fixtures("--fail-on", "warning", DATA / "warning.ttl").exit_code == 1


def test_info_only_exits_1_with_fail_on_info_only() -> None:
    assert against_fixtures("--fail-on", "warning", DATA / "info.ttl").exit_code == 0
    assert against_fixtures("--fail-on", "info", DATA / "info.ttl").exit_code == 1


def test_missing_file_exits_2_naming_it() -> None:
    result = against_fixtures(DATA / "absent.ttl")
    assert result.exit_code == 2
    assert f"{DATA / 'absent.ttl'}: no such file or directory" in result.stderr


def test_malformed_turtle_exits_2_naming_file_and_line() -> None:
    result = against_fixtures(DATA / "malformed.ttl")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{DATA / 'malformed.ttl'}:6:")


def test_unknown_format_is_bad_usage_exit_2() -> None:
    assert against_fixtures("--format", "yaml", DATA / "valid.ttl").exit_code == 2


def test_shapes_pyshacl_cannot_run_exit_3() -> None:
    result = kg_validate("--shapes", DATA / "crash-shapes", DATA / "valid.ttl")
    assert result.exit_code == 3
    assert result.stderr.startswith("internal error:")


def test_shapes_option_takes_a_single_file() -> None:
    shapes = PROJECT / "shapes" / "shapes.ttl"
    result = kg_validate("--root", PROJECT, "--shapes", shapes, DATA / "violation.ttl")
    assert result.exit_code == 1


def test_shapes_directory_without_rdf_exits_2(tmp_path: Path) -> None:
    result = kg_validate("--shapes", tmp_path, DATA / "valid.ttl")
    assert result.exit_code == 2
    assert f"{tmp_path}: no RDF files" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "turtle", "json", "junit", "sarif", "github"])
def test_every_format_carries_file_and_line(fmt: str) -> None:
    result = against_fixtures("--format", fmt, DATA / "violation.ttl")
    assert result.exit_code == 1
    if fmt == "turtle":
        assert f"{(DATA / 'violation.ttl').resolve().as_uri()}#line=5,6" in result.stdout
    elif fmt == "sarif":
        region = json.loads(result.stdout)["runs"][0]["results"][0]["locations"][0]
        assert region["physicalLocation"]["region"]["startLine"] == 6
    else:
        assert "violation.ttl" in result.stdout
        assert any(mark in result.stdout for mark in (":6", '"line": 6', 'line="6"', "line=6"))


def test_output_option_writes_the_report_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = against_fixtures("--format", "json", "--output", target, DATA / "violation.ttl")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(target.read_text())["counts"]["violation"] == 1


@pytest.mark.parametrize("fmt", ["json", "turtle"])
def test_baseline_accepts_known_results_and_catches_new_ones(fmt: str, tmp_path: Path) -> None:
    baseline = tmp_path / f"baseline.{'json' if fmt == 'json' else 'ttl'}"
    saved = against_fixtures("--format", fmt, "--output", baseline, DATA / "violation.ttl")
    assert saved.exit_code == 1
    again = against_fixtures("--baseline", baseline, DATA / "violation.ttl")
    assert again.exit_code == 0, again.output
    grown = against_fixtures(
        "--baseline", baseline, DATA / "violation.ttl", DATA / "empty-label.ttl"
    )
    assert grown.exit_code == 1
    assert "empty-label.ttl:6: violation: A label must not be empty." in grown.stdout
    assert "violation.ttl:6:" not in grown.stdout.replace("empty-label.ttl", "")


def test_missing_baseline_exits_2(tmp_path: Path) -> None:
    result = against_fixtures("--baseline", tmp_path / "none.json", DATA / "valid.ttl")
    assert result.exit_code == 2
    assert "none.json" in result.stderr


def test_without_files_the_project_graph_is_validated(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    assert kg_validate("--root", project).exit_code == 0
    shutil.copy(DATA / "violation.ttl", project / "data" / "violation.ttl")
    result = kg_validate("--root", project)
    assert result.exit_code == 1
    assert f"{project / 'data' / 'violation.ttl'}:6: violation:" in result.stdout


def test_console_script_runs_in_a_real_process() -> None:
    if not (REPOSITORY / "src" / "kg" / "cli.py").is_file():
        pytest.skip("src/kg/cli.py, which registers `kg validate`, is not written yet")
    if not KG.is_file():
        pytest.skip(f"no console script at {KG}: run `pip install -e {REPOSITORY}`")
    command = [str(KG), "validate", "--root", str(PROJECT), str(DATA / "violation.ttl")]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert completed.returncode == 1, completed.stderr
    assert f"{DATA / 'violation.ttl'}:6: violation:" in completed.stdout


def test_a_directory_argument_stands_for_its_rdf_files(tmp_path: Path) -> None:
    shutil.copy(DATA / "valid.ttl", tmp_path / "valid.ttl")
    shutil.copy(DATA / "violation.ttl", tmp_path / "violation.ttl")
    (tmp_path / "notes.txt").write_text("not RDF, not read\n", encoding="utf-8")
    result = against_fixtures(tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path / 'violation.ttl'}:6: violation:" in result.stdout


def test_named_graphs_of_a_trig_file_are_all_validated(tmp_path: Path) -> None:
    trig = tmp_path / "graphs.trig"
    body = (DATA / "violation.ttl").read_text(encoding="utf-8").split("\n\n", 1)[1]
    prefixes = (DATA / "violation.ttl").read_text(encoding="utf-8").split("\n\n", 1)[0]
    trig.write_text(f"{prefixes}\n\n<urn:graph:g> {{\n{body}}}\n", encoding="utf-8")
    result = against_fixtures(trig)
    assert result.exit_code == 1
    assert f"{trig}:7: violation: An organisation needs a label." in result.stdout
