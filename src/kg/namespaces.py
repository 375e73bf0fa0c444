"""Our vocabulary and IRI spaces, the one place in src/ where their IRIs are written.

PV is a DefinedNamespace: a misspelt term raises AttributeError instead of minting a new IRI.
A test keeps its term list equal to the terms declared in ontology/partage.ttl.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/partage/"


class PV(DefinedNamespace):
    """The Partage ontology, https://w3id.org/partage/ontology#."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # Classes
    Organisation: URIRef
    Platform: URIRef
    Marketplace: URIRef
    Cooperative: URIRef
    DecentralisedNetwork: URIRef
    Collective: URIRef
    Community: URIRef
    Count: URIRef
    CountedKind: URIRef
    Sector: URIRef
    ContributorRole: URIRef
    Practice: URIRef
    PowerSharingPractice: URIRef
    ValueSharingPractice: URIRef
    PracticeKind: URIRef
    PracticeStatus: URIRef
    ValueForm: URIRef
    LegalForm: URIRef
    LegalFamily: URIRef
    StatusMark: URIRef
    Approval: URIRef
    Certification: URIRef
    SharingDimension: URIRef
    SharingModel: URIRef
    PowerSharingModel: URIRef
    ValueSharingModel: URIRef
    PlatformCategory: URIRef
    SizeRange: URIRef
    Characteristic: URIRef
    Maturity: URIRef
    OrganisationKind: URIRef
    Recommendation: URIRef
    SuccessCondition: URIRef
    Finding: URIRef
    Study: URIRef
    Statistic: URIRef
    Quote: URIRef
    Claim: URIRef
    Basis: URIRef

    # Object properties
    sector: URIRef
    hasCommunity: URIRef
    size: URIRef
    counts: URIRef
    practisedBy: URIRef
    involves: URIRef
    practiceKind: URIRef
    practiceStatus: URIRef
    valueForm: URIRef
    legalForm: URIRef
    statusMark: URIRef
    contributorRole: URIRef
    illustrates: URIRef
    powerSharingModel: URIRef
    valueSharingModel: URIRef
    communitySize: URIRef
    characteristic: URIRef
    maturity: URIRef
    correspondsTo: URIRef
    inCategory: URIRef
    recommendation: URIRef
    conditionFor: URIRef
    evidence: URIRef
    basis: URIRef
    spokenBy: URIRef
    legalStructure: URIRef
    concerns: URIRef

    # Datatype properties
    studyDescription: URIRef
    prospective: URIRef
    decidesOn: URIRef
    organisationsInterviewed: URIRef
    practicesDetailed: URIRef
    sectorDescription: URIRef
    tableColumn: URIRef
    minimumSize: URIRef
    sizeBelow: URIRef
    organisationCount: URIRef
    percentage: URIRef
    population: URIRef
    shareAsStated: URIRef
    rationale: URIRef

    # Individuals of the ontology
    Bases: URIRef
    studyStatement: URIRef
    interpretation: URIRef
    referenceFact: URIRef

    # Datatypes
    inseeLegalCategory: URIRef
    elfCode: URIRef


ONTOLOGY = URIRef(BASE + "ontology")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
RELEASES = Namespace(BASE + "releases/")

ONTOLOGY_GRAPH = GRAPH.ontology
STUDY_GRAPH = GRAPH.study
INTERPRETATION_GRAPH = GRAPH.interpretation
ENTAILMENT_GRAPH = GRAPH.entailments
SHAPES_GRAPH = GRAPH.shapes

OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
ROV = Namespace("http://www.w3.org/ns/regorg#")
QB = Namespace("http://purl.org/linked-data/cube#")
SCHEMA = Namespace("https://schema.org/")

PREFIXES: dict[str, str] = {
    "pv": str(PV._NS),
    "id": str(ID),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": str(OA),
    "org": str(ORG),
    "rov": str(ROV),
    "qb": str(QB),
    "schema": str(SCHEMA),
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
}
