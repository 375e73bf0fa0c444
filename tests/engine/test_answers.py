"""Answers cut at a limit: exactly `limit` rows, valid in their format, the first rows of all.

The JSON count reads Oxigraph's bytes, so literals full of what JSON and SPARQL escape (quotes,
backslashes, braces and commas, newlines) are generated, and chunk boundaries are tried
everywhere.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from typing import Any, cast

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.engine import answers
from kg.engine.answers import RESULTS_TYPES

EX = "http://example.org/"
JSON = ox.QueryResultsFormat.JSON
SELECT_ALL = f"SELECT ?s ?o ?unbound WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"
NASTY = st.text(
    alphabet=st.sampled_from(['"', "\\", "{", "}", "[", "]", ",", ":", "\n", "a", "é", "\u2028"]),
    max_size=12,
)


def store_of(texts: list[str]) -> ox.Store:
    store = ox.Store()
    for number, text in enumerate(texts):
        subject = ox.NamedNode(f"{EX}s{number:03d}")
        store.add(ox.Quad(subject, ox.NamedNode(f"{EX}p"), ox.Literal(text)))
    return store


def select(store: ox.Store, query: str) -> ox.QuerySolutions:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return result


def whole_json(store: ox.Store, query: str) -> bytes:
    body = select(store, query).serialize(format=JSON)
    assert body is not None
    return body


def bindings(body: bytes) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], json.loads(body)["results"]["bindings"])


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(NASTY, max_size=25), limit=st.integers(min_value=0, max_value=25))
def test_json_cut_keeps_exactly_the_first_rows(texts: list[str], limit: int) -> None:
    store = store_of(texts)
    whole = whole_json(store, SELECT_ALL)
    body, cut = answers.solutions(select(store, SELECT_ALL), JSON, limit)
    assert cut == (len(texts) > limit)
    assert bindings(body) == bindings(whole)[:limit]
    assert json.loads(body)["head"] == json.loads(whole)["head"]


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(NASTY, min_size=1, max_size=12),
    limit=st.integers(min_value=0, max_value=12),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=8),
)
def test_json_sink_counts_the_same_whatever_the_chunks(
    texts: list[str], limit: int, cuts: list[int]
) -> None:
    whole = whole_json(store_of(texts), SELECT_ALL)
    sink = answers._JsonSink(limit)
    bounds = sorted({0, len(whole), *(cut % (len(whole) + 1) for cut in cuts)})
    stopped = False
    try:
        for start, end in itertools.pairwise(bounds):
            sink.write(whole[start:end])
    except answers._LimitReachedError:
        stopped = True
    assert stopped == (len(texts) > limit)
    if stopped:
        assert bindings(bytes(sink.data[: sink.cut]) + b"]}}") == bindings(whole)[:limit]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { VALUES ?x { 1 2 3 } }",  # no variable bound: `{}` solutions
        "SELECT ?x ?y WHERE { VALUES (?x ?y) { (1 UNDEF) (UNDEF 2) (UNDEF UNDEF) } }",
        f"SELECT ?t WHERE {{ VALUES ?o {{ 1 2 3 }} BIND(<<( <{EX}a> <{EX}b> ?o )>> AS ?t) }}",
        'SELECT ?x WHERE { VALUES ?x { "a"@en--rtl "b"@fr "c"^^<http://example.org/d> } }',
    ],
)
def test_json_cut_of_unusual_solutions(query: str) -> None:
    store = ox.Store()
    whole = whole_json(store, query)
    for limit in range(5):
        body, cut = answers.solutions(select(store, query), JSON, limit)
        assert (bindings(body), cut) == (bindings(whole)[:limit], limit < 3)


def test_json_answer_too_short_to_be_cut_is_not_scanned() -> None:
    store = store_of(["a"] * 3)
    sink = answers._JsonSink(10_000)
    select(store, SELECT_ALL).serialize(cast(Any, sink), format=JSON)
    assert (sink.scanned, sink.solutions) == (0, 0)


@pytest.mark.parametrize("media_type", list(RESULTS_TYPES))
@pytest.mark.parametrize(("limit", "cut"), [(2, True), (3, False), (4, False)])
def test_every_format_cut_at_the_limit(media_type: str, limit: int, cut: bool) -> None:
    store = store_of(['one "1"', "two,\n2", "three"])
    body, was_cut = answers.solutions(select(store, SELECT_ALL), RESULTS_TYPES[media_type], limit)
    rows = min(limit, 3)
    assert was_cut == cut
    text = body.decode()
    if media_type.endswith("json"):
        assert len(bindings(body)) == rows
    elif media_type.endswith("xml"):
        assert text.count("<result>") == rows
    elif media_type == "text/csv":
        assert len(list(csv.reader(io.StringIO(text)))) == rows + 1
    else:
        assert len(text.splitlines()) == rows + 1


def test_triples_cut_at_the_limit() -> None:
    store = store_of(["a", "b", "c"])
    for limit, cut in ((2, True), (3, False)):
        result = store.query(f"CONSTRUCT WHERE {{ ?s <{EX}p> ?o }}")
        assert isinstance(result, ox.QueryTriples)
        body, was_cut = answers.triples(result, ox.RdfFormat.N_TRIPLES, limit, {})
        assert (len(body.decode().splitlines()), was_cut) == (limit, cut)
