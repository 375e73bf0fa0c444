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

from kg.errors import QueryError
from kg.namespaces import BASE, DESCRIPTION_GRAPH, STUDY_GRAPH
from kg.sparql_update import parse_update, run_update
from kg.updates import (
    NotEditableError,
    ReadOnlyGraphError,
    derive,
    edit_store,
)


def test_derive_on_unedited_graphs_gives_the_build_graphs(
    project_graphs: dict[URIRef, Graph],
) -> None:
    graphs = {name: g for name, g in project_graphs.items() if name != DESCRIPTION_GRAPH}
    derived = derive(dict(graphs), graphs)
    assert sorted(derived) == sorted(graphs)
    for name, graph in graphs.items():
        assert set(derived[name]) == set(graph), name


def test_derive_retracts_what_a_deleted_claim_asserted(
    project_graphs: dict[URIRef, Graph],
) -> None:
    study = project_graphs[STUDY_GRAPH]
    claim = URIRef("https://w3id.org/partage/id/claim/la-ruche-qui-dit-oui-sector")
    asserted = (
        study.value(claim, RDF.subject),
        study.value(claim, RDF.predicate),
        study.value(claim, RDF.object),
    )
    edited = Graph()
    edited += study
    edited.remove((claim, None, None))
    derived = derive({**project_graphs, STUDY_GRAPH: edited}, project_graphs)
    assert asserted in study
    assert asserted not in derived[STUDY_GRAPH]


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
