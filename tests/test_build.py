"""kg.build: claims, provenance, entailments, release stamp, assembly and content hash."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS

from kg import __version__
from kg.build import (
    assemble,
    content_hash,
    derive_provenance,
    entailments,
    hierarchy,
    materialise_claims,
    stamp_release,
)
from kg.namespaces import (
    ENTAILMENT_GRAPH,
    GRAPH,
    ID,
    INTERPRETATION_GRAPH,
    ONTOLOGY,
    ONTOLOGY_GRAPH,
    ORG,
    PV,
    RELEASES,
    SCHEMA,
    SHAPES_GRAPH,
    STUDY_GRAPH,
)
from kg.sources import ProjectSources, load_project

PROJECT = Path(__file__).parent / "data" / "build" / "project"
SKOS_CONCEPT = URIRef("http://www.w3.org/2004/02/skos/core#Concept")


@pytest.fixture(scope="module")
def sources() -> ProjectSources:
    return load_project(PROJECT)


@pytest.fixture(scope="module")
def graphs(sources: ProjectSources) -> dict[URIRef, Graph]:
    return assemble(sources)


def test_assemble_names_one_graph_per_role_and_linkset(graphs: dict[URIRef, Graph]) -> None:
    assert list(graphs) == sorted(
        [
            ONTOLOGY_GRAPH,
            STUDY_GRAPH,
            INTERPRETATION_GRAPH,
            ENTAILMENT_GRAPH,
            SHAPES_GRAPH,
            GRAPH["links/wikidata"],
        ]
    )


def test_study_claim_is_asserted_in_study_graph(graphs: dict[URIRef, Graph]) -> None:
    triple = (ID["org-beta"], PV.legalForm, ID["legal-form-scic"])
    assert triple in graphs[STUDY_GRAPH]
    assert triple not in graphs[INTERPRETATION_GRAPH]


def test_interpretation_claim_is_asserted_only_in_interpretation_graph(
    graphs: dict[URIRef, Graph],
) -> None:
    triple = (ID["org-alpha"], PV.sector, ID["sector-transport"])
    assert triple in graphs[INTERPRETATION_GRAPH]
    assert triple not in graphs[STUDY_GRAPH]


def test_study_graph_keeps_the_reified_claims(graphs: dict[URIRef, Graph]) -> None:
    assert (ID["claim-alpha-sector"], RDF.type, PV.Claim) in graphs[STUDY_GRAPH]


def test_what_interpretations_entail_stays_in_interpretation_graph(
    graphs: dict[URIRef, Graph],
) -> None:
    triple = (ID["org-alpha"], DCTERMS.type, ID["sector-transport"])
    assert triple in graphs[INTERPRETATION_GRAPH]
    assert triple not in graphs[ENTAILMENT_GRAPH]


def test_materialise_claims_skips_incomplete_and_unknown_basis() -> None:
    data = Graph()
    data.add((ID.c1, RDF.type, PV.Claim))
    data.add((ID.c1, RDF.subject, ID.a))
    data.add((ID.c1, RDF.predicate, PV.sector))
    data.add((ID.c1, PV.basis, PV.studyStatement))  # no rdf:object
    data.add((ID.c2, RDF.type, PV.Claim))
    data.add((ID.c2, RDF.subject, ID.a))
    data.add((ID.c2, RDF.predicate, PV.sector))
    data.add((ID.c2, RDF.object, ID.b))
    data.add((ID.c2, PV.basis, ID.hearsay))
    study, interpretation = materialise_claims(data)
    assert len(study) == len(interpretation) == 0


def test_provenance_is_derived_from_the_quote_target(graphs: dict[URIRef, Graph]) -> None:
    assert (ID["org-alpha"], PROV.wasDerivedFrom, ID["study-partage"]) in graphs[STUDY_GRAPH]
    assert (ID["claim-beta-legal-form"], PROV.wasDerivedFrom, ID["study-partage"]) in graphs[
        STUDY_GRAPH
    ]


def test_derive_provenance_needs_the_whole_path() -> None:
    data = Graph()
    data.add((ID.a, PV.evidence, ID.q))
    data.add((ID.q, URIRef("http://www.w3.org/ns/oa#hasTarget"), ID.t))  # no oa:hasSource
    assert len(derive_provenance(data)) == 0


@pytest.mark.parametrize(
    "super_class",
    [PV.Platform, PV.Organisation, ORG.Organization, SCHEMA.Organization],
    ids=["parent", "grandparent", "transitive", "equivalent"],
)
def test_entailments_type_instances_with_superclasses(
    graphs: dict[URIRef, Graph], super_class: URIRef
) -> None:
    assert (ID["org-alpha"], RDF.type, super_class) in graphs[ENTAILMENT_GRAPH]


@pytest.mark.parametrize(
    ("subject", "prop", "obj"),
    [
        (ID["org-alpha"], ORG.classification, ID["sector-mobility"]),
        (ID["org-alpha"], DCTERMS.type, ID["sector-mobility"]),
        (ID["org-beta"], SCHEMA.legalForm, ID["legal-form-scic"]),
    ],
    ids=["parent", "transitive", "equivalent"],
)
def test_entailments_add_superproperty_triples(
    graphs: dict[URIRef, Graph], subject: URIRef, prop: URIRef, obj: URIRef
) -> None:
    assert (subject, prop, obj) in graphs[ENTAILMENT_GRAPH]


def test_entailments_cover_linksets(graphs: dict[URIRef, Graph]) -> None:
    assert (ID["sector-transport"], RDF.type, SKOS_CONCEPT) in graphs[ENTAILMENT_GRAPH]


def test_entailments_apply_no_domain_range_nor_resource(graphs: dict[URIRef, Graph]) -> None:
    inferred = graphs[ENTAILMENT_GRAPH] + graphs[INTERPRETATION_GRAPH]
    assert (None, None, RDFS.Resource) not in inferred
    assert (ID["legal-form-scic"], RDF.type, None) not in inferred  # rdfs:range pv:LegalForm
    assert (None, RDF.type, RDF.Property) not in inferred


def test_entailments_ignore_domain_and_range() -> None:
    ontology = Graph()
    ontology.add((PV.sector, RDFS.domain, PV.Organisation))
    ontology.add((PV.sector, RDFS.range, PV.Sector))
    data = Graph()
    data.add((ID.x, PV.sector, ID.y))
    assert len(entailments(ontology, [ontology, data])) == 0


def test_entailments_hold_only_new_triples(graphs: dict[URIRef, Graph]) -> None:
    asserted = graphs[ONTOLOGY_GRAPH] + graphs[STUDY_GRAPH] + graphs[GRAPH["links/wikidata"]]
    assert not [triple for triple in graphs[ENTAILMENT_GRAPH] if triple in asserted]


def test_entailments_of_unaligned_data_are_empty() -> None:
    data = Graph()
    data.add((ID.a, RDF.type, PV.Platform))
    assert len(entailments(Graph(), [data])) == 0


def test_hierarchy_skips_blank_superclasses() -> None:
    ontology = Graph()
    restriction = BNode()
    ontology.add((PV.Platform, RDFS.subClassOf, restriction))
    ontology.add((restriction, RDFS.subClassOf, PV.Organisation))
    assert hierarchy(ontology, RDFS.subClassOf, OWL.equivalentClass)[PV.Platform] == {
        PV.Organisation
    }


def test_release_stamp_replaces_handwritten_version(graphs: dict[URIRef, Graph]) -> None:
    ontology = graphs[ONTOLOGY_GRAPH]
    assert list(ontology.objects(ONTOLOGY, OWL.versionInfo)) == [Literal(__version__)]
    assert list(ontology.objects(ONTOLOGY, OWL.versionIRI)) == [
        RELEASES[f"{__version__}/partage.ttl"]
    ]


def test_stamp_release_leaves_its_input_alone(sources: ProjectSources) -> None:
    stamp_release(sources.ontology, "9.9.9")
    assert (ONTOLOGY, OWL.versionInfo, Literal("9.9.9")) not in sources.ontology


def test_content_hash_is_deterministic_across_loads() -> None:
    assert content_hash(assemble(load_project(PROJECT))) == content_hash(
        assemble(load_project(PROJECT))
    )


def test_content_hash_ignores_blank_node_labels() -> None:
    text = "<http://e/a> <http://e/p> [ <http://e/q> 1 ] ."
    first, second = Graph().parse(data=text), Graph().parse(data=text)
    assert set(first.objects()) != set(second.objects())  # fresh labels on each parse
    assert content_hash({STUDY_GRAPH: first}) == content_hash({STUDY_GRAPH: second})


def test_content_hash_depends_on_graph_names_and_content() -> None:
    graph = Graph().parse(data="<http://e/a> <http://e/p> 1 .")
    changed = Graph().parse(data="<http://e/a> <http://e/p> 2 .")
    hashes = {
        content_hash({STUDY_GRAPH: graph}),
        content_hash({INTERPRETATION_GRAPH: graph}),
        content_hash({STUDY_GRAPH: changed}),
    }
    assert len(hashes) == 3
