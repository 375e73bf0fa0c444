"""The quality checks of queries/qc/: SELECT queries that must return no rows on the built store.

Each check is also run on a store with one fault planted per check (FAULTS), to show that the
check finds what it is written to find: a check that cannot fail proves nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.namespaces import ONTOLOGY_GRAPH, STUDY_GRAPH
from kg.store import run_query, write_store

ROOT = Path(__file__).resolve().parent.parent
CHECKS = sorted((ROOT / "queries" / "qc").glob("*.rq"))
HEADER = re.compile(r"^#\s?(?P<key>[\w@-]+):\s*\S", re.MULTILINE)

KNOWN_DATA_ISSUES: dict[str, str] = {}
"""Checks that find a known fault of the data, reported and awaiting a fix in data/.

Such a check is marked xfail while it finds rows, and passes again once the data is fixed;
then its entry here should go.
"""

PREFIXES = """
@prefix pv:     <https://w3id.org/partage/ontology#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:    <http://www.w3.org/2002/07/owl#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix oa:     <http://www.w3.org/ns/oa#> .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix schema: <https://schema.org/> .
"""

ID = "https://w3id.org/partage/id/"

FAULTS: dict[str, tuple[URIRef, str, str]] = {
    "claim-basis-and-rationale": (
        STUDY_GRAPH,
        f"<{ID}claim/qc-no-rationale> a pv:Claim ; pv:basis pv:interpretation ; "
        f"pv:evidence <{ID}quote/mutum> .",
        ID + "claim/qc-no-rationale",
    ),
    "claim-quote-is-a-quote": (
        STUDY_GRAPH,
        f"<{ID}claim/qc-bad-quote> a pv:Claim ; pv:basis pv:studyStatement ; "
        f"pv:evidence <{ID}quote/qc-missing> .",
        ID + "claim/qc-bad-quote",
    ),
    "concept-preflabels": (
        STUDY_GRAPH,
        f'<{ID}sector/qc-unlabelled> a skos:Concept ; skos:prefLabel "seulement en français"@fr .',
        ID + "sector/qc-unlabelled",
    ),
    "count-without-counted-kind": (
        STUDY_GRAPH,
        f"<{ID}count/qc-uncounted> a pv:Count ; schema:value 3 ; pv:evidence <{ID}quote/mutum> .",
        ID + "count/qc-uncounted",
    ),
    "interpretation-only-properties": (
        STUDY_GRAPH,
        f"<{ID}organisation/smiile> pv:inCategory <{ID}category/consultatif-interne> .",
        ID + "organisation/smiile",
    ),
    "number-without-evidence": (
        STUDY_GRAPH,
        f"<{ID}size-range/qc-unsourced> a pv:SizeRange ; pv:sizeBelow 10 .",
        ID + "size-range/qc-unsourced",
    ),
    "ontology-term-labels-and-definitions": (
        ONTOLOGY_GRAPH,
        'pv:QcUndefined a owl:Class ; rdfs:label "undefined"@en .',
        "https://w3id.org/partage/ontology#QcUndefined",
    ),
    "organisation-facts-have-claims": (
        STUDY_GRAPH,
        f"<{ID}organisation/mutum> pv:sector <{ID}sector/alimentation> .",
        ID + "organisation/mutum",
    ),
    "organisation-without-quote": (
        STUDY_GRAPH,
        f'<{ID}organisation/qc-unquoted> a pv:Organisation ; rdfs:label "Unquoted"@en .',
        ID + "organisation/qc-unquoted",
    ),
    "orphan-nodes": (
        STUDY_GRAPH,
        f"<{ID}practice/mutum-crowd-equity> pv:involves <{ID}community/qc-never-described> .",
        ID + "community/qc-never-described",
    ),
    "quote-not-cited": (
        STUDY_GRAPH,
        f'<{ID}quote/qc-uncited> a pv:Quote ; rdfs:label "uncited"@en .',
        ID + "quote/qc-uncited",
    ),
}
"""Per check: the graph to plant a fault in, the fault (Turtle), and the IRI the check must report.

The faults are planted together in one copy of the project's graphs; they may trip other checks
too, so each check is held to reporting its own culprit.
"""


def _show(term: Node | None) -> str:
    return "(unbound)" if term is None else term.n3()


def _rows(store: Path, check: Path) -> list[tuple[Node | None, ...]]:
    answer = run_query(store, check.read_text(encoding="utf-8"))
    assert answer.boolean is None and answer.body is None, f"{check.name} must be a SELECT"
    return list(answer.rows)


@pytest.fixture(scope="module")
def faulty_store(
    tmp_path_factory: pytest.TempPathFactory, project_graphs: dict[URIRef, Graph]
) -> Path:
    """The project's store with every fault of FAULTS planted at once (they do not interact)."""
    graphs = dict(project_graphs)
    for graph_name, turtle, _culprit in FAULTS.values():
        planted = Graph()
        planted += graphs[graph_name]  # a copy: the session's graphs stay untouched
        planted.parse(data=PREFIXES + turtle, format="turtle")
        graphs[graph_name] = planted
    path = tmp_path_factory.mktemp("faulty") / "store"
    write_store(graphs, path)
    return path


@pytest.mark.parametrize("check", CHECKS, ids=[check.stem for check in CHECKS])
def test_quality_check_finds_nothing(check: Path, built_store: Path) -> None:
    rows = _rows(built_store, check)
    if rows and check.stem in KNOWN_DATA_ISSUES:
        pytest.xfail(KNOWN_DATA_ISSUES[check.stem])
    listing = "\n".join("  " + "  ".join(_show(term) for term in row) for row in rows)
    assert not rows, f"{check.name} found {len(rows)} row(s):\n{listing}"


@pytest.mark.parametrize("check", CHECKS, ids=[check.stem for check in CHECKS])
def test_quality_check_catches_its_fault(check: Path, faulty_store: Path) -> None:
    assert check.stem in FAULTS, f"plant a fault for {check.name} in FAULTS"
    culprit = URIRef(FAULTS[check.stem][2])
    rows = _rows(faulty_store, check)
    assert any(culprit in row for row in rows), f"{check.name} does not report {culprit.n3()}"


@pytest.mark.parametrize("check", CHECKS, ids=[check.stem for check in CHECKS])
def test_quality_check_is_documented(check: Path) -> None:
    text = check.read_text(encoding="utf-8")
    assert text.startswith("# title:"), f"{check.name} must open with its `# title:` comment"
    keys = {match["key"] for match in HEADER.finditer(text)}
    assert {"title", "description"} <= keys, f"{check.name} lacks a title or description"


def test_there_are_quality_checks() -> None:
    assert CHECKS, "no queries/qc/*.rq"
