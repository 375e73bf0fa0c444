"""INSERT DATA and DELETE DATA are applied to the graphs' triples with no Dataset
(`kg.sparql_update.run_update` gives a `GraphsEdit`): the graphs after are those rdflib's
update engine makes of the same update on a Dataset."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql.update import evalUpdate

from kg.sparql_update import parse_update, run_update
from kg.updates import GraphsEdit, Triples, _edited

BEFORE = Path(__file__).parent / "data" / "update_data" / "before.trig"
BASE = "https://w3id.org/partage/"
PREFIX = "PREFIX ex: <urn:example:> "


def graphs() -> dict[URIRef, Triples]:
    dataset = Dataset()
    dataset.parse(BEFORE, format="trig")
    found = {
        graph.identifier: frozenset(graph)
        for graph in dataset.graphs()
        if isinstance(graph.identifier, URIRef) and graph.identifier != DATASET_DEFAULT_GRAPH_ID
    }
    return {**found, URIRef("urn:example:empty"): frozenset()}


def by_rdflib(text: str) -> dict[URIRef, Triples]:
    """The graphs after `text` as rdflib evaluates it, as `run_update` did for every update."""
    update = parse_update(PREFIX + text, BASE)

    def edit(dataset: Dataset) -> None:
        existed = {graph.identifier for graph in dataset.graphs()}
        evalUpdate(dataset, update.algebra)
        for graph in list(dataset.graphs()):
            if graph.identifier not in existed and not len(graph):
                dataset.remove_graph(graph)

    return _edited(graphs(), edit)


UPDATES = {
    "insert into a graph": 'INSERT DATA { GRAPH ex:notes { ex:a ex:says "eins"@de } }',
    "insert what is there": 'INSERT DATA { GRAPH ex:notes { ex:a ex:says "one"@en } }',
    "insert into a new graph": "INSERT DATA { GRAPH ex:new { ex:c ex:knows ex:a } }",
    "insert nothing into a new graph": "INSERT DATA { GRAPH ex:new { } }",
    "insert into the empty graph": "INSERT DATA { GRAPH ex:empty { ex:c ex:knows ex:a } }",
    "insert a blank node": 'INSERT DATA { GRAPH ex:notes { _:x ex:says "new"@en } }',
    "delete a triple": 'DELETE DATA { GRAPH ex:notes { ex:a ex:says "un"@fr } }',
    "delete what is not there": 'DELETE DATA { GRAPH ex:notes { ex:a ex:says "deux"@fr } }',
    "delete from a missing graph": "DELETE DATA { GRAPH ex:missing { ex:b ex:knows ex:a } }",
    "delete every triple": (
        'DELETE DATA { GRAPH ex:notes { ex:a ex:says "un"@fr , "one"@en . ex:b ex:knows ex:a } }'
    ),
    "delete then insert": (
        'DELETE DATA { GRAPH ex:notes { ex:a ex:says "un"@fr } } ; '
        'INSERT DATA { GRAPH ex:notes { ex:a ex:says "une"@fr } }'
    ),
    "insert then delete": (
        "INSERT DATA { GRAPH ex:new { ex:c ex:knows ex:a } } ; "
        "DELETE DATA { GRAPH ex:new { ex:c ex:knows ex:a } }"
    ),
    "two graphs at once": (
        "INSERT DATA { GRAPH ex:notes { ex:c ex:knows ex:b } "
        "GRAPH ex:other { ex:c ex:knows ex:a } }"
    ),
}


def ground(graphs: dict[URIRef, Triples]) -> dict[URIRef, frozenset[tuple[object, ...]]]:
    """The graphs with every blank node as one placeholder: each side makes its own."""
    return {
        name: frozenset(tuple("_" if isinstance(term, BNode) else term for term in t) for t in ts)
        for name, ts in graphs.items()
    }


@pytest.mark.parametrize("text", UPDATES.values(), ids=UPDATES.keys())
def test_a_data_update_changes_the_graphs_as_rdflib_s_engine_does(text: str) -> None:
    edit = run_update(parse_update(PREFIX + text, BASE))
    assert isinstance(edit, GraphsEdit)
    assert ground(edit.change(graphs())) == ground(by_rdflib(text))


def test_an_update_with_a_where_goes_to_rdflib_s_engine() -> None:
    text = "DELETE { GRAPH ex:notes { ?s ?p ?o } } WHERE { GRAPH ex:notes { ?s ?p ?o } }"
    edit = run_update(parse_update(PREFIX + text, BASE))
    assert not isinstance(edit, GraphsEdit)
    assert ground(_edited(graphs(), edit)) == ground(by_rdflib(text))


def test_a_data_update_leaves_the_graphs_it_was_given_as_they_were() -> None:
    before = graphs()
    kept = dict(before)
    edit = run_update(parse_update(PREFIX + UPDATES["delete a triple"], BASE))
    assert isinstance(edit, GraphsEdit)
    edit.change(before)
    assert before == kept
