"""The release archive (kg.releases): each published version stays where it was published, with
its checksums, its CHANGELOG section and what changed since the one before."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import OWL
from typer.testing import CliRunner

from kg import release, releases
from kg.build import source_graphs
from kg.cli import app
from kg.layout import archive_of, read_manifest
from kg.namespaces import ONTOLOGY, RELEASES
from kg.sources import load_project

FIXTURE_PROJECT = Path(__file__).parent / "data" / "build" / "project"
RELEASES_DATA = Path(__file__).parent / "data" / "releases"
BASE = "http://127.0.0.1:8000/"
CHANGELOG = "# Changelog\n\n## 0.2.0\n\n- Gamma.\n\n## 0.1.0\n\n- First.\n"


def publish(project: Path, store: Path, version: str) -> releases.Record:
    """Make the project's release as `version`, write it and archive it, as --release does."""
    made = release.make(source_graphs(load_project(project)), version, BASE)
    release.write(made, store)
    return releases.archive(store, CHANGELOG)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE_PROJECT, tmp_path / "project"))


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """0.1.0 of the fixture project, then 0.2.0 with one organisation more; the store. Made
    once for the module: its tests only read it."""
    directory = tmp_path_factory.mktemp("two-releases")
    project = Path(shutil.copytree(FIXTURE_PROJECT, directory / "project"))
    store = directory / "store"
    publish(project, store, "0.1.0")
    shutil.copy(RELEASES_DATA / "gamma.ttl", project / "data" / "gamma.ttl")
    publish(project, store, "0.2.0")
    return store


def test_an_archived_release_holds_its_ontology_shapes_dumps_and_description(
    project: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    record = publish(project, store, "0.1.0")
    folder = archive_of(store) / "0.1.0"
    for name in ("partage.ttl", "partage.jsonld", "partage.nt", "partage.rdf", "shapes.ttl"):
        assert (folder / name).is_file(), name
    for name in ("dumps/partage-kg.nq.gz", "dumps/partage-kg.nq.gz.sha256", "dumps/void.ttl"):
        assert (folder / name).is_file(), name
    assert record.content_hash == read_manifest(store).content_hash
    assert record.previous is None and not (folder / releases.PATCH).exists()


def test_the_archived_ontology_is_the_file_its_version_iri_names(
    project: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    publish(project, store, "0.1.0")
    ontology = Graph().parse(archive_of(store) / "0.1.0" / "partage.ttl")
    assert ontology.value(ONTOLOGY, OWL.versionIRI) == RELEASES["0.1.0/partage.ttl"]


def test_the_record_lists_every_file_with_its_sha256(project: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    record = publish(project, store, "0.1.0")
    folder = archive_of(store) / "0.1.0"
    for name, digest in record.files.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert releases.RECORD not in record.files


def test_a_release_keeps_its_changelog_section(project: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    publish(project, store, "0.1.0")
    kept = (archive_of(store) / "0.1.0" / releases.CHANGELOG_FILE).read_text(encoding="utf-8")
    assert kept == "## 0.1.0\n\n- First.\n"


def test_archiving_the_same_content_again_changes_nothing(project: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = publish(project, store, "0.1.0")
    assert publish(project, store, "0.1.0") == first


def test_the_same_version_with_other_content_is_refused(project: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    publish(project, store, "0.1.0")
    shutil.copy(RELEASES_DATA / "gamma.ttl", project / "data" / "gamma.ttl")
    with pytest.raises(releases.ReleaseExistsError, match="new version"):
        publish(project, store, "0.1.0")
    assert releases.versions(store) == ["0.1.0"]


def test_versions_are_listed_newest_first(two_releases: Path) -> None:
    assert releases.versions(two_releases) == ["0.2.0", "0.1.0"]


def test_version_order_compares_numbers() -> None:
    assert sorted(["0.10.0", "0.9.1", "0.2.0"], key=releases.version_key) == [
        "0.2.0",
        "0.9.1",
        "0.10.0",
    ]


def test_a_later_release_says_what_changed_as_an_rdf_patch(two_releases: Path) -> None:
    patch = (archive_of(two_releases) / "0.2.0" / releases.PATCH).read_text(encoding="utf-8")
    assert patch.startswith('H previous "0.1.0" .\nH version "0.2.0" .\nTX .\n')
    assert patch.endswith("TC .\n")
    assert "A <https://w3id.org/partage/id/org-gamma> " in patch


def test_the_record_counts_the_changes_per_graph(two_releases: Path) -> None:
    record = releases.read_record(two_releases, "0.2.0")
    study = record.changes["https://w3id.org/partage/graph/study"]
    assert record.previous == "0.1.0"
    assert study["added"] >= 2
    assert study["removed"] == 0


def test_the_summary_names_the_organisation_added(two_releases: Path) -> None:
    summary = releases.read_record(two_releases, "0.2.0").summary
    assert summary["organisations added"] == ["https://w3id.org/partage/id/org-gamma"]
    assert summary["organisations changed"] == []


def test_a_patch_applied_to_the_previous_dump_gives_the_next(two_releases: Path) -> None:
    archive = archive_of(two_releases)
    old = releases._lines((archive / "0.1.0" / releases.NQUADS_DUMP).read_bytes())
    new = releases._lines((archive / "0.2.0" / releases.NQUADS_DUMP).read_bytes())
    patched = set(old)
    for line in (archive / "0.2.0" / releases.PATCH).read_text(encoding="utf-8").splitlines():
        if line.startswith("D "):
            patched.remove(line[2:])
        elif line.startswith("A "):
            patched.add(line[2:])
    assert patched == set(new)


def test_kg_build_release_archives_and_a_changed_rebuild_exits_2(
    project: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    runner = CliRunner()
    arguments = ["build", "--root", str(project), "--store", str(store), "--release"]
    first = runner.invoke(app, arguments)
    assert first.exit_code == 0, first.output
    assert "archived" in first.stdout
    before = read_manifest(store)
    shutil.copy(RELEASES_DATA / "gamma.ttl", project / "data" / "gamma.ttl")
    again = runner.invoke(app, arguments)
    assert again.exit_code == 2
    assert "new version" in again.stderr
    assert read_manifest(store) == before  # refused before the store was written


def test_changelog_section_is_none_for_a_version_it_does_not_have() -> None:
    assert releases.changelog_section(CHANGELOG, "9.9.9") is None
    assert releases.changelog_section(CHANGELOG, "0.2.0") == "## 0.2.0\n\n- Gamma.\n"


def test_an_unknown_version_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(releases.UsageError, match="not archived"):
        releases.read_record(tmp_path / "store", "0.1.0")
