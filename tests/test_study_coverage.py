"""Every number of the study and every organisation it names is in the graph, with its quote.

The numbers are found in the study text itself (not listed by hand), so a number the data
misses fails here; the table below only says where in the graph each kind of number lives.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal
from rdflib.term import Node

from kg.namespaces import OA, PV

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "data" / "source" / "etude-partage-pouvoir-valeur.md"

# Digits that are part of a name, not a number of the study.
NAMES_WITH_DIGITS = ("loi 1901", "B2B(2C)", "1D Lab", "1001pact")

ORGANISATIONS = (
    "La Ruche qui dit oui!",
    "La Louve",
    "Hopwork",
    "France Barter",
    "Smiile",
    "Mutum",
    "OuiShare",
    "MakeSense",
    "Howtank",
    "BlaBlaCar",
    "A Little Market",
    "Coopaname",
    "1001pact",
    "1D Lab",
    "Wikimedia",
)


def study_text() -> str:
    text = re.sub(r"\s+", " ", STUDY.read_text(encoding="utf-8").replace("*", ""))
    for name in NAMES_WITH_DIGITS:
        text = text.replace(name, " ")
    return text


def shares_as_stated(graph: Graph) -> set[int]:
    """« 1/3 » is kept as written (pv:shareAsStated): its numerator is the study's number 1."""
    return {int(str(o).split("/")[0]) for o in graph.objects(None, PV.shareAsStated)}


def study_numbers() -> list[int]:
    """Integers as the study writes them: « 30 000 », « 150K », « 53% », « 1/3 »."""
    numbers = []
    for match in re.finditer(r"(?<![\w/])(\d{1,3}(?: \d{3})+|\d+)(K)?(?=\D|$)", study_text()):
        value = int(match[1].replace(" ", ""))
        numbers.append(value * 1000 if match[2] else value)
    return sorted(set(numbers))


def integers_in(graph: Graph) -> set[int]:
    values = (o.toPython() for o in graph.objects() if isinstance(o, Literal))
    return {
        int(v) for v in values if isinstance(v, int | float | Decimal) and not isinstance(v, bool)
    }


def counts_of_things(graph: Graph) -> set[int]:
    """Numbers the study states as how many things it presents: « 4 catégories », « quatre
    principales formes », « 3 exemples de structures »."""
    examples = next(graph.subjects(PV.evidence, quote_containing(graph, "3 exemples de")))
    return {
        len(set(graph.subjects(RDF.type, PV.PlatformCategory))),
        len(set(graph.subjects(RDF.type, PV.LegalFamily))),
        len(set(graph.subjects(PV.illustrates, examples))),
    }


def quote_containing(graph: Graph, fragment: str) -> Node:
    for quote in graph.subjects(RDF.type, PV.Quote):
        for exact in graph.objects(quote, OA.hasTarget / OA.hasSelector / OA.exact):
            if fragment in str(exact):
                return quote
    raise AssertionError(f"no quote contains {fragment!r}")


def test_the_study_text_has_the_numbers_we_expect_to_find() -> None:
    assert {34, 18, 700, 5000, 30000, 400, 3000, 2000, 50000, 20, 150000} <= set(study_numbers())


@pytest.mark.parametrize("number", study_numbers())
def test_every_number_of_the_study_is_in_the_graph(number: int, project_data: Graph) -> None:
    assert number in (
        integers_in(project_data) | counts_of_things(project_data) | shares_as_stated(project_data)
    )


@pytest.mark.parametrize("name", ORGANISATIONS)
def test_every_named_organisation_is_in_the_graph_with_a_quote_naming_it(
    name: str, project_data: Graph
) -> None:
    organisations = [
        o
        for o in project_data.subjects(RDF.type, PV.Organisation)
        if Literal(name, lang="fr") in set(project_data.objects(o, RDFS.label))
    ]
    assert len(organisations) == 1
    passages = [
        str(exact)
        for quote in project_data.objects(organisations[0], PV.evidence)
        for exact in project_data.objects(quote, OA.hasTarget / OA.hasSelector / OA.exact)
    ]
    assert any(name in passage for passage in passages)


def test_no_other_organisation_is_in_the_graph(project_data: Graph) -> None:
    assert len(set(project_data.subjects(RDF.type, PV.Organisation))) == len(ORGANISATIONS)
