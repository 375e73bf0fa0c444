"""`kg load` into a store that holds a release: the files join its sources, the release is made
again, and the store stays servable and editable; a load and edits racing all land.

Before, a load into a built store dropped its dumps and docs (the server then refused every edit)
and the next edit's store, made from the dump, lost the loaded triples.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from typer.testing import CliRunner, Result

from kg.cli import app
from kg.layout import read_manifest
from kg.namespaces import BASE
from kg.release import read_sources
from kg.sparql_update import parse_update, run_update
from kg.store import run_query
from kg.updates import edit_store

KG = Path(sys.executable).with_name("kg")
DATA = Path(__file__).parent / "data" / "load"
EXTRA = DATA / "extra.ttl"
GRAPH = "urn:x:loaded"
LOADED = (URIRef("urn:x:loaded"), URIRef("urn:x:says"), Literal("loaded by kg load"))


@pytest.fixture
def store(small_store: Path, tmp_path: Path) -> Path:
    """A copy of a release (the small project's, tests/data/edit/) that the test may write."""
    path = tmp_path / "store"
    shutil.copytree(small_store, path)
    return path


def kg_load(store: Path, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
    """The `kg load` script in a process of its own: for the tests where a load runs beside
    edits, and those that read what it leaves on disk."""
    command = [KG, "load", *arguments, "--store", store]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def invoke_load(store: Path, *arguments: str | Path) -> Result:
    """`kg load` run in this process (Typer's CliRunner), for the refusals: an exit code and
    a message, without an interpreter's start-up each."""
    return CliRunner().invoke(app, ["load", *map(str, arguments), "--store", str(store)])


def insert(store: Path, value: int) -> None:
    text = f"INSERT DATA {{ GRAPH <urn:x:edits> {{ <urn:x:edit> <urn:x:n> {value} }} }}"
    edit_store(store, run_update(parse_update(text, BASE)), BASE)


def holds(store: Path, triple: tuple[URIRef, URIRef, Literal | int], graph: str) -> bool:
    s, p, o = (term.n3() if not isinstance(term, int) else str(term) for term in triple)
    answer = run_query(store, f"ASK {{ GRAPH <{graph}> {{ {s} {p} {o} }} }}")
    return bool(answer.boolean)


def test_load_into_a_release_adds_to_its_sources_and_renews_its_files(store: Path) -> None:
    before = read_manifest(store)
    result = kg_load(store, EXTRA, "--graph", GRAPH)
    assert result.returncode == 0, result.stderr
    after = read_manifest(store)
    sources = read_sources(store)
    assert sources is not None and LOADED in sources[URIRef(GRAPH)]
    assert holds(store, LOADED, GRAPH)
    assert after.content_hash not in (None, before.content_hash)
    assert set(after.files) == set(before.files)  # dumps, description and docs are still there
    assert [record["file"] for record in after.loaded] == [EXTRA.name]


def test_loaded_triples_survive_the_next_edit(store: Path) -> None:
    assert kg_load(store, EXTRA, "--graph", GRAPH).returncode == 0
    insert(store, 1)
    assert holds(store, LOADED, GRAPH)
    assert [record["file"] for record in read_manifest(store).loaded] == [EXTRA.name]


def test_load_into_a_release_without_a_graph_exits_2_saying_why(store: Path) -> None:
    before = read_manifest(store)
    result = invoke_load(store, EXTRA)
    assert result.exit_code == 2
    assert "--graph" in result.stderr
    assert read_manifest(store) == before


def test_load_into_a_derived_graph_exits_2(store: Path) -> None:
    result = invoke_load(store, EXTRA, "--graph", f"{BASE}graph/entailments")
    assert result.exit_code == 2
    assert "cannot be edited" in result.stderr


def test_load_breaking_the_shapes_exits_1_with_the_report_and_loads_nothing(store: Path) -> None:
    before = read_manifest(store)
    result = invoke_load(store, DATA / "nameless-organisation.ttl", "--graph", f"{BASE}graph/study")
    assert result.exit_code == 1
    assert "violation" in result.stdout
    assert read_manifest(store) == before


def test_load_of_a_malformed_file_names_its_line_and_changes_nothing(store: Path) -> None:
    before = read_manifest(store)
    result = invoke_load(store, EXTRA, DATA / "broken.ttl", "--graph", GRAPH)
    assert result.exit_code == 2
    assert f"{DATA / 'broken.ttl'}:3:" in result.stderr
    assert read_manifest(store) == before


def holder_is(store: Path, holder: str, within: float = 60) -> None:
    lock = store.with_name(f"{store.name}.lock")
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text(encoding="utf-8").startswith(holder):
            return
        time.sleep(0.02)
    raise AssertionError(f"{holder} never held the lock")


def test_a_load_started_during_edits_and_the_edits_all_land(store: Path) -> None:
    values = (11, 12, 13)
    edits = threading.Thread(target=lambda: [insert(store, value) for value in values])
    edits.start()
    holder_is(store, "an edit through the endpoint")
    result = kg_load(store, EXTRA, "--graph", GRAPH)
    edits.join(timeout=300)
    assert result.returncode == 0, result.stderr
    assert holds(store, LOADED, GRAPH)
    for value in values:
        assert holds(store, (URIRef("urn:x:edit"), URIRef("urn:x:n"), value), "urn:x:edits")


def test_edits_started_during_a_load_and_the_load_all_land(store: Path) -> None:
    load = subprocess.Popen(
        [KG, "load", EXTRA, "--graph", GRAPH, "--store", store],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    holder_is(store, "kg load")
    for value in (21, 22):
        insert(store, value)
    _out, err = load.communicate(timeout=300)
    assert load.returncode == 0, err
    assert holds(store, LOADED, GRAPH)
    for value in (21, 22):
        assert holds(store, (URIRef("urn:x:edit"), URIRef("urn:x:n"), value), "urn:x:edits")
