"""`kg validate FILE` on the project's own examples: the exit-code contract a user's CI relies on.

Every example is validated once, through the API, by tests/test_shapes.py: each invalid one gets
exactly the results, with their severities, that its `# expect:` lines list, and each valid one
gets none. This module runs the command itself on a handful of them, each standing for a part of
the contract, for the file as a user would pass it (the CLI asserts its claims, derives its
provenance and entailments, and validates it beside the whole ontology):

* an example whose strongest result is a Violation exits 1 by default;
* a warning-only example exits 0 by default and 1 with `--fail-on warning`;
* an info-only example exits 0 with `--fail-on warning` and 1 with `--fail-on info`;
* the examples whose fault lives only in a claim's triple exit 1 (the command asserts it);
* a valid example exits 0 even with `--fail-on info` (the ontology beside it is clean);
* a malformed example exits 2, naming file and line.

tests/test_cli_validate.py holds the rest of the contract (formats, baselines, missing files,
exit 3, the console script in a real process) on small fixtures.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kg.cli import app

DATA = Path(__file__).resolve().parent / "data"
INVALID_CASES = sorted((DATA / "invalid").glob("*.ttl"))
VALID_CASES = sorted((DATA / "valid").glob("*.ttl"))
EXPECT = re.compile(r"^# expect: (?P<severity>Violation|Warning|Info)\b", re.MULTILINE)
ORDER = ("Info", "Warning", "Violation")

# Faults that exist only in the triple a claim states: `kg validate FILE` must assert it.
FAULTS_IN_A_CLAIMS_TRIPLE = (
    "OrganisationShape--description-in-english",
    "OrganisationShape--status-mark-as-legal-form",
)


def strongest_expected(path: Path) -> str:
    """The strongest severity among the `# expect:` lines of `path`, lower-cased."""
    severities = EXPECT.findall(path.read_text(encoding="utf-8"))
    assert severities, f"{path.name} has no '# expect:' line"
    return max(severities, key=ORDER.index).lower()


def first_case(strongest: str) -> Path:
    """The first invalid example (by name) whose strongest expected result is `strongest`."""
    case = next((c for c in INVALID_CASES if strongest_expected(c) == strongest), None)
    assert case is not None, f"no example in tests/data/invalid/ is {strongest} at most"
    return case


def kg_validate(path: Path, root: Path, *options: str) -> Result:
    return CliRunner().invoke(app, ["validate", str(path), "--root", str(root), *options])


def test_a_violation_exits_1_by_default_naming_the_file(project_root: Path) -> None:
    case = first_case("violation")
    result = kg_validate(case, project_root)
    assert result.exit_code == 1, result.output
    assert f"{case}:" in result.stdout


def test_a_warning_only_example_exits_0_by_default_and_1_on_warning(project_root: Path) -> None:
    case = first_case("warning")
    assert kg_validate(case, project_root).exit_code == 0
    assert kg_validate(case, project_root, "--fail-on", "warning").exit_code == 1


def test_an_info_only_example_exits_0_on_warning_and_1_on_info(project_root: Path) -> None:
    case = first_case("info")
    assert kg_validate(case, project_root, "--fail-on", "warning").exit_code == 0
    assert kg_validate(case, project_root, "--fail-on", "info").exit_code == 1


@pytest.mark.parametrize("name", FAULTS_IN_A_CLAIMS_TRIPLE)
def test_a_fault_only_in_a_claims_triple_exits_1(name: str, project_root: Path) -> None:
    case = DATA / "invalid" / f"{name}.ttl"
    assert case in INVALID_CASES, f"{case.name} is gone: name another such example here"
    result = kg_validate(case, project_root, "--fail-on", strongest_expected(case))
    assert result.exit_code == 1, result.output


def test_a_valid_example_exits_0_even_on_info(project_root: Path) -> None:
    assert VALID_CASES, "tests/data/valid/ has no example"
    result = kg_validate(VALID_CASES[0], project_root, "--fail-on", "info")
    assert result.exit_code == 0, result.output


def test_a_malformed_example_exits_2_naming_file_and_line(
    project_root: Path, tmp_path: Path
) -> None:
    lines = INVALID_CASES[0].read_text(encoding="utf-8").splitlines()
    broken = tmp_path / INVALID_CASES[0].name
    broken.write_text("\n".join([*lines, "<urn:a> <urn:p> @@ ."]) + "\n", encoding="utf-8")
    result = kg_validate(broken, project_root)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{broken}:{len(lines) + 1}:")
