"""kg.shacl_syntax: pySHACL checks each SHACL-SPARQL text once, and still refuses a bad one."""

from __future__ import annotations

import pytest
from pyshacl.errors import ValidationFailure
from rdflib import Graph

from kg.validate import validate

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:Shape a sh:NodeShape ;
    sh:targetSubjectsOf ex:p ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:select "{select}" ] .
"""
DATA = Graph().parse(
    data="<http://example.org/a> <http://example.org/p> 'x' . "
    "<http://example.org/b> <http://example.org/p> 'y' .",
    format="turtle",
)


def shapes(select: str) -> Graph:
    return Graph().parse(data=SHAPES.replace("{select}", select), format="turtle")


def test_a_text_that_passed_is_evaluated_for_every_focus_node() -> None:
    report = validate(DATA, shapes("SELECT $this WHERE { $this ?p ?o }"))
    assert len(report.results) == 2


def test_a_constraint_shacl_forbids_is_refused_on_every_validation() -> None:
    forbidden = shapes("SELECT $this WHERE { $this ?p ?o MINUS { $this ?q ?o } }")
    for _ in range(2):
        with pytest.raises(ValidationFailure, match="MINUS"):
            validate(DATA, forbidden)
