"""kg.report: every format is well-formed and says where each result is; baselines."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, SH

from kg.errors import SourceError
from kg.namespaces import ID, PV
from kg.report import FORMATS, load_baseline, path_text, render, subtract_baseline
from kg.validate import Severity, ValidationReport, read_report, validate

DATA = Path(__file__).parent / "data" / "validate"
PROJECT = DATA / "project"
SOURCES = [DATA / "violation.ttl", DATA / "warning.ttl", DATA / "info.ttl"]
GITHUB_LINE = re.compile(
    r"^::(?P<command>error|warning|notice) file=(?P<file>[^,]+),line=(?P<line>\d+),"
    r"title=(?P<title>[^:]*)::(?P<message>.*)$"
)


@pytest.fixture(scope="module")
def report() -> ValidationReport:
    """One violation (violation.ttl:6), one warning (warning.ttl:6), one info (info.ttl:6)."""
    data = Graph()
    for path in SOURCES:
        data.parse(path, format="turtle")
    shapes = Graph().parse(PROJECT / "shapes" / "shapes.ttl")
    ontology = Graph().parse(PROJECT / "ontology" / "ontology.ttl")
    return validate(data, shapes, ontology, inference="rdfs")


def test_text_heads_each_result_with_file_line_severity_and_message(
    report: ValidationReport,
) -> None:
    text = render(report, "text", SOURCES)
    assert f"{DATA / 'violation.ttl'}:6: violation: An organisation needs a label." in text
    assert f"{DATA / 'warning.ttl'}:6: warning: An organisation should have a comment." in text
    assert "    focus node: id:unlabelled\n    path: rdfs:label\n" in text


def test_text_ends_with_counts_per_severity(report: ValidationReport) -> None:
    last = render(report, "text", SOURCES).splitlines()[-1]
    assert last == "3 results (1 violation, 1 warning, 1 info); fails: 1 at or above violation"


def test_json_has_its_documented_structure_and_locations(report: ValidationReport) -> None:
    document = json.loads(render(report, "json", SOURCES))
    assert document["format"] == "partage-kg/validation-report/1"
    assert document["conforms"] is False
    assert document["counts"] == {"violation": 1, "warning": 1, "info": 1}
    first = document["results"][0]
    assert first["severity"] == "violation"
    assert first["focusNode"] == f"<{ID.unlabelled}>"
    assert first["location"] == {"file": str(DATA / "violation.ttl"), "line": 6}
    assert len(first["key"]) == 5


def test_junit_fails_only_results_at_or_above_threshold(report: ValidationReport) -> None:
    root = ET.fromstring(render(report, "junit", SOURCES, Severity.WARNING))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 3
    assert root.get("failures") == "2"
    failed = [case for case in cases if case.find("failure") is not None]
    assert [(c.get("file"), c.get("line")) for c in failed] == [
        (str(DATA / "violation.ttl"), "6"),
        (str(DATA / "warning.ttl"), "6"),
    ]


def test_junit_of_a_conformant_report_has_one_passing_case() -> None:
    empty = read_report(Graph())
    root = ET.fromstring(render(empty, "junit"))
    assert [case.get("name") for case in root.iter("testcase")] == ["conforms"]


def test_sarif_has_the_required_properties_and_regions(report: ValidationReport) -> None:
    log = json.loads(render(report, "sarif", SOURCES))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) == 3
    levels = []
    for result in run["results"]:
        assert result["message"]["text"]
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"].endswith(".ttl")
        assert location["physicalLocation"]["region"]["startLine"] == 6
        levels.append(result["level"])
    assert levels == ["error", "warning", "note"]


def test_github_lines_are_workflow_commands_with_file_and_line(
    report: ValidationReport,
) -> None:
    lines = render(report, "github", SOURCES).splitlines()
    matches = [GITHUB_LINE.match(line) for line in lines]
    assert all(matches), lines
    assert [(m["command"], Path(m["file"]).name, m["line"]) for m in matches if m] == [
        ("error", "violation.ttl", "6"),
        ("warning", "warning.ttl", "6"),
        ("notice", "info.ttl", "6"),
    ]


def test_github_escapes_newlines_and_property_separators() -> None:
    graph = Graph()
    result, report_node = BNode(), BNode()
    graph.add((report_node, RDF.type, SH.ValidationReport))
    graph.add((report_node, SH.result, result))
    graph.add((result, SH.focusNode, ID.a))
    graph.add((result, SH.sourceShape, ID.shape))
    graph.add((result, SH.resultMessage, Literal("two\nlines, 100%")))
    (line,) = render(read_report(graph), "github").splitlines()
    assert "two%0Alines, 100%25" in line
    assert "title=violation%3A id%3Aa::" in line


def test_turtle_parses_back_to_the_same_results_with_line_ranges(
    report: ValidationReport,
) -> None:
    graph = Graph().parse(data=render(report, "turtle", SOURCES), format="turtle")
    assert [r.key for r in read_report(graph).results] == [r.key for r in report.results]
    sources = sorted(str(iri) for iri in graph.objects(None, DCTERMS.source))
    assert sources == sorted(f"{p.resolve().as_uri()}#line=5,6" for p in SOURCES)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_a_conformant_report(fmt: str) -> None:
    assert render(read_report(Graph()), fmt) is not None


@pytest.mark.parametrize("fmt", ["json", "turtle"])
def test_baseline_saved_as_json_or_turtle_holds_every_result_key(
    report: ValidationReport, fmt: str, tmp_path: Path
) -> None:
    saved = tmp_path / f"baseline.{'json' if fmt == 'json' else 'ttl'}"
    saved.write_text(render(report, fmt, SOURCES), encoding="utf-8")
    assert load_baseline(saved) == {r.key for r in report.results}


def test_subtract_baseline_removes_known_results_only(report: ValidationReport) -> None:
    remaining = subtract_baseline(report, [report.results[0].key])
    assert remaining.results == report.results[1:]
    assert len(read_report(remaining.graph).results) == 2


def test_load_baseline_names_file_and_line_of_broken_json(tmp_path: Path) -> None:
    broken = tmp_path / "baseline.json"
    broken.write_text('{\n  "results": [\n    oops\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_baseline(broken)
    assert (caught.value.path, caught.value.line) == (broken, 3)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda g, n: Collection(g, n, [PV.hasCommunity, PV.size]), "(pv:hasCommunity / pv:size)"),
        (lambda g, n: g.add((n, SH.inversePath, PV.practisedBy)), "^pv:practisedBy"),
        (lambda g, n: g.add((n, SH.zeroOrMorePath, PV.sector)), "pv:sector*"),
        (lambda g, n: g.add((n, SH.oneOrMorePath, PV.sector)), "pv:sector+"),
        (lambda g, n: g.add((n, SH.zeroOrOnePath, PV.sector)), "pv:sector?"),
    ],
    ids=["sequence", "inverse", "zero-or-more", "one-or-more", "zero-or-one"],
)
def test_path_text_writes_shacl_paths_in_sparql_syntax(build: object, expected: str) -> None:
    graph, node = Graph(), BNode()
    graph.bind("pv", str(PV._NS))
    build(graph, node)  # type: ignore[operator]
    assert path_text(graph, node, graph.namespace_manager) == expected


def test_path_text_writes_alternatives_with_a_bar() -> None:
    graph, node, items = Graph(), BNode(), BNode()
    graph.bind("pv", str(PV._NS))
    Collection(graph, items, [PV.sector, URIRef(PV.size)])
    graph.add((node, SH.alternativePath, items))
    assert path_text(graph, node, graph.namespace_manager) == "(pv:sector | pv:size)"
