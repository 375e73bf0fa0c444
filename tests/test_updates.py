"""The edit machinery under the update routes (kg.updates, kg.sparql_update), without a server.

The HTTP behaviour is tested in tests/web/test_update.py and tests/web/test_graph_store.py;
these are the parts that are quicker and plainer to check directly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.build import derive, source_graphs
from kg.errors import QueryError
from kg.layout import SOURCES
from kg.namespaces import BASE, PV, STUDY_GRAPH
from kg.sources import ProjectSources
from kg.sparql_update import parse_update, run_update
from kg.updates import NotEditableError, ReadOnlyGraphError, carried_over, edit_store

LA_RUCHE_SECTOR = URIRef("https://w3id.org/partage/id/claim/la-ruche-qui-dit-oui-sector")


def claim_triple(graph: Graph, claim: URIRef) -> tuple[Node, Node, Node]:
    parts = (RDF.subject, RDF.predicate, RDF.object)
    subject, predicate, obj = (graph.value(claim, part) for part in parts)
    assert subject is not None and predicate is not None and obj is not None
    return subject, predicate, obj


def without(graph: Graph, *triples: tuple[Node | None, Node | None, Node | None]) -> Graph:
    edited = Graph()
    edited += graph
    for triple in triples:
        edited.remove(triple)
    return edited


def test_carried_over_removes_from_the_sources_what_the_edit_deleted(
    project_sources: ProjectSources, project_graphs: dict[URIRef, Graph]
) -> None:
    sources = source_graphs(project_sources)
    study = project_graphs[STUDY_GRAPH]
    after = {**project_graphs, STUDY_GRAPH: without(study, (LA_RUCHE_SECTOR, None, None))}
    edited = carried_over(sources, project_graphs, after, frozenset({STUDY_GRAPH}))
    assert (LA_RUCHE_SECTOR, RDF.type, PV.Claim) in sources[STUDY_GRAPH]
    assert not set(edited[STUDY_GRAPH].triples((LA_RUCHE_SECTOR, None, None)))


def test_deleting_a_claim_retracts_the_triple_it_asserted(
    project_sources: ProjectSources, project_graphs: dict[URIRef, Graph]
) -> None:
    sources = source_graphs(project_sources)
    study = project_graphs[STUDY_GRAPH]
    asserted = claim_triple(study, LA_RUCHE_SECTOR)
    after = {**project_graphs, STUDY_GRAPH: without(study, (LA_RUCHE_SECTOR, None, None))}
    edited = carried_over(sources, project_graphs, after, frozenset({STUDY_GRAPH}))
    assert asserted in study
    assert asserted not in derive(edited)[STUDY_GRAPH]


def test_deleting_only_the_triple_a_claim_asserts_changes_no_source(
    project_sources: ProjectSources, project_graphs: dict[URIRef, Graph]
) -> None:
    sources = source_graphs(project_sources)
    study = project_graphs[STUDY_GRAPH]
    after = {**project_graphs, STUDY_GRAPH: without(study, claim_triple(study, LA_RUCHE_SECTOR))}
    edited = carried_over(sources, project_graphs, after, frozenset({STUDY_GRAPH}))
    assert set(edited[STUDY_GRAPH]) == set(sources[STUDY_GRAPH])


def test_carried_over_adds_a_new_graph_and_drops_a_removed_one(
    project_sources: ProjectSources, project_graphs: dict[URIRef, Graph]
) -> None:
    sources = {**source_graphs(project_sources), URIRef("urn:x:old"): Graph()}
    mine = Graph()
    mine.add((URIRef("urn:x:s"), URIRef("urn:x:p"), URIRef("urn:x:o")))
    before = {**project_graphs, URIRef("urn:x:old"): Graph()}
    after = {**project_graphs, URIRef("urn:x:new"): mine}
    changed = frozenset({URIRef("urn:x:old"), URIRef("urn:x:new")})
    edited = carried_over(sources, before, after, changed)
    assert URIRef("urn:x:old") not in edited
    assert set(edited[URIRef("urn:x:new")]) == set(mine)


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <urn:x:s> <urn:x:p> 1 }",
        "DELETE DATA { <urn:x:s> <urn:x:p> 1 }",
        "DELETE WHERE { ?s <urn:x:p> ?o }",
        "INSERT { ?s <urn:x:p> 1 } WHERE { ?s a ?c }",
        "CLEAR DEFAULT",
        "DROP DEFAULT",
        "COPY <urn:x:g> TO DEFAULT",
        "MOVE DEFAULT TO <urn:x:g>",
    ],
)
def test_parse_update_writing_the_default_graph_refused(text: str) -> None:
    with pytest.raises(ReadOnlyGraphError, match="default graph"):
        parse_update(text, BASE)


@pytest.mark.parametrize(
    "text",
    [
        "WITH <urn:x:g> INSERT { ?s <urn:x:p> 1 } WHERE { ?s a ?c }",
        "INSERT { GRAPH <urn:x:g> { ?s <urn:x:p> 1 } } WHERE { ?s a ?c }",
        "COPY DEFAULT TO <urn:x:g>",
    ],
)
def test_parse_update_writing_a_named_graph_accepted(text: str) -> None:
    parse_update(text, BASE)


def test_parse_update_lists_services_and_loads() -> None:
    text = (
        "LOAD <https://example.org/a.ttl> INTO GRAPH <urn:x:g> ; "
        "INSERT { GRAPH <urn:x:g> { ?s ?p ?o } } WHERE { "
        "SERVICE <https://example.org/sparql> { ?s ?p ?o } SERVICE ?where { ?s ?p ?o } }"
    )
    update = parse_update(text, BASE)
    assert update.loads == ("https://example.org/a.ttl",)
    assert update.services == ("?", "https://example.org/sparql")


def test_parse_update_dataset_beside_with_refused() -> None:
    text = "WITH <urn:x:g> INSERT { ?s <urn:x:p> 1 } WHERE { ?s a ?c }"
    with pytest.raises(QueryError, match="using-graph-uri"):
        parse_update(text, BASE, using=("urn:x:h",))


def test_edit_store_without_dump_not_editable(built_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    shutil.rmtree(store / "dumps")  # as `kg load` leaves a store: no dumps to read from
    edit = run_update(
        parse_update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> 1 } }", BASE)
    )
    with pytest.raises(NotEditableError, match="kg build"):
        edit_store(store, edit, BASE)


def test_edit_store_without_sources_not_editable(built_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    (store / SOURCES).unlink()  # a store written before stores kept their sources
    edit = run_update(
        parse_update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> 1 } }", BASE)
    )
    with pytest.raises(NotEditableError, match="kg build"):
        edit_store(store, edit, BASE)
