"""kg.open_dataset: the built store through rdflib's graph API and SPARQL, read-only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Literal
from rdflib.namespace import RDF, RDFS

import kg
from kg.build import assemble
from kg.errors import UsageError
from kg.namespaces import ENTAILMENT_GRAPH, ID, PV, STUDY_GRAPH
from kg.sources import load_project
from kg.store import write_store

PROJECT = Path(__file__).parent / "data" / "build" / "project"


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    path = tmp_path_factory.mktemp("dataset") / "store"
    write_store(assemble(load_project(PROJECT)), path)
    return kg.open_dataset(path)


def test_named_graph_answers_triple_patterns(dataset: Dataset) -> None:
    study = dataset.graph(STUDY_GRAPH)
    assert (ID["org-alpha"], RDFS.label, Literal("Alpha")) in study
    assert str(study.value(ID["org-alpha"], RDFS.label)) == "Alpha"
    assert (ID["org-alpha"], RDF.type, PV.Organisation) not in study
    assert (ID["org-alpha"], RDF.type, PV.Organisation) in dataset.graph(ENTAILMENT_GRAPH)


def test_graphs_lists_every_built_graph(dataset: Dataset) -> None:
    assert STUDY_GRAPH in {graph.identifier for graph in dataset.graphs()}


def test_sparql_runs_over_all_graphs_with_our_prefixes(dataset: Dataset) -> None:
    rows = dataset.query("SELECT ?org WHERE { ?org a pv:Organisation } ORDER BY ?org")
    assert [row[0] for row in rows] == [ID["org-alpha"], ID["org-beta"]]  # type: ignore[index]


def test_dataset_is_read_only(dataset: Dataset) -> None:
    with pytest.raises(RuntimeError):
        dataset.graph(STUDY_GRAPH).add((ID["org-alpha"], RDFS.label, Literal("changed")))


def test_open_dataset_of_a_missing_store_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        kg.open_dataset(tmp_path / "nowhere")


def test_importing_kg_loads_no_rdf_machinery() -> None:
    probe = "import sys, kg; print(kg.__version__, *(m in sys.modules for m in HEAVY))"
    heavy = "HEAVY = ('rdflib', 'pyoxigraph'); "
    output = subprocess.run(
        [sys.executable, "-c", heavy + probe], check=True, capture_output=True, text=True
    ).stdout.split()
    assert output == [kg.__version__, "False", "False"]
