"""Session fixtures over the real project: its sources, its assembled graphs, its built store.

Read-only, so built once per session; tests that mutate a store build their own in tmp_path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.build import assemble
from kg.commands.build import publication
from kg.config import Settings
from kg.namespaces import SHAPES_GRAPH
from kg.sources import ProjectSources, load_project
from kg.store import write_store

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-expected",
        action="store_true",
        help="rewrite queries/examples/*.expected.* from the current answers (review the diff)",
    )


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def project_sources() -> ProjectSources:
    return load_project(ROOT)


@pytest.fixture(scope="session")
def project_graphs(project_sources: ProjectSources) -> dict[URIRef, Graph]:
    return assemble(project_sources)


@pytest.fixture(scope="session")
def project_data(project_graphs: dict[URIRef, Graph]) -> Graph:
    """Every graph of the release but the shapes: what the shapes validate."""
    union = Graph()
    for name, graph in project_graphs.items():
        if name != SHAPES_GRAPH:
            union += graph
    return union


@pytest.fixture(scope="session")
def project_shapes(project_graphs: dict[URIRef, Graph]) -> Graph:
    return project_graphs[SHAPES_GRAPH]


@pytest.fixture(scope="session")
def built_store(
    tmp_path_factory: pytest.TempPathFactory, project_graphs: dict[URIRef, Graph]
) -> Path:
    """The project's store as `kg build` writes it (description, dumps and docs included)."""
    path = tmp_path_factory.mktemp("project") / "store"
    graphs, publish = publication(project_graphs, Settings(root=ROOT))
    write_store(graphs, path, publish=publish)
    return path
