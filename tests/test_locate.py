"""kg.locate: where a node is first described in the source text."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef

from kg.locate import SourceLocation, locate
from kg.namespaces import ID, PV

LOCATE = Path(__file__).parent / "data" / "validate" / "locate"


@pytest.mark.parametrize(
    ("file", "node", "line"),
    [
        ("prefixed.ttl", ID.coop, 6),
        ("prefixed.ttl", ID["coop.2"], 9),
        ("prefixed.ttl", PV.Cooperative, 6),
        ("full-iri.ttl", ID.full, 3),
        ("full-iri.ttl", ID.relative, 5),
        ("object-first.ttl", ID.community, 8),
        ("object-first.ttl", ID.retail, 10),
        ("object-only.ttl", ID.elsewhere, 4),
    ],
    ids=[
        "prefixed-subject-not-comment-or-string",
        "prefixed-name-with-dot",
        "sparql-style-prefix-object",
        "full-iri",
        "relative-iri-under-base",
        "subject-preferred-over-earlier-object",
        "object-at-line-start-is-not-a-subject",
        "object-when-never-a-subject",
    ],
)
def test_locate_finds_the_describing_line(file: str, node: URIRef, line: int) -> None:
    assert locate(node, [LOCATE / file]) == SourceLocation(LOCATE / file, line)


def test_locate_prefers_a_subject_in_a_later_file_to_an_object_in_an_earlier_one() -> None:
    files = [LOCATE / "object-only.ttl", LOCATE / "subject-elsewhere.ttl"]
    assert locate(ID.elsewhere, files) == SourceLocation(files[1], 3)


def test_locate_does_not_match_a_longer_name_sharing_the_prefix() -> None:
    assert locate(ID.coo, [LOCATE / "prefixed.ttl"]) is None


@pytest.mark.parametrize("node", [BNode(), Literal("id:coop")], ids=["blank-node", "literal"])
def test_locate_gives_none_for_nodes_without_a_name(node: BNode | Literal) -> None:
    assert locate(node, [LOCATE / "prefixed.ttl"]) is None


def test_locate_sees_a_file_edited_since_the_last_call(tmp_path: Path) -> None:
    source = tmp_path / "edited.ttl"
    source.write_text(f"<{ID.a}> a <{PV.Platform}> .\n", encoding="utf-8")
    assert locate(ID.a, [source]) == SourceLocation(source, 1)
    source.write_text(f"# moved down\n\n<{ID.a}> a <{PV.Platform}> .\n", encoding="utf-8")
    assert locate(ID.a, [source]) == SourceLocation(source, 3)


def test_locate_finds_a_quoted_iri_in_json_ld(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonld"
    source.write_text(f'{{\n  "@id": "{ID.a}",\n  "@type": "{PV.Platform}"\n}}\n')
    assert locate(ID.a, [source]) == SourceLocation(source, 2)


def test_source_location_prints_as_file_colon_line() -> None:
    assert str(SourceLocation(Path("data/x.ttl"), 12)) == "data/x.ttl:12"
