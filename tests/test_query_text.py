"""When a query names its own dataset, `kg query` and the endpoint both leave it alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.query_text import names_dataset
from kg.store import run_query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * { ?s ?p ?o }", False),
        ("SELECT * FROM <urn:g> { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <urn:g> { GRAPH ?g { ?s ?p ?o } }", True),
        ("SELECT * \\u0046ROM <urn:g> { ?s ?p ?o }", True),
        ('SELECT * { ?s ?p "FROM <urn:g>" } # FROM <urn:g>', False),
        ("SELECT * { ?s <urn:from> ?o }", False),
    ],
)
def test_names_dataset(query: str, expected: bool) -> None:
    assert names_dataset(query) is expected


def test_kg_query_with_from_named_alone_has_an_empty_default_graph(built_store: Path) -> None:
    study = "https://w3id.org/partage/graph/study"
    default = run_query(built_store, f"ASK FROM NAMED <{study}> {{ ?s ?p ?o }}")
    named = run_query(built_store, f"ASK FROM NAMED <{study}> {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert default.boolean is False
    assert named.boolean is True
