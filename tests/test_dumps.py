"""kg.dumps and what `kg build` publishes: dumps that round-trip, deterministic bytes, checksums.

The dumps hold every graph but the description; `kg build` writes them, the description
(`void.ttl`) and the ontology's page into the new store before the swap, and the manifest lists
them with their digests.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from typer.testing import CliRunner

from blank_parts import blank_form
from hash_seeds import outputs_under_hash_seeds
from kg.build import content_hash
from kg.cli import app
from kg.docs import SYNTAXES
from kg.dumps import DESCRIPTION_FILE, Dump, dataset_hash, render, write
from kg.layout import DATABASE, MANIFEST, SNAPSHOT, SOURCES, read_manifest
from kg.namespaces import DESCRIPTION_GRAPH, STUDY_GRAPH, VOID
from kg.store import run_query

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PROJECT = ROOT / "tests" / "data" / "build" / "project"
VERSION = "9.9.9"
NAMES = ["partage-kg.ttl.gz", "partage-kg.nt.gz", "partage-kg.nq.gz", "partage-kg.jsonld.gz"]

# Run in a fresh interpreter: rdflib's ordering may depend on hash randomisation.
RENDER_SCRIPT = """
import hashlib, sys
from pathlib import Path
from kg.build import assemble
from kg.dumps import render
from kg.sources import load_project
for dump in render(assemble(load_project(Path(sys.argv[1]))), "9.9.9"):
    print(dump.name, hashlib.sha256(dump.data).hexdigest())
"""


@pytest.fixture(scope="module")
def dumps(project_graphs: dict[URIRef, Graph]) -> dict[str, Dump]:
    return {dump.name: dump for dump in render(project_graphs, VERSION)}


def text(dump: Dump) -> str:
    return gzip.decompress(dump.data).decode("utf-8")


def assert_isomorphic(expected: Graph, actual: Graph, what: str) -> None:
    """Equal up to blank-node labels, compared part by part (tests/blank_parts.py)."""
    if blank_form(expected) != blank_form(actual):
        assert not isomorphic(expected, actual), f"{what}: canonical forms differ, isomorphic"
        _both, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail(
            f"{what} differs:\nmissing {len(missing)}:\n"
            + missing.serialize(format="nt")[:2000]
            + f"\nextra {len(extra)}:\n"
            + extra.serialize(format="nt")[:2000]
        )


def union(graphs: dict[URIRef, Graph]) -> Graph:
    merged = Graph()
    for graph in graphs.values():
        merged += graph
    return merged


def test_render_names_the_four_dumps_in_order(dumps: dict[str, Dump]) -> None:
    assert list(dumps) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_dump_is_gzip_without_time_or_file_name(dumps: dict[str, Dump], name: str) -> None:
    header = dumps[name].data[:10]
    assert header[:3] == b"\x1f\x8b\x08"  # gzip, deflate (RFC 1952 §2.3.1)
    assert header[3] == 0  # FLG: no FNAME, no comment
    assert header[4:8] == b"\0\0\0\0"  # MTIME 0


def test_nquads_dump_is_the_text_the_content_hash_hashes(
    dumps: dict[str, Dump], project_graphs: dict[URIRef, Graph]
) -> None:
    nquads = gzip.decompress(dumps["partage-kg.nq.gz"].data)
    assert hashlib.sha256(nquads).hexdigest() == content_hash(project_graphs)
    assert dataset_hash(list(dumps.values())) == content_hash(project_graphs)


@pytest.mark.parametrize("name", ["partage-kg.nq.gz", "partage-kg.jsonld.gz"])
def test_quad_dump_round_trips_graph_by_graph(
    dumps: dict[str, Dump], project_graphs: dict[URIRef, Graph], name: str
) -> None:
    dataset = Dataset()
    dataset.parse(data=text(dumps[name]), format="nquads" if name.endswith("nq.gz") else "json-ld")
    names = {graph.identifier for graph in dataset.graphs() if len(graph)}
    assert names == set(project_graphs)
    for graph_name, graph in project_graphs.items():
        assert_isomorphic(graph, dataset.graph(graph_name), f"{name}: {graph_name}")


@pytest.mark.parametrize("name", ["partage-kg.ttl.gz", "partage-kg.nt.gz"])
def test_triple_dump_is_the_union(
    dumps: dict[str, Dump], project_graphs: dict[URIRef, Graph], name: str
) -> None:
    parsed = Graph().parse(data=text(dumps[name]), format="turtle" if "ttl" in name else "nt")
    assert_isomorphic(union(project_graphs), parsed, name)


def test_ntriples_dump_is_sorted_unique_lines(dumps: dict[str, Dump]) -> None:
    lines = text(dumps["partage-kg.nt.gz"]).splitlines()
    assert lines == sorted(set(lines))
    quads = text(dumps["partage-kg.nq.gz"]).splitlines()
    assert quads == sorted(quads)


def test_turtle_dump_says_the_description_is_not_in_it(dumps: dict[str, Dump]) -> None:
    head = text(dumps["partage-kg.ttl.gz"]).splitlines()[:2]
    assert any(str(DESCRIPTION_GRAPH) in line and VERSION in head[0] for line in head)


def test_dumps_leave_the_description_graph_out(
    dumps: dict[str, Dump], project_graphs: dict[URIRef, Graph]
) -> None:
    description = Graph()
    description.add((DESCRIPTION_GRAPH, VOID.triples, STUDY_GRAPH))
    with_description = render({**project_graphs, DESCRIPTION_GRAPH: description}, VERSION)
    assert [dump.data for dump in with_description] == [dump.data for dump in dumps.values()]


def test_render_gives_the_same_bytes_whatever_the_hash_seed(
    dumps: dict[str, Dump], project_root: Path
) -> None:
    digests = {name: dump.sha256 for name, dump in dumps.items()}
    for out in outputs_under_hash_seeds(RENDER_SCRIPT, str(project_root)):
        assert dict(line.split() for line in out.splitlines()) == digests


def test_write_puts_each_dump_its_checksum_and_the_description(
    dumps: dict[str, Dump], tmp_path: Path
) -> None:
    description = Graph()
    description.add((DESCRIPTION_GRAPH, VOID.triples, STUDY_GRAPH))
    write(list(dumps.values()), description, tmp_path / "dumps")
    for name, dump in dumps.items():
        assert (tmp_path / "dumps" / name).read_bytes() == dump.data
        checksum = (tmp_path / "dumps" / f"{name}.sha256").read_text(encoding="utf-8")
        assert checksum == f"{hashlib.sha256(dump.data).hexdigest()}  {name}\n"
    written = Graph().parse(tmp_path / "dumps" / DESCRIPTION_FILE)
    assert isomorphic(written, description)


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils' sha256sum")
def test_sha256sum_checks_the_written_dumps(dumps: dict[str, Dump], tmp_path: Path) -> None:
    write(list(dumps.values()), Graph(), tmp_path)
    for name in NAMES:
        subprocess.run(
            ["sha256sum", "--check", "--status", f"{name}.sha256"], cwd=tmp_path, check=True
        )


# --- `kg build` publishes them with the store -------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project built by `kg build`, dumps, description and docs included."""
    project = shutil.copytree(FIXTURE_PROJECT, tmp_path_factory.mktemp("publish") / "project")
    store = Path(project).parent / "store"
    result = CliRunner().invoke(app, ["build", "--root", str(project), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return store


def test_build_writes_dumps_description_and_docs_into_the_store(published: Path) -> None:
    files = {
        path.relative_to(published).as_posix() for path in published.rglob("*") if path.is_file()
    }
    expected = {f"dumps/{name}" for name in NAMES} | {f"dumps/{n}.sha256" for n in NAMES}
    pages = {f"docs/{stem}.{ext}" for stem in ("ontology", "shapes") for ext in SYNTAXES}
    expected |= pages | {f"dumps/{DESCRIPTION_FILE}", "docs/ontology.html"}
    own = (f"{DATABASE}/", MANIFEST, SNAPSHOT, SOURCES)
    store_files = {p for p in files if p.startswith(own)}
    assert expected == files - store_files


def test_build_manifest_lists_every_published_file_with_its_digest(published: Path) -> None:
    listed = read_manifest(published).files
    on_disk = {
        path.relative_to(published).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for directory in ("dumps", "docs")
        for path in sorted((published / directory).iterdir())
    }
    assert listed == on_disk


def test_build_loads_the_description_graph_and_lists_the_dumps_checksums(published: Path) -> None:
    query = f"""SELECT ?url ?sha256 WHERE {{ GRAPH <{DESCRIPTION_GRAPH}> {{
        ?distribution dcat:downloadURL ?url ; spdx:checksum/spdx:checksumValue ?sha256 }} }}"""
    prefixes = (
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX spdx: <http://spdx.org/rdf/terms#> "
    )
    rows = run_query(published, prefixes + query).rows
    checksums = {str(url).rsplit("/", 1)[-1]: str(sha256) for url, sha256 in rows}
    assert checksums == {
        name: hashlib.sha256((published / "dumps" / name).read_bytes()).hexdigest()
        for name in NAMES
    }
