"""Where the build puts what a reading entails (issue #12, point 9), on the project's graphs.

One rule: an inferred triple lives with the triple it is inferred from. What an interpretation
claim entails is in the interpretation graph, even when a study statement or a reference fact
entails it too (it is then in the entailments graph as well), unless a graph asserts it.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kg.namespaces import (
    ENTAILMENT_GRAPH,
    ID,
    INTERPRETATION_GRAPH,
    ONTOLOGY_GRAPH,
    PV,
    ROV,
    STUDY_GRAPH,
)

LA_RUCHE = ID["organisation/la-ruche-qui-dit-oui"]
SMIILE = ID["organisation/smiile"]
SAS = ID["legal-form/sas"]

Triple = tuple[Node | None, Node | None, Node | None]


def interpreted_triples(study: Graph) -> list[Triple]:
    """The triples of the interpretation claims (the study graph holds the claims)."""
    return [
        (
            study.value(claim, RDF.subject),
            study.value(claim, RDF.predicate),
            study.value(claim, RDF.object),
        )
        for claim in study.subjects(PV.basis, PV.interpretation)
    ]


def test_an_interpreted_legal_form_entails_its_org_type_in_the_interpretation_graph(
    project_graphs: dict[URIRef, Graph],
) -> None:
    assert (SMIILE, ROV.orgType, SAS) in project_graphs[INTERPRETATION_GRAPH]


def test_the_org_type_a_reference_fact_also_entails_is_in_both_graphs(
    project_graphs: dict[URIRef, Graph],
) -> None:
    # La Ruche qui dit oui!'s SAS is both our reading of the study and a reference fact.
    assert (LA_RUCHE, ROV.orgType, SAS) in project_graphs[INTERPRETATION_GRAPH]
    assert (LA_RUCHE, ROV.orgType, SAS) in project_graphs[ENTAILMENT_GRAPH]


def test_an_org_type_only_a_reading_entails_is_not_in_the_entailments_graph(
    project_graphs: dict[URIRef, Graph],
) -> None:
    assert (SMIILE, ROV.orgType, SAS) not in project_graphs[ENTAILMENT_GRAPH]


def test_what_a_graph_asserts_is_not_copied_into_the_interpretation_graph(
    project_graphs: dict[URIRef, Graph],
) -> None:
    # Our reading says Smiile is a platform; the study graph already types it an organisation.
    assert (SMIILE, RDF.type, PV.Organisation) not in project_graphs[INTERPRETATION_GRAPH]
    assert (SMIILE, RDF.type, PV.Organisation) in project_graphs[STUDY_GRAPH]


def test_every_super_property_of_an_interpreted_triple_is_in_the_interpretation_graph(
    project_graphs: dict[URIRef, Graph],
) -> None:
    ontology = project_graphs[ONTOLOGY_GRAPH]
    asserted = project_graphs[ONTOLOGY_GRAPH] + project_graphs[STUDY_GRAPH]
    missing = [
        (subject, parent, obj)
        for subject, predicate, obj in interpreted_triples(project_graphs[STUDY_GRAPH])
        for parent in ontology.transitive_objects(predicate, RDFS.subPropertyOf)
        if parent != predicate
        and (subject, parent, obj) not in asserted
        and (subject, parent, obj) not in project_graphs[INTERPRETATION_GRAPH]
    ]
    assert missing == []
