"""The Turtle dump: Oxigraph's serialisation of the sorted N-Triples, with our prefixes."""

from __future__ import annotations

import gzip

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.dumps import NAMES, render
from kg.namespaces import PREFIXES, STUDY_GRAPH

EX = "urn:test:turtle:"


def turtle_of(graph: Graph) -> str:
    dumps = {dump.name: dump for dump in render({STUDY_GRAPH: graph}, "0.0.0")}
    return gzip.decompress(dumps[NAMES[0]].data).decode("utf-8")


def test_turtle_dump_keeps_the_lexical_form_of_numbers() -> None:
    graph = Graph()
    graph.add((URIRef(f"{EX}s"), URIRef(f"{EX}share"), Literal("30", datatype=XSD.decimal)))
    graph.add((URIRef(f"{EX}s"), URIRef(f"{EX}ratio"), Literal("1.50", datatype=XSD.decimal)))

    parsed = Graph().parse(data=turtle_of(graph), format="turtle")

    assert {str(o) for o in parsed.objects()} == {"30", "1.50"}
    assert set(parsed) == set(graph)


def test_turtle_dump_declares_our_prefixes_in_name_order() -> None:
    graph = Graph()
    graph.add((URIRef(f"{EX}s"), URIRef(f"{EX}p"), Literal("o")))

    declared = [
        line.split()[1] for line in turtle_of(graph).splitlines() if line.startswith("@prefix")
    ]

    assert declared == [f"{prefix}:" for prefix in sorted(PREFIXES)]


def test_the_turtle_of_no_triple_is_the_prefixes_in_name_order() -> None:
    from kg.dumps import _ntriples_as_turtle
    from kg.namespaces import PREFIXES

    lines = _ntriples_as_turtle(b"").decode().splitlines()
    assert lines == [f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items())]


def test_the_turtle_prefixes_come_in_name_order() -> None:
    from kg.dumps import _ntriples_as_turtle

    text = _ntriples_as_turtle(b"<urn:a> <urn:b> <urn:c> .\n").decode()
    declared = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix ")]
    assert declared == sorted(declared)
