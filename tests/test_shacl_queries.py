"""kg.shacl_queries: SHACL-SPARQL answered by Oxigraph, exactly as rdflib would have answered.

A query the Oxigraph copy answers comes back from the store itself; one it leaves to rdflib
raises NotImplementedError there (rdflib's `Graph.query` then answers it with its own engine).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SH, XSD
from rdflib.plugins.sparql.operators import register_custom_function, unregister_custom_function
from rdflib.plugins.sparql.parserutils import Expr
from rdflib.plugins.sparql.sparql import FrozenBindings
from rdflib.query import ResultRow
from rdflib.term import Identifier, Node

from kg.shacl_queries import OxigraphQueryStore, queryable_copy
from kg.validate import validate

EX = "http://example.org/"
A, B, P, Q = (URIRef(EX + name) for name in ("a", "b", "p", "q"))

SELECT_VALUES = "SELECT $this ?value WHERE { $this <http://example.org/p> ?value }"

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Shape a sh:NodeShape ;
    sh:targetSubjectsOf ex:p ;
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:message "no ex:q" ;
        sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:q ?q } }" ;
        sh:prefixes ex:Prefixes ] .
ex:Prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""


def store_of(*triples: tuple[Node, Node, Node]) -> OxigraphQueryStore:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    copy = queryable_copy(graph)
    assert copy is not None
    assert isinstance(copy.store, OxigraphQueryStore)
    return copy.store


def answer(
    store: OxigraphQueryStore, text: str, **bindings: Identifier
) -> list[dict[str, Identifier]]:
    """The rows of `text` as the store itself answers it, without rdflib's engine."""
    (graph,) = store.contexts()
    result = store.query(text, {}, bindings, graph.identifier)
    return [row.asdict() for row in result if isinstance(row, ResultRow)]


def test_select_is_answered_by_oxigraph_with_this_pre_bound() -> None:
    store = store_of((A, P, Literal("x")), (B, P, Literal("y")))
    assert answer(store, SELECT_VALUES, this=A) == [{"this": A, "value": Literal("x")}]


def test_this_is_pre_bound_inside_not_exists() -> None:
    store = store_of((A, P, Literal("x")), (A, Q, Literal("z")), (B, P, Literal("y")))
    text = "SELECT $this WHERE { FILTER NOT EXISTS { $this <http://example.org/q> ?q } }"
    assert answer(store, text, this=A) == []
    assert answer(store, text, this=B) == [{"this": B}]


def test_a_blank_focus_node_is_the_data_graph_node() -> None:
    node = BNode()
    store = store_of((node, P, Literal("x")), (A, P, Literal("y")))
    assert answer(store, SELECT_VALUES, this=node) == [{"this": node, "value": Literal("x")}]


def test_a_plain_literal_comes_back_plain_not_as_xsd_string() -> None:
    store = store_of((A, P, Literal("")))
    (row,) = answer(store, SELECT_VALUES, this=A)
    assert row["value"] == Literal("")
    assert isinstance(row["value"], Literal)
    assert row["value"].datatype is None


def test_a_typed_literal_keeps_its_datatype() -> None:
    value = Literal("2020-01-01", datatype=XSD.date)
    store = store_of((A, P, value))
    (row,) = answer(store, SELECT_VALUES, this=A)
    assert row["value"] == value


def test_ask_is_answered_by_oxigraph() -> None:
    store = store_of((A, P, Literal("x")))
    (graph,) = store.contexts()
    result = store.query("ASK { $this ?p ?o }", {}, {"this": B}, graph.identifier)
    assert result.askAnswer is False


@pytest.mark.parametrize(
    "literal",
    [
        Literal("4.0", datatype=XSD.decimal),  # Oxigraph keeps "4"
        Literal("01", datatype=XSD.integer, normalize=False),  # "1"
        Literal("5", datatype=XSD.positiveInteger),  # "5"^^xsd:integer
        Literal("oui", lang="FR"),  # "oui"@fr
        Literal("true", datatype=XSD.string),  # the same term as the plain "true" beside it
    ],
    ids=["decimal-point-zero", "leading-zero", "derived-datatype", "upper-case-tag", "xsd-string"],
)
def test_a_literal_oxigraph_would_change_sends_queries_to_rdflib(literal: Literal) -> None:
    store = store_of((A, P, literal), (B, P, Literal("true")))
    with pytest.raises(NotImplementedError, match="not faithful"):
        answer(store, SELECT_VALUES, this=A)


def test_a_pre_bound_variable_oxigraph_will_not_substitute_is_left_to_rdflib() -> None:
    store = store_of((A, P, Literal("x")))
    text = "SELECT ?value WHERE { $this <http://example.org/p> ?value }"
    with pytest.raises(NotImplementedError):
        answer(store, text, this=A)
    graph = Graph(store=store, identifier=next(iter(store.contexts())).identifier)
    rows = graph.query(text, initBindings={"this": A})
    assert [row.asdict() for row in rows if isinstance(row, ResultRow)] == [{"value": Literal("x")}]


@pytest.fixture
def custom_function() -> Iterator[URIRef]:
    name = URIRef(EX + "shout")

    def shout(expression: Expr, context: FrozenBindings) -> Node:
        return Literal(str(expression).upper())

    register_custom_function(name, shout)
    yield name
    unregister_custom_function(name, shout)


def test_a_registered_custom_function_sends_queries_to_rdflib(custom_function: URIRef) -> None:
    store = store_of((A, P, Literal("x")))
    with pytest.raises(NotImplementedError, match="custom functions"):
        answer(store, SELECT_VALUES, this=A)


def test_a_triple_added_after_the_first_query_is_seen_by_the_next() -> None:
    store = store_of((A, P, Literal("x")))
    assert len(answer(store, SELECT_VALUES, this=A)) == 1
    (graph,) = store.contexts()
    graph.add((A, P, Literal("y")))
    assert len(answer(store, SELECT_VALUES, this=A)) == 2


def test_a_dataset_is_left_to_pyshacl() -> None:
    assert queryable_copy(Dataset()) is None


def test_validation_leaves_the_data_graph_unchanged() -> None:
    data = Graph().parse(data=f"<{A}> <{P}> 'x' ; a <{EX}Thing> .", format="turtle")
    before = Graph()
    before += data
    ontology = Graph().parse(
        data=f"<{EX}Thing> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{EX}Root> .",
        format="turtle",
    )
    validate(data, Graph().parse(data=SHAPES, format="turtle"), ontology, inference="rdfs")
    assert isomorphic(data, before)


def test_a_shacl_sparql_constraint_reports_the_focus_node_oxigraph_found() -> None:
    data = Graph().parse(data=f"<{A}> <{P}> 'x' . <{B}> <{P}> 'y' ; <{Q}> 'z' .", format="ttl")
    report = validate(data, Graph().parse(data=SHAPES, format="turtle"))
    assert [(r.focus_node, r.message) for r in report.results] == [(A, "no ex:q")]
    assert report.results[0].constraint_component == SH.SPARQLConstraintComponent


def test_a_constraint_sees_what_a_shacl_rule_added_before_it() -> None:
    rule = """
    @prefix sh: <http://www.w3.org/ns/shacl#> .
    @prefix ex: <http://example.org/> .
    ex:Rule a sh:NodeShape ; sh:targetNode ex:a ;
        sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate ex:q ; sh:object "z" ] .
    """
    shapes = Graph().parse(data=SHAPES + rule, format="turtle")
    data = Graph().parse(data=f"<{A}> <{P}> 'x' ; a <{EX}Thing> .", format="turtle")
    assert validate(data, shapes).results == []
    assert (A, RDF.type, URIRef(EX + "Thing")) in data
    assert (A, Q, Literal("z")) not in data


def test_a_regex_oxigraph_reads_otherwise_gets_rdflibs_verdict() -> None:
    lookahead = SHAPES.replace(
        "FILTER NOT EXISTS { $this ex:q ?q }",
        "FILTER EXISTS { $this ex:p ?v FILTER REGEX(?v, 'a(?=b)') }",
    )
    data = Graph().parse(data=f"<{A}> <{P}> 'ab' . <{B}> <{P}> 'ac' .", format="turtle")
    report = validate(data, Graph().parse(data=lookahead, format="turtle"))
    assert [r.focus_node for r in report.results] == [A]  # Rust's regex crate matches neither
