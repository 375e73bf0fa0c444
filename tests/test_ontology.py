"""The ontology as its rules in ontology/README.md say: every term declared in code and in Turtle,
aligned to a standard vocabulary or saying why not, and stamped with the package version."""

from __future__ import annotations

from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from kg import __version__
from kg.build import stamp_release
from kg.namespaces import ONTOLOGY, ONTOLOGY_GRAPH, PV

ROOT = Path(__file__).resolve().parent.parent
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def source_ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "partage.ttl")


def ours(graph: Graph) -> set[URIRef]:
    namespace = str(PV._NS)
    return {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(namespace)}


def test_python_namespace_lists_exactly_the_terms_of_the_ontology() -> None:
    declared = {PV._NS[name] for name in PV.__annotations__}
    assert declared == ours(source_ontology())


def test_every_class_and_property_is_aligned_or_says_why_not() -> None:
    graph = source_ontology()
    unaligned = []
    for kind in TERM_TYPES:
        for term in graph.subjects(RDF.type, kind):
            aligned = any(
                graph.value(term, link) is not None
                for link in (RDFS.subClassOf, RDFS.subPropertyOf, SKOS.exactMatch, SKOS.closeMatch)
            )
            if not aligned and graph.value(term, SKOS.editorialNote) is None:
                unaligned.append(term)
    assert not unaligned


def test_organisations_are_organisations_for_users_of_org_and_schema_org() -> None:
    graph = source_ontology()
    supers = set(graph.objects(PV.Organisation, RDFS.subClassOf))
    assert URIRef("http://www.w3.org/ns/org#Organization") in supers
    assert URIRef("https://schema.org/Organization") in supers


def test_the_source_carries_no_version_of_its_own() -> None:
    graph = source_ontology()
    assert graph.value(ONTOLOGY, OWL.versionInfo) is None


def test_the_build_stamps_the_package_version(project_graphs: dict[URIRef, Graph]) -> None:
    ontology = project_graphs[ONTOLOGY_GRAPH]
    assert str(ontology.value(ONTOLOGY, OWL.versionInfo)) == __version__
    assert str(ontology.value(ONTOLOGY, OWL.versionIRI)) == (
        f"https://w3id.org/partage/releases/{__version__}/partage.ttl"
    )


def test_stamping_replaces_a_version_written_in_the_source() -> None:
    graph = source_ontology()
    graph.add((ONTOLOGY, OWL.versionInfo, URIRef("urn:old")))
    stamped = stamp_release(graph, "9.9.9")
    assert [str(v) for v in stamped.objects(ONTOLOGY, OWL.versionInfo)] == ["9.9.9"]
