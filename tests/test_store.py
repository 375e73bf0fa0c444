"""kg.store: a store is written whole or not at all; loads are all or nothing; queries, stats."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.build import assemble, content_hash
from kg.errors import QueryError, SourceError, UsageError
from kg.namespaces import ID, INTERPRETATION_GRAPH, PV, STUDY_GRAPH
from kg.sources import load_project
from kg.store import (
    DEFAULT_GRAPH,
    MANIFEST,
    SNAPSHOT,
    load_files,
    open_store,
    read_manifest,
    run_query,
    statistics,
    write_store,
)

PROJECT = Path(__file__).parent / "data" / "build" / "project"
BROKEN = Path(__file__).parent / "data" / "build" / "broken" / "organisations.ttl"
GOOD_TTL = "<http://e/a> <http://e/p> <http://e/b> .\n<http://e/a> <http://e/p> <http://e/c> .\n"


@pytest.fixture(scope="session")
def project_graphs() -> dict[URIRef, Graph]:
    return assemble(load_project(PROJECT))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, project_graphs: dict[URIRef, Graph]) -> Path:
    """A store built once from the fixture project; tests must only read it."""
    path = tmp_path_factory.mktemp("built") / "store"
    write_store(project_graphs, path)
    return path


def snapshot(path: Path) -> dict[str, str]:
    """Every file under `path` with the digest of its bytes."""
    return {
        file.relative_to(path).as_posix(): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in sorted(path.rglob("*"))
        if file.is_file()
    }


def test_write_store_records_triples_and_hash(
    built: Path, project_graphs: dict[URIRef, Graph]
) -> None:
    manifest = read_manifest(built)
    assert manifest.content_hash == content_hash(project_graphs)
    assert manifest.triples == {str(name): len(graph) for name, graph in project_graphs.items()}
    assert "built_at" not in json.loads((built / MANIFEST).read_text())


def test_write_store_twice_gives_identical_manifests(
    tmp_path: Path, project_graphs: dict[URIRef, Graph]
) -> None:
    write_store(project_graphs, tmp_path / "one")
    write_store(assemble(load_project(PROJECT)), tmp_path / "two")
    assert (tmp_path / "one" / MANIFEST).read_bytes() == (tmp_path / "two" / MANIFEST).read_bytes()


def test_write_store_replaces_the_store_and_leaves_no_siblings(
    tmp_path: Path, project_graphs: dict[URIRef, Graph]
) -> None:
    write_store(project_graphs, tmp_path / "store")
    write_store({STUDY_GRAPH: Graph().parse(data=GOOD_TTL)}, tmp_path / "store")
    assert read_manifest(tmp_path / "store").triples == {str(STUDY_GRAPH): 2}
    assert [path.name for path in tmp_path.iterdir()] == ["store"]


def test_failed_write_leaves_previous_store_untouched(
    tmp_path: Path, project_graphs: dict[URIRef, Graph]
) -> None:
    store = tmp_path / "store"
    write_store(project_graphs, store)
    before = snapshot(store)
    bad = Graph()
    bad.add((URIRef("no-scheme"), RDF.type, PV.Platform))  # Oxigraph wants absolute IRIs
    with pytest.raises(UsageError):
        write_store({STUDY_GRAPH: bad}, store)
    assert snapshot(store) == before
    assert [path.name for path in tmp_path.iterdir()] == ["store"]
    assert run_query(store, "ASK { id:org-alpha a pv:Marketplace }").boolean is True


def test_write_store_keeps_blank_nodes_shared_across_graphs(tmp_path: Path) -> None:
    study = Graph().parse(data="<http://e/a> <http://e/p> _:x .")
    shared = next(iter(study.objects()))
    interpretation = Graph()
    interpretation.add((shared, RDFS.label, Literal("x")))
    write_store({STUDY_GRAPH: study, INTERPRETATION_GRAPH: interpretation}, tmp_path / "s")
    assert run_query(tmp_path / "s", 'ASK { <http://e/a> <http://e/p> [ rdfs:label "x" ] }').boolean


def test_write_store_refuses_to_replace_a_directory_that_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not a store"):
        write_store({STUDY_GRAPH: Graph()}, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_open_store_of_a_missing_store_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="kg build"):
        open_store(tmp_path / "nowhere")


def test_load_files_creates_the_store(tmp_path: Path) -> None:
    data = tmp_path / "a.ttl"
    data.write_text(GOOD_TTL)
    manifest = load_files([data], tmp_path / "store")
    assert manifest.triples == {DEFAULT_GRAPH: 2}
    assert manifest.loaded[0]["file"] == "a.ttl"


def test_load_files_into_a_named_graph(tmp_path: Path) -> None:
    data = tmp_path / "a.nt"
    data.write_text(GOOD_TTL)
    manifest = load_files([data], tmp_path / "store", graph="http://e/g")
    assert manifest.triples == {"http://e/g": 2}


def test_load_files_adds_to_a_built_store(tmp_path: Path, built: Path) -> None:
    store = tmp_path / "store"
    write_store(assemble(load_project(PROJECT)), store)
    data = tmp_path / "a.ttl"
    data.write_text(GOOD_TTL)
    manifest = load_files([data], store, graph="http://e/g")
    assert manifest.triples["http://e/g"] == 2
    assert manifest.triples[str(STUDY_GRAPH)] == read_manifest(built).triples[str(STUDY_GRAPH)]
    assert manifest.content_hash is None  # no longer what a build made


def quads_of(snapshot_file: Path) -> int:
    return sum(1 for line in snapshot_file.read_text(encoding="utf-8").splitlines() if line)


def test_write_store_keeps_a_snapshot_of_every_quad(built: Path) -> None:
    assert quads_of(built / SNAPSHOT) == sum(read_manifest(built).triples.values())


def test_snapshot_is_not_a_published_file(built: Path) -> None:
    assert SNAPSHOT not in read_manifest(built).files


def test_load_files_snapshot_holds_the_store_before_and_the_files_loaded(
    tmp_path: Path, project_graphs: dict[URIRef, Graph]
) -> None:
    store = tmp_path / "store"
    write_store(project_graphs, store)
    data = tmp_path / "a.ttl"
    data.write_text(GOOD_TTL)
    manifest = load_files([data], store, graph="http://e/g")
    assert quads_of(store / SNAPSHOT) == sum(manifest.triples.values())
    assert "<http://e/a> <http://e/p> <http://e/b> <http://e/g> ." in (store / SNAPSHOT).read_text()


def test_load_refuses_a_batch_with_one_bad_file_and_loads_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text(GOOD_TTL)
    store = tmp_path / "store"
    load_files([good], store)
    before = snapshot(store)
    with pytest.raises(SourceError) as raised:
        load_files([good, BROKEN], store)
    assert (raised.value.path, raised.value.line) == (BROKEN, 7)
    assert snapshot(store) == before


def test_load_locates_rdfxml_errors_through_rdflib(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rdf"
    bad.write_text(
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:ex="http://e/">\n<rdf:Description rdf:about="http://e/a">\n'
        "<ex:p>x</ex:q>\n</rdf:Description>\n</rdf:RDF>\n"
    )
    with pytest.raises(SourceError) as raised:
        load_files([bad], tmp_path / "store")
    assert raised.value.line == 4
    assert not (tmp_path / "store").exists()


def test_load_rejects_a_graph_that_is_not_an_iri(tmp_path: Path) -> None:
    data = tmp_path / "a.ttl"
    data.write_text(GOOD_TTL)
    with pytest.raises(UsageError, match="IRI"):
        load_files([data], tmp_path / "store", graph="not an iri")


def test_query_default_graph_is_the_union_of_all_graphs(built: Path) -> None:
    answer = run_query(built, "SELECT ?g WHERE { id:org-alpha pv:sector ?g } ORDER BY ?g")
    assert answer.rows == ((ID["sector-mobility"],), (ID["sector-transport"],))


def test_query_with_from_keeps_its_default_graph(built: Path) -> None:
    query = f"SELECT ?o FROM <{STUDY_GRAPH}> WHERE {{ id:org-alpha pv:sector ?o }}"
    assert run_query(built, query).rows == ((ID["sector-mobility"],),)


def test_query_unbound_variable_is_none(built: Path) -> None:
    answer = run_query(built, "SELECT ?x WHERE { OPTIONAL { id:org-alpha pv:nothing ?x } }")
    assert answer.rows == ((None,),)


def test_query_syntax_error_is_a_query_error(built: Path) -> None:
    with pytest.raises(QueryError):
        run_query(built, "SELEC ?x")


def test_query_format_must_fit_the_query_form(built: Path) -> None:
    with pytest.raises(UsageError, match="turtle"):
        run_query(built, "CONSTRUCT WHERE { ?s a pv:Sector }", "csv")


def test_statistics_count_entailed_instances(built: Path) -> None:
    classes = dict(statistics(built).classes)
    assert classes[PV.Organisation] == 2  # Beta asserted, Alpha entailed through Marketplace
    assert classes[PV.Marketplace] == 1


def test_a_file_read_for_a_load_names_its_line_when_it_does_not_parse(tmp_path: Path) -> None:
    from kg.errors import SourceError
    from kg.store import read_file

    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        read_file(bad)
    assert raised.value.path == bad and raised.value.line == 2
