"""`kg load`, `kg query` and `kg stats` through the CLI, on real stores in tmp_path."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from typer.testing import CliRunner

from kg.build import assemble
from kg.cli import app
from kg.commands.query import QueryFormat
from kg.namespaces import ID, PV
from kg.sources import load_project
from kg.store import QUERY_FORMATS, read_manifest, write_store

FIXTURES = Path(__file__).parent / "data" / "build"
GOOD_TTL = "<http://e/a> <http://e/p> <http://e/b> .\n"
SELECT = "SELECT ?org ?label WHERE { ?org a pv:Organisation ; rdfs:label ?label } ORDER BY ?org"
CONSTRUCT = "CONSTRUCT WHERE { ?s a pv:Sector }"

runner = CliRunner()


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project, built once; tests must only read it."""
    path = tmp_path_factory.mktemp("cli") / "store"
    write_store(assemble(load_project(FIXTURES / "project")), path)
    return path


def kg(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


def test_load_creates_a_store_with_the_triples(tmp_path: Path) -> None:
    data = tmp_path / "a.ttl"
    data.write_text(GOOD_TTL)
    code, out, _ = kg("load", data, "--store", tmp_path / "store", "--graph", "http://e/g")
    assert code == 0
    assert "1 triples" in out
    assert read_manifest(tmp_path / "store").triples == {"http://e/g": 1}


def test_load_with_one_bad_file_exits_2_and_loads_nothing(tmp_path: Path) -> None:
    data = tmp_path / "a.ttl"
    data.write_text(GOOD_TTL)
    broken = FIXTURES / "broken" / "organisations.ttl"
    code, _, err = kg("load", data, broken, "--store", tmp_path / "store")
    assert code == 2
    assert f"{broken}:7:" in err
    assert not (tmp_path / "store").exists()


def test_query_select_prints_a_table_by_default(store: Path) -> None:
    code, out, _ = kg("query", SELECT, "--store", store)
    assert code == 0
    assert "id:org-alpha" in out
    assert "Alpha" in out
    assert "2 row(s)" in out


def test_query_construct_prints_turtle_by_default(store: Path) -> None:
    code, out, _ = kg("query", CONSTRUCT, "--store", store)
    assert code == 0
    assert (ID["sector-mobility"], None, PV.Sector) in Graph().parse(data=out, format="turtle")


def test_query_ask_prints_true_or_false(store: Path) -> None:
    assert kg("query", "ASK { id:org-alpha a pv:Platform }", "--store", store)[1] == "true\n"


def test_query_reads_the_query_from_a_file(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(SELECT)
    code, out, _ = kg("query", "--file", path, "--store", store)
    assert code == 0
    assert "id:org-beta" in out


@pytest.mark.parametrize(
    ("fmt", "read"),
    [
        ("json", lambda text: len(json.loads(text)["results"]["bindings"])),
        ("xml", lambda text: len(ET.fromstring(text).findall(".//{*}result"))),
        ("csv", lambda text: len(list(csv.reader(io.StringIO(text)))) - 1),
        ("tsv", lambda text: len(text.strip().splitlines()) - 1),
        ("table", lambda text: 2 if "2 row(s)" in text else 0),
    ],
)
def test_query_select_formats(store: Path, fmt: str, read: object) -> None:
    code, out, _ = kg("query", SELECT, "--format", fmt, "--store", store)
    assert code == 0
    assert read(out) == 2  # type: ignore[operator]


@pytest.mark.parametrize(
    ("fmt", "syntax"),
    [
        ("turtle", "turtle"),
        ("ntriples", "nt"),
        ("nquads", "nquads"),
        ("trig", "trig"),
        ("jsonld", "json-ld"),
        ("rdfxml", "xml"),
    ],
)
def test_query_construct_formats(store: Path, fmt: str, syntax: str) -> None:
    code, out, _ = kg("query", CONSTRUCT, "--format", fmt, "--store", store)
    assert code == 0
    parsed = Dataset().parse(data=out, format=syntax)
    assert (ID["sector-mobility"], None, PV.Sector) in parsed


def test_query_syntax_error_exits_2_with_the_parser_message(store: Path) -> None:
    code, _, err = kg("query", "SELEC ?x WHERE {}", "--store", store)
    assert code == 2
    assert "1:" in err  # Oxigraph's message gives line:column


def test_query_format_that_does_not_fit_exits_2(store: Path) -> None:
    code, _, err = kg("query", CONSTRUCT, "--format", "csv", "--store", store)
    assert code == 2
    assert "turtle" in err


def test_query_needs_exactly_one_of_argument_and_file(store: Path) -> None:
    assert kg("query", "--store", store)[0] == 2


def test_query_on_a_missing_store_exits_2(tmp_path: Path) -> None:
    code, _, err = kg("query", SELECT, "--store", tmp_path / "nowhere")
    assert code == 2
    assert "kg build" in err


def test_query_formats_match_the_store_formats() -> None:
    assert {fmt.value for fmt in QueryFormat} == set(QUERY_FORMATS)


def test_stats_lists_graphs_and_classes_by_count(store: Path) -> None:
    code, out, _ = kg("stats", "--store", store)
    assert code == 0
    assert "https://w3id.org/partage/graph/entailments" in out
    lines = out.splitlines()
    organisation = next(i for i, line in enumerate(lines) if "pv:Organisation " in line)
    marketplace = next(i for i, line in enumerate(lines) if "pv:Marketplace " in line)
    assert organisation < marketplace  # 2 instances before 1


def test_stats_on_a_missing_store_exits_2(tmp_path: Path) -> None:
    assert kg("stats", "--store", tmp_path / "nowhere")[0] == 2
