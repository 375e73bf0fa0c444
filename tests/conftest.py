"""Session fixtures over the real project: its sources, its assembled graphs, its built store.

Read-only, so built once per session; tests that mutate a store build their own in tmp_path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg import __version__, release
from kg.build import assemble, source_graphs
from kg.config import Settings
from kg.layout import MANIFEST
from kg.namespaces import SHAPES_GRAPH
from kg.sources import ProjectSources, load_project
from session_files import locked, session_directory

ROOT = Path(__file__).resolve().parent.parent
SMALL_PROJECT = ROOT / "tests" / "data" / "edit" / "project"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-expected",
        action="store_true",
        help="rewrite queries/examples/*.expected.* from the current answers (review the diff)",
    )


SLOWEST_FIRST = (
    "tests/test_revalidation.py",
    "tests/remote/test_replicas.py",
    "tests/web/test_views_browser.py",
    "tests/test_precommit_hook.py",
    "tests/remote/test_remote_serve.py",
    "tests/engine/test_executor.py",
    "tests/test_wheel.py",
    "tests/test_faults.py",
    "tests/remote/test_remote_edits.py",
    "tests/test_dumps.py",
    "tests/test_docs.py",
)
"""The modules that take longest (`pytest --durations=0`, summed per module), slowest first.

`pytest -n` sends whole modules to its workers (`--dist loadscope`) in collection order
(`--no-loadscope-reorder`): these go first, so that no long module starts when the other
worker is about to run out of work."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the modules of `SLOWEST_FIRST` first, in its order; the rest keep theirs."""
    rank = {name: place for place, name in enumerate(SLOWEST_FIRST)}

    def place(item: pytest.Item) -> int:
        module = item.path.relative_to(ROOT).as_posix()
        return rank.get(module, len(SLOWEST_FIRST))

    items.sort(key=place)  # stable: within a module, and among the others, order is kept


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
    """What the shapes validate of the release (`kg.release.data_of`)."""
    return release.data_of(project_graphs)


@pytest.fixture(scope="session")
def project_shapes(project_graphs: dict[URIRef, Graph]) -> Graph:
    return project_graphs[SHAPES_GRAPH]


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory, project_sources: ProjectSources) -> Path:
    """The project's store as `kg build` writes it: the same release function, so the same
    graphs, report, description, dumps, docs and sources. Made once for all xdist workers.
    Read only: copy it to write."""
    return shared_release(tmp_path_factory, "project-store", project_sources)


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store of tests/data/edit/project, a small project with the project's terms and
    messages, for the tests that write: an edit of it takes a tenth of a second, an edit of
    `built_store` seconds. Made once for all xdist workers. Read only: copy it to write."""
    return shared_release(tmp_path_factory, "small-store", load_project(SMALL_PROJECT))


def shared_release(
    tmp_path_factory: pytest.TempPathFactory, name: str, sources: ProjectSources
) -> Path:
    """The store of `sources`' release in this session's shared directory, made by the first
    xdist worker that asks for it."""
    shared = session_directory(tmp_path_factory, "shared")
    path = shared / name
    with locked(shared / f"{name}.lock"):
        if not (path / MANIFEST).is_file():
            base_iri = Settings(root=ROOT).base_iri
            made = release.make(source_graphs(sources), __version__, base_iri)
            release.write(made, path)
    return path
