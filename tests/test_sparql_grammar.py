"""rdflib's SPARQL grammar, entered through kg.sparql_grammar: safe under threads, parsed once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from pyparsing import ParseException
from rdflib import Graph, Literal, URIRef

from kg import sparql_grammar

VALID = "PREFIX ex: <http://example.org/> INSERT DATA { ex:s ex:p {n} }"
INVALID = "PREFIX ex: <http://example.org/> INSERT DATA { ex:s ex:p {n} "


def parse_together(texts: list[str]) -> list[str]:
    """Parse every text on its own thread, all released at once; 'ok' or the error's type."""
    start = Barrier(len(texts))

    def parse(text: str) -> str:
        start.wait()
        try:
            sparql_grammar.prepare_update(text)
        except ParseException:
            return "ParseException"
        return "ok"

    with ThreadPoolExecutor(len(texts)) as pool:
        return list(pool.map(parse, texts))


def test_concurrent_updates_each_parse_to_their_own_outcome() -> None:
    texts = [(VALID if i % 2 else INVALID).replace("{n}", str(i)) for i in range(32)]
    outcomes = parse_together(texts)
    assert outcomes == ["ok" if i % 2 else "ParseException" for i in range(32)]


def test_parsing_still_works_after_concurrent_parses() -> None:
    parse_together([INVALID.replace("{n}", str(i)) for i in range(16)])
    update = sparql_grammar.prepare_update(VALID.replace("{n}", "1"))
    assert update.algebra


def test_a_query_text_is_parsed_once() -> None:
    text = "SELECT ?o WHERE { <http://example.org/s> <http://example.org/p> ?o } # once"
    assert sparql_grammar.prepare_query(text) is sparql_grammar.prepare_query(text)


def test_a_cached_query_answers_for_each_binding() -> None:
    sparql_grammar.install()
    graph = Graph()
    ex = "http://example.org/"
    graph.add((URIRef(ex + "a"), URIRef(ex + "p"), Literal(1)))
    graph.add((URIRef(ex + "b"), URIRef(ex + "p"), Literal(2)))
    text = f"SELECT ?o WHERE {{ ?this <{ex}p> ?o }}"
    for name, value in (("a", 1), ("b", 2), ("a", 1)):
        rows = list(graph.query(text, initBindings={"this": URIRef(ex + name)}))
        assert [row[0].toPython() for row in rows] == [value]  # type: ignore[index]


@pytest.mark.parametrize("text", ["SELECT * WHERE { ?s ?p }", "ASK { ?s ?p ?o "])
def test_a_malformed_query_raises_the_parsers_error(text: str) -> None:
    with pytest.raises(ParseException):
        sparql_grammar.prepare_query(text)
