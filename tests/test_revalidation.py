"""Validating an edited graph again runs only the shapes the edit can change, and reports
exactly what a full validation reports (`kg.revalidation`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from kg import revalidation, shacl_queries
from kg import validate as validate_module
from kg.validate import read_report, validate

HERE = Path(__file__).parent / "data" / "revalidation"
EX = Namespace("http://example.org/")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(HERE / "shapes.ttl")


@pytest.fixture
def data() -> Graph:
    return Graph().parse(HERE / "data.ttl")


def _results(report: Graph) -> list[tuple[object, str]]:
    return sorted((r.key, r.message) for r in read_report(report).results)


def _edited(data: Graph, add: tuple = (), remove: tuple = ()) -> Graph:
    edited = Graph()
    edited += data
    for triple in add:
        edited.add(triple)
    for triple in remove:
        edited.remove(triple)
    return edited


def _run(
    data: Graph, shapes: Graph, memo: revalidation.Memo | None = None
) -> tuple[Graph, revalidation.Memo]:
    copy = Graph()  # pySHACL adds to the shapes graph it is given
    copy += shapes
    target = shacl_queries.queryable_copy(data)  # as kg.validate runs it: queries on Oxigraph
    assert target is not None
    return revalidation.run(target, copy, revalidation.shapes_digest(shapes), memo, inplace=True)


def _again(data: Graph, shapes: Graph, edited: Graph) -> tuple[Graph, revalidation.Memo]:
    """The incremental run after `data` was validated, checked against a full validation."""
    _report, memo = _run(data, shapes)
    report, after = _run(edited, shapes, memo)
    full = validate(edited, shapes)
    assert _results(report) == sorted((r.key, r.message) for r in full.results)
    return report, after


def _ran(memo: revalidation.Memo) -> set[str]:
    return {str(node).removeprefix(str(EX)) for node in memo.ran if isinstance(node, URIRef)}


def test_a_shape_is_read_for_its_paths_and_target_class(shapes: Graph) -> None:
    reads = revalidation.reads_of(shapes, EX.PersonShape)
    assert {EX.name, EX.employer, EX.Person, EX.Organisation} <= reads.names
    assert not (reads.about_focus or reads.about_reached or reads.everything)


def test_value_tests_are_not_reads(shapes: Graph) -> None:
    reads = revalidation.reads_of(shapes, EX.PersonShape)
    assert not reads.names & {URIRef("http://www.w3.org/2001/XMLSchema#string")} - {EX.name}


def test_a_closed_shape_reads_every_triple_about_its_focus_nodes(shapes: Graph) -> None:
    assert revalidation.reads_of(shapes, EX.ClosedShape).about_focus


def test_a_closed_shape_on_value_nodes_reads_what_its_paths_reach(shapes: Graph) -> None:
    reads = revalidation.reads_of(shapes, EX.AddressedShape)
    assert reads.about_reached and not reads.everything


def test_a_query_with_a_variable_predicate_on_this_reads_the_focus_nodes(shapes: Graph) -> None:
    reads = revalidation.reads_of(shapes, EX.EnglishShape)
    assert reads.about_focus and not reads.everything


def test_a_query_with_a_variable_predicate_elsewhere_reads_everything(shapes: Graph) -> None:
    assert revalidation.reads_of(shapes, EX.AnythingShape).everything


def test_the_first_validation_runs_every_shape(data: Graph, shapes: Graph) -> None:
    _report, memo = _run(data, shapes)
    assert {"PersonShape", "ClosedShape", "AddressedShape", "EnglishShape"} <= _ran(memo)


def test_a_triple_no_shape_names_runs_only_the_shapes_that_read_anything(
    data: Graph, shapes: Graph
) -> None:
    _report, memo = _again(data, shapes, _edited(data, add=[(EX.zed, EX.hobby, Literal("chess"))]))
    assert _ran(memo) == {"AnythingShape"}


def test_a_named_predicate_runs_the_shapes_naming_it(data: Graph, shapes: Graph) -> None:
    _report, memo = _again(data, shapes, _edited(data, remove=[(EX.ada, EX.name, Literal("Ada"))]))
    assert "PersonShape" in _ran(memo)
    assert "ClosedShape" not in _ran(memo)


def test_a_triple_about_a_focus_node_runs_the_closed_shape(data: Graph, shapes: Graph) -> None:
    _report, memo = _again(data, shapes, _edited(data, add=[(EX.acme, EX.motto, Literal("go"))]))
    assert {"ClosedShape", "EnglishShape"} <= _ran(memo)
    assert "PersonShape" not in _ran(memo)


def test_a_triple_about_a_reached_node_runs_the_shape_reaching_it(
    data: Graph, shapes: Graph
) -> None:
    _report, memo = _again(data, shapes, _edited(data, add=[(EX.home, EX.zip, Literal("75001"))]))
    assert "AddressedShape" in _ran(memo)


def test_a_type_of_a_sub_class_runs_the_shapes_naming_the_class(data: Graph, shapes: Graph) -> None:
    report, memo = _again(data, shapes, _edited(data, add=[(EX.nobody, RDF.type, EX.Company)]))
    assert {"PersonShape", "ClosedShape"} <= _ran(memo)
    assert not any(
        EX.nobody in (r.value, r.focus_node)
        for r in read_report(report).results
        if r.constraint_component.endswith("ClassConstraintComponent")
    )


def test_a_changed_class_hierarchy_runs_every_shape(data: Graph, shapes: Graph) -> None:
    edited = _edited(data, remove=[(EX.Company, RDFS.subClassOf, EX.Organisation)])
    _report, memo = _again(data, shapes, edited)
    assert {"PersonShape", "ClosedShape", "AddressedShape", "EnglishShape"} <= _ran(memo)


def test_other_shapes_run_everything_again(data: Graph, shapes: Graph) -> None:
    _report, memo = _run(data, shapes)
    other = Graph()
    other += shapes
    other.add((EX.PersonShape, RDFS.comment, Literal("changed")))
    _report, after = _run(data, other, memo)
    assert {"PersonShape", "ClosedShape"} <= _ran(after)


# --- On the project's graph: edits as the endpoint makes them ----------------------------------

PARTAGE = Namespace("https://w3id.org/partage/")


@pytest.fixture(scope="module")
def project() -> dict[URIRef, Graph]:
    from kg.build import source_graphs
    from kg.sources import load_project

    return source_graphs(load_project(Path(__file__).parent.parent))


@pytest.fixture(scope="module")
def project_validated(
    project: dict[URIRef, Graph],
) -> tuple[Graph, revalidation.Memo]:
    """The project's shapes and the memo of its validation, made once for the edits below."""
    from kg.build import derive
    from kg.namespaces import SHAPES_GRAPH
    from kg.release import data_of

    graphs = derive(project, "0.1.0")
    _report, memo = _run(data_of(graphs), graphs[SHAPES_GRAPH])
    return graphs[SHAPES_GRAPH], memo


def _claim_with_evidence(study: Graph) -> tuple:
    return min(study.triples((None, PARTAGE["ontology#evidence"], None)))


@pytest.mark.parametrize(
    "edit",
    ["comment on an organisation", "evidence removed", "type added", "triple of no vocabulary"],
)
def test_an_edit_of_the_project_reports_what_a_full_validation_reports(
    project: dict[URIRef, Graph], project_validated: tuple[Graph, revalidation.Memo], edit: str
) -> None:
    from kg.build import derive
    from kg.namespaces import STUDY_GRAPH
    from kg.release import data_of

    shapes, memo = project_validated
    study = Graph()
    study += project[STUDY_GRAPH]
    organisation = min(study.subjects(RDF.type, PARTAGE["ontology#Organisation"]))
    if edit == "comment on an organisation":
        study.add((organisation, RDFS.comment, Literal("Une note.", lang="fr")))
    elif edit == "evidence removed":
        study.remove(_claim_with_evidence(study))
    elif edit == "type added":
        study.add((organisation, RDF.type, PARTAGE["ontology#Practice"]))
    else:
        study.add((URIRef("urn:example:s"), URIRef("urn:example:p"), Literal(1)))
    edited = data_of(derive({**project, STUDY_GRAPH: study}, "0.1.0"))
    report, _after = _run(edited, shapes, memo)
    full = validate(edited, shapes)
    assert _results(report) == sorted((r.key, r.message) for r in full.results)


def test_an_incremental_validation_reports_what_a_full_one_reports(
    data: Graph, shapes: Graph
) -> None:
    validate(data, shapes, incremental=True)
    edited = _edited(data, remove=[(EX.ada, EX.name, Literal("Ada"))])
    again = validate(edited, shapes, incremental=True)
    assert again.results == validate(edited, shapes).results


@pytest.mark.parametrize(
    "where",
    [
        "SERVICE <http://example.org/sparql> { $this ?p ?o }",
        "BIND (NOW() AS ?now) $this ex:name ?n",
    ],
)
def test_a_query_that_answers_otherwise_with_the_same_data_always_runs(where: str) -> None:
    prefix = "PREFIX ex: <http://example.org/>"
    shapes = Graph().parse(
        data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:Person ;
            sh:sparql [ sh:select "{prefix} SELECT $this WHERE {{ {where} }}" ] .
        """,
        format="turtle",
    )
    assert revalidation.reads_of(shapes, EX.Shape).everything


def test_incremental_validations_of_the_same_shapes_run_one_at_a_time(
    data: Graph, shapes: Graph
) -> None:
    import threading

    held = validate_module.VALIDATING.get(revalidation.shapes_digest(shapes), threading.Lock)
    with held:
        waiting = threading.Thread(
            target=validate, args=(data, shapes), kwargs={"incremental": True}
        )
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive()  # waits for the validation already running
    waiting.join(timeout=60)
    assert not waiting.is_alive()
