"""The SHACL shapes read as a specification.

The project's graph conforms; the shapes graph is itself well-formed SHACL; and every shape fires
on a small broken example. Broken examples live in tests/data/invalid/, one file per case, named
`<ShapeLocalName>--<what-is-broken>.ttl` and opening with the results they must produce, one
`# expect:` line each (tests/data/invalid/README.md gives the grammar). A case passes when every
expected result is reported and nothing else is, whatever its severity. Examples in
tests/data/valid/ must produce no result at all.

A case is checked as the build would publish it (`as_published`), so it need not state what the
build derives: the triples of its claims, the provenance of its evidence, the super-classes of
its types.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.build import derive_provenance, entailments, materialise_claims
from kg.sources import ProjectSources
from kg.validate import Severity, ValidationReport, ValidationResult, check_shapes, validate

DATA = Path(__file__).parent / "data"
INVALID_CASES = sorted((DATA / "invalid").glob("*.ttl"))
VALID_CASES = sorted((DATA / "valid").glob("*.ttl"))

PVS = Namespace("https://w3id.org/partage/shapes#")
ROUNDED_BY_THE_STUDY = URIRef("https://w3id.org/partage/id/statistic/associations")

EXPECT = re.compile(
    r"# expect: (?P<severity>Violation|Warning|Info) (?P<shape>\w+)"
    r" (?P<component>\w+ConstraintComponent) <(?P<focus>[^<>\s]+)>"
    r'(?: "(?P<message>[^"]+)")?'
)

# Each SHACL parameter that declares a constraint, and its constraint component
# (https://www.w3.org/TR/shacl/#core-components, https://www.w3.org/TR/shacl/#sparql-constraints).
COMPONENT_PARAMETERS = (
    *("class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive"),
    *("maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "languageIn"),
    *("uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "not", "and", "or"),
    *("xone", "node", "qualifiedMinCount", "qualifiedMaxCount", "closed", "hasValue", "in"),
)
COMPONENTS: dict[Node, URIRef] = {
    SH[name]: SH[name[0].upper() + name[1:] + "ConstraintComponent"]
    for name in COMPONENT_PARAMETERS
} | {SH.sparql: SH.SPARQLConstraintComponent}


@dataclass(frozen=True)
class Expected:
    """One `# expect:` line: a top-level result with this severity and focus node, coming from
    `shape` (its source shape, or a property shape of it) with `component`, possibly in a nested
    sh:detail, and whose message contains `message` when one is given."""

    severity: Severity
    shape: URIRef
    component: URIRef
    focus: URIRef
    message: str | None

    def __str__(self) -> str:
        message = f' "{self.message}"' if self.message else ""
        return (
            f"{self.severity.name.title()} {local(self.shape)} {local(self.component)}"
            f" <{self.focus}>{message}"
        )


def expectations(path: Path) -> list[Expected]:
    """The `# expect:` lines that open `path`; at least one, each well formed."""
    expected = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# expect:"):
            break
        match = EXPECT.fullmatch(line)
        if match is None:
            raise ValueError(f"{path.name}: malformed expectation {line!r}")
        expected.append(
            Expected(
                severity=Severity[match["severity"].upper()],
                shape=PVS[match["shape"]],
                component=URIRef(SH + match["component"]),
                focus=URIRef(match["focus"]),
                message=match["message"],
            )
        )
    if not expected:
        raise ValueError(f"{path.name}: does not open with a '# expect:' line")
    return expected


def shape_of_case(path: Path) -> URIRef:
    """The node shape a case is for, from its name `<ShapeLocalName>--<what-is-broken>.ttl`."""
    return PVS[path.stem.split("--")[0]]


def operand_shapes(shapes: Graph) -> set[Node]:
    """Shapes used only as operands (of sh:not, sh:and, sh:or, sh:xone, sh:qualifiedValueShape).

    Their constraints never report results of their own: the shape that uses them does.
    """
    operands = set(shapes.objects(None, SH["not"]))
    operands.update(shapes.objects(None, SH.qualifiedValueShape))
    for logical in (SH["and"], SH["or"], SH.xone):
        for members in shapes.objects(None, logical):
            operands.update(Collection(shapes, members))
    return operands


def local(term: Node | None) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1] if "#" in text else text


def as_published(fixture: Graph, ontology: Graph) -> Graph:
    """`fixture` as the build publishes data, without the ontology's own triples.

    The build's steps in its order (kg.build.assemble): claims asserted, provenance derived from
    evidence, then the entailments of our sub-class and sub-property alignments. The ontology
    itself is left out: its terms are checked with the project, and leaving it out keeps each
    report about the fixture alone (and each validation several times faster).
    """
    study, interpretation = materialise_claims(fixture)
    data = fixture + study + interpretation + derive_provenance(fixture)
    return data + entailments(ontology, [data])


def nested(report: ValidationReport, result: ValidationResult) -> Iterator[tuple[Node, Node, str]]:
    """(source shape, constraint component, message) of `result` and of each sh:detail in it.

    A shape reached through sh:node (the quote's target, its selector) has no result of its own:
    it fires in the sh:detail of the result of the shape that points to it.
    """
    yield result.source_shape, result.constraint_component, result.message
    graph = report.graph
    pending = list(graph.objects(result.node, SH.detail))
    while pending:
        detail = pending.pop()
        message = "; ".join(sorted(str(m) for m in graph.objects(detail, SH.resultMessage)))
        shape = graph.value(detail, SH.sourceShape)
        yield shape, graph.value(detail, SH.sourceConstraintComponent), message
        pending.extend(graph.objects(detail, SH.detail))


def matches(
    expected: Expected, report: ValidationReport, result: ValidationResult, shapes: Graph
) -> bool:
    """Whether `result` of `report` is the one `expected` describes (see `Expected`)."""
    if result.severity is not expected.severity or result.focus_node != expected.focus:
        return False
    return any(
        (source == expected.shape or (expected.shape, SH.property, source) in shapes)
        and component == expected.component
        and (expected.message is None or expected.message in message)
        for source, component, message in nested(report, result)
    )


def describe(result: ValidationResult) -> str:
    return (
        f"{result.severity.name.title()} {local(result.source_shape)}"
        f" {local(result.constraint_component)} <{result.focus_node}>: {result.message}"
    )


@pytest.fixture(scope="module")
def run_case(
    project_sources: ProjectSources, project_shapes: Graph
) -> Callable[[Path], ValidationReport]:
    """Validate a case file as published; each file is validated once per module."""
    reports: dict[Path, ValidationReport] = {}

    def run(path: Path) -> ValidationReport:
        if path not in reports:
            fixture = Graph().parse(path, format="turtle")
            reports[path] = validate(
                as_published(fixture, project_sources.ontology), project_shapes
            )
        return reports[path]

    return run


@pytest.fixture(scope="module")
def project_report(project_data: Graph, project_shapes: Graph) -> ValidationReport:
    """The project's graph validated as `kg build` does: it holds its entailments already."""
    return validate(project_data, project_shapes)


# --- The project ----------------------------------------------------------------------------------


def test_project_data_has_no_violation_or_warning(project_report: ValidationReport) -> None:
    assert [describe(r) for r in project_report.failing(Severity.WARNING)] == []


def test_project_data_only_info_is_the_studys_own_rounding(
    project_report: ValidationReport,
) -> None:
    # The study writes 30 % for 10 of 34 (29.4 %): kept as written, flagged at sh:Info.
    assert [(r.severity, r.focus_node, r.source_shape) for r in project_report.results] == [
        (Severity.INFO, ROUNDED_BY_THE_STUDY, PVS.StatisticRoundingShape)
    ]


def test_shapes_pass_shacl_for_shacl(project_shapes: Graph) -> None:
    assert [describe(r) for r in check_shapes(project_shapes).results] == []


# --- Broken examples ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", INVALID_CASES, ids=lambda path: path.stem)
def test_broken_case_is_named_after_the_shape_it_expects_first(path: Path) -> None:
    assert expectations(path)[0].shape == shape_of_case(path)


@pytest.mark.parametrize("path", INVALID_CASES, ids=lambda path: path.stem)
def test_broken_case_fires_every_result_it_expects(
    path: Path,
    run_case: Callable[[Path], ValidationReport],
    project_shapes: Graph,
) -> None:
    report = run_case(path)
    missing = [
        str(expected)
        for expected in expectations(path)
        if not any(matches(expected, report, result, project_shapes) for result in report.results)
    ]
    assert missing == [], "reported instead:\n" + "\n".join(map(describe, report.results))


@pytest.mark.parametrize("path", INVALID_CASES, ids=lambda path: path.stem)
def test_broken_case_fires_nothing_it_does_not_expect(
    path: Path,
    run_case: Callable[[Path], ValidationReport],
    project_shapes: Graph,
) -> None:
    report = run_case(path)
    expected = expectations(path)
    unexpected = [
        describe(result)
        for result in report.results
        if not any(matches(e, report, result, project_shapes) for e in expected)
    ]
    assert unexpected == []


def test_every_node_shape_has_a_broken_case(project_shapes: Graph) -> None:
    declared = {s for s in project_shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    assert {local(s) for s in map(shape_of_case, INVALID_CASES)} == {local(s) for s in declared}


def test_broken_cases_exercise_every_kind_of_constraint_the_shapes_use(
    project_shapes: Graph,
) -> None:
    operands = operand_shapes(project_shapes)
    used = {COMPONENTS[p] for s, p, _ in project_shapes if p in COMPONENTS and s not in operands}
    exercised = {e.component for path in INVALID_CASES for e in expectations(path)}
    assert sorted(map(local, used - exercised)) == []


def test_broken_cases_exercise_every_severity_the_shapes_use(project_shapes: Graph) -> None:
    used = {Severity.from_iri(s) for s in project_shapes.objects(None, SH.severity)} | {
        Severity.VIOLATION
    }
    exercised = {e.severity for path in INVALID_CASES for e in expectations(path)}
    assert used == exercised


# --- Valid examples -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", VALID_CASES, ids=lambda path: path.stem)
def test_valid_case_gives_no_result(
    path: Path, run_case: Callable[[Path], ValidationReport]
) -> None:
    assert [describe(r) for r in run_case(path).results] == []


# --- Messages belong to their constraint ----------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "foreign"),
    [
        pytest.param(case, foreign, id=case)
        for case, foreign in [
            ("StatusMarkShape--iri-outside-its-namespace", "is not a legal form"),
            ("SizeRangeShape--iri-outside-its-namespace", "has a lower bound"),
            ("StatisticShape--count-above-denominator", "gives its share"),
        ]
    ],
)
def test_a_result_says_only_what_its_own_constraint_says(
    case: str, foreign: str, run_case: Callable[[Path], ValidationReport]
) -> None:
    report = run_case(DATA / "invalid" / f"{case}.ttl")
    assert report.results
    assert [r.message for r in report.results if foreign in r.message] == []
