"""kg.sources: parse errors name file, line and column; a project is read whole and in order."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDFS

from kg.errors import SourceError, UsageError
from kg.namespaces import ID
from kg.sources import RDF_FORMATS, load_project, parse_rdf

FIXTURES = Path(__file__).parent / "data" / "build"
PROJECT = FIXTURES / "project"

# One malformed document per syntax, with the line (and column, when the parser gives one) of
# the fault as an editor counts them.
MALFORMED: list[tuple[str, str, int, int | None]] = [
    (
        "bad.ttl",
        '@prefix ex: <http://example.org/> .\n\nex:a ex:p ex:b .\nex:c ex:p "open .\n',
        4,
        18,
    ),
    (
        "bad.trig",
        "@prefix ex: <http://example.org/> .\nex:g {\n  ex:a ex:p ex:b .\n"
        "  ex:a ex:p ex:b ex:z .\n}\n",
        4,
        18,
    ),
    ("bad.nt", "<http://e/a> <http://e/p> <http://e/b> .\n<http://e/a> <http://e/p> .\n", 2, None),
    (
        "bad.nq",
        "<http://e/a> <http://e/p> <http://e/b> <http://e/g> .\n\n# comment\n"
        "<http://e/a> <http://e/p> <http://e/b> <http://e/g> junk .\n",
        4,
        None,
    ),
    (
        "bad.rdf",
        '<?xml version="1.0"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:ex="http://example.org/">\n'
        '  <rdf:Description rdf:about="http://example.org/a">\n'
        "    <ex:p>x</ex:q>\n"
        "  </rdf:Description>\n</rdf:RDF>\n",
        4,
        14,
    ),
    ("bad.jsonld", '{\n  "@id": "http://example.org/a",\n  "http://e/p": "x",,\n}\n', 3, 21),
]


def test_malformed_turtle_names_file_and_line() -> None:
    path = FIXTURES / "broken" / "organisations.ttl"
    with pytest.raises(SourceError) as raised:
        parse_rdf(path)
    assert raised.value.path == path
    assert raised.value.line == 7
    assert str(raised.value).startswith(f"{path}:7:")


@pytest.mark.parametrize(("name", "text", "line", "column"), MALFORMED)
def test_parse_error_position_per_syntax(
    tmp_path: Path, name: str, text: str, line: int, column: int | None
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        parse_rdf(path)
    assert (raised.value.path, raised.value.line, raised.value.column) == (path, line, column)


def test_turtle_line_counts_newlines_inside_long_literals(tmp_path: Path) -> None:
    path = tmp_path / "long.ttl"
    path.write_text(
        '<http://e/a> <http://e/p> """one\ntwo\nthree""" .\n<http://e/a> <http://e/p> .'
    )
    with pytest.raises(SourceError) as raised:
        parse_rdf(path)
    assert raised.value.line == 4


def test_parse_rdf_reads_turtle() -> None:
    graph = parse_rdf(PROJECT / "data" / "organisations.ttl")
    assert (ID["org-alpha"], RDFS.label, Literal("Alpha")) in graph


def test_parse_rdf_returns_quads_for_trig(tmp_path: Path) -> None:
    path = tmp_path / "g.trig"
    path.write_text("<http://e/g> { <http://e/a> <http://e/p> <http://e/b> . }\n")
    dataset = parse_rdf(path)
    assert isinstance(dataset, Dataset)
    triple = (URIRef("http://e/a"), URIRef("http://e/p"), URIRef("http://e/b"))
    assert triple in dataset.graph(URIRef("http://e/g"))


def test_unknown_suffix_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text("a,b\n")
    with pytest.raises(SourceError, match="unknown RDF syntax"):
        parse_rdf(path)


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as raised:
        parse_rdf(tmp_path / "missing.ttl")
    assert raised.value.path == tmp_path / "missing.ttl"


def test_rdf_formats_cover_the_syntaxes_we_read() -> None:
    assert set(RDF_FORMATS.values()) == {"turtle", "trig", "n3", "nt", "nquads", "xml", "json-ld"}


def test_load_project_lists_files_sorted_by_kind() -> None:
    sources = load_project(PROJECT)
    assert [path.relative_to(PROJECT).as_posix() for path in sources.files] == [
        "ontology/mini.ttl",
        "data/organisations.ttl",
        "data/provenance.ttl",
        "data/links/wikidata.ttl",
        "shapes/shapes.ttl",
    ]


def test_load_project_never_reads_data_source() -> None:
    sources = load_project(PROJECT)  # data/source/not-rdf.ttl would not parse
    assert not any("source" in path.parts for path in sources.files)


def test_load_project_keys_linksets_by_stem() -> None:
    sources = load_project(PROJECT)
    assert list(sources.links) == ["wikidata"]
    assert (ID["org-beta"], None, None) in sources.links["wikidata"]
    assert (ID["org-beta"], URIRef("http://www.w3.org/2002/07/owl#sameAs"), None) not in (
        sources.data
    )


def test_load_project_without_ontology_dir_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="ontology/"):
        load_project(tmp_path)
