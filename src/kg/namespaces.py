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
    Case: URIRef

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
    case: URIRef
    illustratesCase: URIRef
    categorySector: URIRef
    votingCommunity: URIRef
    electingCommunity: URIRef
    electedCommunity: URIRef
    proposingCommunity: URIRef
    openBound: URIRef

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
DESCRIPTION_GRAPH = GRAPH.description
VALIDATION_GRAPH = GRAPH["validation-report"]
"""The build's SHACL validation report (sh:ValidationReport), for conformance per resource."""
"""The VoID/DCAT description of the release (kg.describe); not part of the dataset it describes."""

OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
ROV = Namespace("http://www.w3.org/ns/regorg#")
QB = Namespace("http://purl.org/linked-data/cube#")
SCHEMA = Namespace("https://schema.org/")
SCHEMA_HTTP = Namespace("http://schema.org/")
"""schema.org as Wikidata's query service still writes it (sitelinks: `schema:about`)."""
WIKIDATA_ENTITY = Namespace("http://www.wikidata.org/entity/")
IANA_MEDIA_TYPES = Namespace("https://www.iana.org/assignments/media-types/")
"""Media types as IRIs, the form DCAT 3 uses for dcat:mediaType and dcat:compressFormat."""


class VOID(DefinedNamespace):
    """VoID, https://www.w3.org/TR/void/: the terms kg.describe uses."""

    _fail = True
    _NS = Namespace("http://rdfs.org/ns/void#")

    Dataset: URIRef
    DatasetDescription: URIRef
    Linkset: URIRef
    classes: URIRef
    dataDump: URIRef
    distinctSubjects: URIRef
    entities: URIRef
    exampleResource: URIRef
    linkPredicate: URIRef
    objectsTarget: URIRef
    properties: URIRef
    sparqlEndpoint: URIRef
    subjectsTarget: URIRef
    subset: URIRef
    triples: URIRef
    uriSpace: URIRef
    vocabulary: URIRef


class DCAT(DefinedNamespace):
    """DCAT 3, https://www.w3.org/TR/vocab-dcat-3/: the terms kg.describe uses.

    rdflib's own DCAT namespace predates DCAT 3 (no dcat:version), hence this one.
    """

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/dcat#")

    Catalog: URIRef
    DataService: URIRef
    Dataset: URIRef
    Distribution: URIRef
    byteSize: URIRef
    compressFormat: URIRef
    dataset: URIRef
    distribution: URIRef
    downloadURL: URIRef
    endpointURL: URIRef
    mediaType: URIRef
    servesDataset: URIRef
    service: URIRef
    version: URIRef


class SD(DefinedNamespace):
    """SPARQL 1.1 Service Description, https://www.w3.org/TR/sparql11-service-description/."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/sparql-service-description#")

    BasicFederatedQuery: URIRef
    Dataset: URIRef
    Graph: URIRef
    NamedGraph: URIRef
    SPARQL11Query: URIRef
    SPARQL11Update: URIRef
    Service: URIRef
    UnionDefaultGraph: URIRef
    defaultDataset: URIRef
    defaultGraph: URIRef
    endpoint: URIRef
    feature: URIRef
    graph: URIRef
    name: URIRef
    namedGraph: URIRef
    resultFormat: URIRef
    supportedLanguage: URIRef


class SPDX(DefinedNamespace):
    """SPDX checksums as DCAT 3 uses them, https://www.w3.org/TR/vocab-dcat-3/#Property:distribution_checksum."""

    _fail = True
    _NS = Namespace("http://spdx.org/rdf/terms#")

    Checksum: URIRef
    algorithm: URIRef
    checksum: URIRef
    checksumAlgorithm_sha256: URIRef
    checksumValue: URIRef


class EARL(DefinedNamespace):
    """Evaluation and Report Language 1.0, https://www.w3.org/TR/EARL10-Schema/: link checks."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/earl#")

    Assertion: URIRef
    Software: URIRef
    TestCase: URIRef
    TestResult: URIRef
    assertedBy: URIRef
    automatic: URIRef
    cantTell: URIRef
    failed: URIRef
    info: URIRef
    mode: URIRef
    outcome: URIRef
    passed: URIRef
    result: URIRef
    subject: URIRef
    test: URIRef


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
