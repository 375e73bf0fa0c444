"""A server with edits enabled validates its release once at start-up, so that its first edit
validates only the shapes the change can affect (`kg.updates.prepare_edits`)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from fastapi.testclient import TestClient
from rdflib import Dataset, Literal, URIRef

from kg import validate
from kg.config import Settings
from kg.updates import edit_store, prepare_edits
from kg.web.app import create_app

BASE = "https://w3id.org/partage/"


def _copy(store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    return copy


def _add_triple(dataset: Dataset) -> None:
    graph = dataset.graph(URIRef("urn:example:g"))
    graph.add((URIRef("urn:example:s"), URIRef("urn:example:p"), Literal(1)))


def _ran() -> set[URIRef]:
    return {n for memo in validate.MEMOS.values() for n in memo.ran if isinstance(n, URIRef)}


def test_a_prepared_store_s_first_edit_runs_no_shape_its_change_cannot_affect(
    small_store: Path, tmp_path: Path
) -> None:
    store = _copy(small_store, tmp_path)
    validate.MEMOS.clear()
    assert prepare_edits(store, BASE)
    edit_store(store, _add_triple, BASE)
    assert not _ran()


def test_a_prepared_store_knows_what_each_named_shape_reads_before_its_first_edit(
    small_store: Path, tmp_path: Path
) -> None:
    store = _copy(small_store, tmp_path)
    validate.MEMOS.clear()
    assert prepare_edits(store, BASE)
    (memo,) = validate.MEMOS.values()
    named = {node for node in memo.runs if isinstance(node, URIRef)}
    assert named
    assert named <= set(memo.reads)


def test_an_unprepared_first_edit_validates_every_shape(small_store: Path, tmp_path: Path) -> None:
    store = _copy(small_store, tmp_path)
    validate.MEMOS.clear()
    edit_store(store, _add_triple, BASE)
    assert _ran()


def test_a_store_without_sources_is_not_prepared(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    assert not prepare_edits(tmp_path / "store", BASE)


def test_a_server_with_edits_enabled_prepares_them_at_start_up(
    small_store: Path, tmp_path: Path
) -> None:
    store = _copy(small_store, tmp_path)
    validate.MEMOS.clear()
    settings = Settings(store=store, admin_token="token", engine="inline")
    with TestClient(create_app(settings)):
        deadline = time.monotonic() + 60
        while not validate.MEMOS.values() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert validate.MEMOS.values()
