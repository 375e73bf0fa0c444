"""kg.validate: pySHACL results read into ranked, keyed ValidationResults."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from kg.namespaces import ID, PV
from kg.validate import Severity, ValidationReport, check_shapes, validate

DATA = Path(__file__).parent / "data" / "validate"
PROJECT = DATA / "project"


def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def run(name: str, inference: str = "rdfs") -> ValidationReport:
    shapes = parse(PROJECT / "shapes" / "shapes.ttl")
    ontology = parse(PROJECT / "ontology" / "ontology.ttl")
    return validate(parse(DATA / name), shapes, ontology, inference=inference)


def test_severities_are_ordered_info_warning_violation() -> None:
    assert Severity.INFO < Severity.WARNING < Severity.VIOLATION


@pytest.mark.parametrize(
    ("iri", "severity"),
    [(SH.Info, Severity.INFO), (SH.Warning, Severity.WARNING), (SH.Violation, Severity.VIOLATION)],
)
def test_severity_maps_from_its_shacl_iri_and_back(iri: URIRef, severity: Severity) -> None:
    assert Severity.from_iri(iri) is severity
    assert severity.iri == iri


def test_conformant_data_gives_no_results() -> None:
    assert run("valid.ttl").results == []


def test_missing_label_is_one_violation_with_every_field() -> None:
    (result,) = run("violation.ttl").results
    assert result.severity is Severity.VIOLATION
    assert result.focus_node == ID.unlabelled
    assert result.result_path == RDFS.label
    assert result.value is None
    assert result.message == "An organisation needs a label."
    assert isinstance(result.source_shape, BNode)
    assert result.constraint_component == SH.MinCountConstraintComponent


def test_ontology_makes_subclass_instances_targets_of_superclass_shapes() -> None:
    shapes = parse(PROJECT / "shapes" / "shapes.ttl")
    data = parse(DATA / "violation.ttl")
    assert validate(data, shapes).results == []
    assert len(run("violation.ttl").results) == 1


def test_sparql_constraints_run() -> None:
    (result,) = run("empty-label.ttl").results
    assert result.constraint_component == SH.SPARQLConstraintComponent
    assert result.value == Literal("")
    assert result.message == "A label must not be empty."


def test_failing_keeps_results_at_or_above_threshold() -> None:
    report = run("warning.ttl")
    assert report.failing(Severity.VIOLATION) == []
    assert [r.severity for r in report.failing(Severity.WARNING)] == [Severity.WARNING]
    assert report.conforms_at(Severity.VIOLATION)
    assert not report.conforms_at(Severity.WARNING)


def test_results_are_sorted_worst_first() -> None:
    data = Graph()
    for name in ("info.ttl", "warning.ttl", "violation.ttl"):
        data += parse(DATA / name)
    shapes = parse(PROJECT / "shapes" / "shapes.ttl")
    report = validate(data, shapes, parse(PROJECT / "ontology" / "ontology.ttl"), "rdfs")
    assert [r.severity for r in report.results] == [
        Severity.VIOLATION,
        Severity.WARNING,
        Severity.INFO,
    ]


def test_result_keys_are_equal_across_runs_despite_blank_shapes() -> None:
    first, second = run("violation.ttl").results, run("violation.ttl").results
    assert first[0].key == second[0].key
    assert first[0].key[3].startswith("_:")


def test_result_key_of_a_blank_focus_node_is_stable() -> None:
    turtle = f'[] a <{PV.Organisation}> ; <{RDFS.comment}> "no label" ; <{PV.sector}> <{ID.x}> .'
    shapes = parse(PROJECT / "shapes" / "shapes.ttl")
    keys = [
        validate(Graph().parse(data=turtle, format="turtle"), shapes).results[0].key
        for _ in range(2)
    ]
    assert keys[0] == keys[1]
    assert keys[0][0].startswith("_:")


def test_validate_leaves_data_and_shapes_graphs_unchanged() -> None:
    data = parse(DATA / "violation.ttl")
    shapes = parse(PROJECT / "shapes" / "shapes.ttl")
    before = (len(data), len(shapes))
    validate(data, shapes, parse(PROJECT / "ontology" / "ontology.ttl"), "rdfs")
    assert (len(data), len(shapes)) == before


def test_without_drops_results_by_key_and_updates_conforms() -> None:
    report = run("violation.ttl")
    emptied = report.without({report.results[0].key})
    assert emptied.results == []
    (node,) = emptied.graph.subjects(RDF.type, SH.ValidationReport)
    assert emptied.graph.value(node, SH.conforms) == Literal(True)
    assert not list(emptied.graph.subjects(RDF.type, SH.ValidationResult))


def test_check_shapes_accepts_well_formed_shapes() -> None:
    assert check_shapes(parse(PROJECT / "shapes" / "shapes.ttl")).results == []


def test_check_shapes_flags_a_non_integer_min_count() -> None:
    report = check_shapes(parse(DATA / "bad-shapes" / "min-count.ttl"))
    assert [r.result_path for r in report.failing(Severity.VIOLATION)] == [SH.minCount]
    assert report.results[0].value == Literal("x")
