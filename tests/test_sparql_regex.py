"""kg.sparql_regex: the REGEX and REPLACE calls Oxigraph and rdflib read alike, from a table."""

from __future__ import annotations

import pytest

from kg.sparql_regex import portable

FILTER = "SELECT ?x WHERE {{ ?x ?p ?v FILTER ({}) }}"

CASES = [
    # (expression, portable, why)
    ('STRLEN(REPLACE(STR(?v), "\\\\s", "")) = 0', True, "white space, removed"),
    ('REGEX(STR(?v), "^https://w3id\\\\.org/")', True, "an anchored prefix, dot escaped"),
    ('REGEX(?v, "^[a-z0-9-]+\\\\.ttl", "i")', True, "a class with a range, case folded"),
    ("regex(?v, 'a,b|c')", True, "single quotes, a comma inside, lower case"),
    ('REGEX(REPLACE(?v, "(a)", "b", "i"), "b")', True, "nested calls"),
    ("?v > 1", True, "no regular expression at all"),
    ('REGEX(?v, "a(?=b)")', False, "lookahead: Python only"),
    ('REGEX(?v, "(a)\\\\1")', False, "a back-reference: Python only"),
    ('REGEX(?v, "^[a-z]+$")', False, "$ before a final newline: Python only"),
    ('REGEX(?v, "a{2}")', False, "a counted repetition"),
    ('REGEX(?v, "[[a]")', False, "a nested class in Rust"),
    ('REGEX(?v, "\\\\w")', False, "word characters: Unicode marks differ"),
    ('REGEX(?v, "é")', False, "not ASCII: case folding differs"),
    ("REGEX(?v, ?pattern)", False, "a pattern from the data"),
    ('REGEX(?v, "a", "x")', False, "the x flag"),
    ('REGEX(?v, """a""")', False, "a long string, not read"),
    ('REGEX(?v, "\\\\u0061")', False, "a \\u escape, not read"),
    ('REPLACE(?v, "(a)", "$1") = ""', False, "a group in the replacement"),
]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [(expression, expected) for expression, expected, _ in CASES],
    ids=[why for _, _, why in CASES],
)
def test_a_call_is_portable_only_in_the_common_subset(expression: str, expected: bool) -> None:
    assert portable(FILTER.format(expression)) is expected


def test_a_call_the_text_never_closes_is_not_portable() -> None:
    assert not portable('SELECT ?x WHERE { ?x ?p ?v FILTER REGEX(?v, "a"')
