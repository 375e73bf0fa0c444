"""Validation gives the same results however fast it is made.

`tests/data/reports/before.json` holds the result keys (`kg.validate.result_key`: focus node,
path, component, shape, value) of the project's graph and of every example under
tests/data/invalid/ and tests/data/valid/, recorded with pySHACL parsing each SHACL-SPARQL
query once per focus node, before `kg.sparql_grammar` cached the parse. A faster validation must
report exactly the same set. Refresh only on purpose: `pytest --update-expected` rewrites it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.namespaces import ONTOLOGY_GRAPH
from kg.validate import validate
from test_shapes import INVALID_CASES, VALID_CASES, as_published

GOLDEN = Path(__file__).parent / "data" / "reports" / "before.json"
CASES = [*INVALID_CASES, *VALID_CASES]


def keys(data: Graph, shapes: Graph) -> list[list[str]]:
    """The sorted result keys of validating `data`, with their severities."""
    report = validate(data, shapes)
    return sorted([*r.key, r.severity.label] for r in report.results)


def golden() -> dict[str, list[list[str]]]:
    loaded: dict[str, list[list[str]]] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def expected(request: pytest.FixtureRequest) -> dict[str, list[list[str]]]:
    return {} if request.config.getoption("--update-expected") else golden()


def record(name: str, found: list[list[str]]) -> None:
    current = golden() if GOLDEN.exists() else {}
    current[name] = found
    GOLDEN.write_text(json.dumps(dict(sorted(current.items())), indent=1) + "\n", "utf-8")


def check(name: str, found: list[list[str]], expected: dict[str, list[list[str]]]) -> None:
    if not expected:
        record(name, found)
        return
    assert found == expected[name]


def test_project_report_is_unchanged(
    project_data: Graph, project_shapes: Graph, expected: dict[str, list[list[str]]]
) -> None:
    check("project", keys(project_data, project_shapes), expected)


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_example_report_is_unchanged(
    case: Path,
    project_shapes: Graph,
    project_graphs: dict[URIRef, Graph],
    expected: dict[str, list[list[str]]],
) -> None:
    fixture = Graph().parse(case)
    data = as_published(fixture, project_graphs[ONTOLOGY_GRAPH])
    check(f"{case.parent.name}/{case.name}", keys(data, project_shapes), expected)
