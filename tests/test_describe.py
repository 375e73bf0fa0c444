"""kg.describe: the VoID/DCAT description counts what the graphs hold, and changes no answer.

Every number is checked against a count made here another way (SPARQL over the graph, or the
dumps' lines). Also here: the release metadata outside the graph (CITATION.cff, w3id/.htaccess).
"""

from __future__ import annotations

import gzip
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_canonical_graph
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from kg.build import content_hash
from kg.describe import describe
from kg.dumps import Dump, render
from kg.links.targets import TARGETS, target_of
from kg.namespaces import (
    DCAT,
    DESCRIPTION_GRAPH,
    GRAPH,
    ID,
    PV,
    SD,
    SPDX,
    STUDY_GRAPH,
    VOID,
)
from kg.store import run_query, write_store

ROOT = Path(__file__).resolve().parent.parent
VERSION = "9.9.9"
BASE = "https://w3id.org/partage/"
DATASET = URIRef(BASE + "id/dataset/partage-kg")


@pytest.fixture(scope="module")
def dumps(project_graphs: dict[URIRef, Graph]) -> list[Dump]:
    return render(project_graphs, VERSION)


@pytest.fixture(scope="module")
def description(project_graphs: dict[URIRef, Graph], dumps: list[Dump]) -> Graph:
    return describe(project_graphs, VERSION, content_hash(project_graphs), BASE, dumps)


def value(description: Graph, node: URIRef, prop: URIRef) -> object:
    values = list(description.objects(node, prop))
    assert len(values) == 1, f"{node} has {len(values)} {prop}"
    term = values[0]
    return term.toPython() if isinstance(term, Literal) else term


def subset(graph_name: URIRef) -> URIRef:
    return URIRef(f"{DATASET}/graph/{str(graph_name).removeprefix(str(GRAPH))}")


def count(graph: Graph, query: str) -> int:
    rows = list(graph.query(query, initNs={"pv": PV._NS, "rdf": RDF, "owl": OWL}))
    return int(rows[0][0])


# --- The dataset ----------------------------------------------------------------------------------


def test_dataset_is_a_void_and_dcat_dataset_titled_in_both_languages(description: Graph) -> None:
    assert {VOID.Dataset, DCAT.Dataset} <= set(description.objects(DATASET, RDF.type))
    for prop in (DCTERMS.title, DCTERMS.description):
        languages = {term.language for term in description.objects(DATASET, prop)}
        assert languages == {"fr", "en"}, prop


def test_dataset_names_source_licence_version_and_uri_space(description: Graph) -> None:
    assert value(description, DATASET, DCTERMS.source) == ID["study/partage-pouvoir-valeur"]
    assert value(description, DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert value(description, DATASET, OWL.versionInfo) == VERSION
    assert value(description, DATASET, DCAT.version) == VERSION
    assert value(description, DATASET, VOID.uriSpace) == str(ID)
    assert value(description, DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    publisher = value(description, DATASET, DCTERMS.publisher)
    assert isinstance(publisher, URIRef) and (publisher, None, None) in description


def test_dataset_triples_are_the_lines_of_the_ntriples_dump(
    description: Graph, dumps: list[Dump]
) -> None:
    ntriples = next(dump for dump in dumps if dump.name.endswith(".nt.gz"))
    lines = gzip.decompress(ntriples.data).decode("utf-8").splitlines()
    assert value(description, DATASET, VOID.triples) == len(lines)


def test_dataset_checksum_is_the_content_hash(
    description: Graph, project_graphs: dict[URIRef, Graph]
) -> None:
    checksum = value(description, DATASET, SPDX.checksum)
    assert value(description, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert value(description, checksum, SPDX.checksumValue) is not None
    literal = next(description.objects(checksum, SPDX.checksumValue))
    assert str(literal) == content_hash(project_graphs)


def test_vocabularies_are_the_namespaces_of_every_property_and_class(
    description: Graph, project_graphs: dict[URIRef, Graph]
) -> None:
    terms = {
        str(term)
        for graph in project_graphs.values()
        for term in [*graph.predicates(), *graph.objects(None, RDF.type)]
        if isinstance(term, URIRef)
    }
    vocabularies = {str(v) for v in description.objects(DATASET, VOID.vocabulary)}
    assert all(any(term.startswith(v) for v in vocabularies) for term in terms)
    assert str(PV._NS) in vocabularies
    assert all(any(term.startswith(v) for term in terms) for v in vocabularies)


def test_example_resources_are_organisations(
    description: Graph, project_graphs: dict[URIRef, Graph]
) -> None:
    examples = list(description.objects(DATASET, VOID.exampleResource))
    assert examples
    study = project_graphs[STUDY_GRAPH]
    assert all((example, RDF.type, PV.Organisation) in study for example in examples)


# --- One subset per named graph -------------------------------------------------------------------


def test_every_named_graph_is_a_subset_named_as_in_service_description(
    description: Graph, project_graphs: dict[URIRef, Graph]
) -> None:
    subsets = set(description.objects(DATASET, VOID.subset))
    assert subsets == {subset(name) for name in project_graphs}
    named = {
        value(description, node, SD.name): value(description, node, SD.graph)
        for node in description.objects(DATASET, SD.namedGraph)
    }
    assert named == {name: subset(name) for name in project_graphs}


def test_subset_counts_are_the_graph_counts(
    description: Graph, project_graphs: dict[URIRef, Graph]
) -> None:
    for name, graph in project_graphs.items():
        node = subset(name)
        assert value(description, node, VOID.triples) == len(graph), name
        subjects = f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}"))'
        expected = {
            VOID.entities: f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s ?p ?o {subjects} }}",
            VOID.distinctSubjects: "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }",
            VOID.classes: "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }",
            VOID.properties: "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }",
        }
        for prop, query in expected.items():
            assert value(description, node, prop) == count(graph, query), (name, prop)


def test_description_leaves_its_own_graph_out(
    description: Graph, project_graphs: dict[URIRef, Graph], dumps: list[Dump]
) -> None:
    graphs = {**project_graphs, DESCRIPTION_GRAPH: description}
    again = describe(graphs, VERSION, content_hash(project_graphs), BASE, dumps)
    assert isomorphic(again, description)
    assert (DESCRIPTION_GRAPH, RDF.type, VOID.DatasetDescription) in description
    assert (
        DESCRIPTION_GRAPH,
        URIRef("http://xmlns.com/foaf/0.1/primaryTopic"),
        DATASET,
    ) in description


# --- Linksets -------------------------------------------------------------------------------------


LINK_GRAPHS = ["dbpedia", "wikipedia", "homepages", "legal-form-codes"]


@pytest.mark.parametrize("stem", LINK_GRAPHS)
def test_linksets_have_one_predicate_and_true_link_counts(
    description: Graph, project_graphs: dict[URIRef, Graph], stem: str
) -> None:
    graph = project_graphs[GRAPH[f"links/{stem}"]]
    linksets = list(description.objects(subset(GRAPH[f"links/{stem}"]), VOID.subset))
    assert linksets, f"links/{stem} has no void:Linkset"
    total = 0
    for linkset in linksets:
        assert (linkset, RDF.type, VOID.Linkset) in description
        predicate = value(description, linkset, VOID.linkPredicate)
        assert value(description, linkset, VOID.subjectsTarget) == DATASET
        target = value(description, linkset, VOID.objectsTarget)
        key = str(target).rsplit("/", 1)[-1]
        links = {
            (s, o)
            for s, o in graph.subject_objects(predicate)
            if isinstance(o, URIRef)
            and (s, RDF.type, PV.Claim) not in graph
            and (found := target_of(str(o))) is not None
            and found.key == key
        }
        assert value(description, linkset, VOID.triples) == len(links), linkset
        total += len(links)
    claims = f"""SELECT (COUNT(*) AS ?n) {{ ?c a pv:Claim ; rdf:object ?o .
        FILTER(isIRI(?o) && !STRSTARTS(STR(?o), "{ID}")) }}"""
    assert total == count(graph, claims), "every claimed link is counted once"


def test_link_targets_are_described_with_their_iri_space(description: Graph) -> None:
    targets = set(description.objects(None, VOID.objectsTarget))
    keyed = {target.key: target for target in TARGETS}
    for node in targets:
        key = str(node).rsplit("/", 1)[-1]
        assert (node, RDF.type, VOID.Dataset) in description
        assert (node, DCTERMS.title, None) in description
        if key in keyed:
            assert value(description, node, VOID.uriSpace) == keyed[key].uri_space


# --- Distributions and the endpoint ---------------------------------------------------------------


def test_each_dump_is_a_distribution_with_url_media_type_size_and_checksum(
    description: Graph, dumps: list[Dump]
) -> None:
    distributions = set(description.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(dumps)
    by_url = {value(description, d, DCAT.downloadURL): d for d in distributions}
    for dump in dumps:
        url = URIRef(f"{BASE}dumps/{dump.name}")
        assert (DATASET, VOID.dataDump, url) in description
        node = by_url[url]
        media = value(description, node, DCAT.mediaType)
        assert str(media).endswith("/" + dump.media_type)
        assert str(value(description, node, DCAT.compressFormat)).endswith("/application/gzip")
        assert value(description, node, DCAT.byteSize) == len(dump.data)
        checksum = value(description, node, SPDX.checksum)
        assert value(description, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        digest = next(description.objects(checksum, SPDX.checksumValue))
        assert digest == Literal(dump.sha256, datatype=XSD.hexBinary)


def test_catalog_lists_the_dataset_and_the_sparql_service(description: Graph) -> None:
    catalog = next(description.subjects(RDF.type, DCAT.Catalog))
    assert value(description, catalog, DCAT.dataset) == DATASET
    service = value(description, catalog, DCAT.service)
    assert (service, RDF.type, DCAT.DataService) in description
    assert value(description, service, DCAT.endpointURL) == URIRef(BASE + "sparql")
    assert value(description, service, DCAT.servesDataset) == DATASET


def test_base_iri_moves_every_iri_of_the_description(
    project_graphs: dict[URIRef, Graph], dumps: list[Dump]
) -> None:
    base = "https://kg.example.org/partage/"
    moved = describe(project_graphs, VERSION, "0" * 64, base, dumps)
    dataset = URIRef(base + "id/dataset/partage-kg")
    assert (dataset, VOID.sparqlEndpoint, URIRef(base + "sparql")) in moved
    assert (dataset, VOID.dataDump, URIRef(base + "dumps/partage-kg.nq.gz")) in moved
    ours = {s for s in moved.subjects() if isinstance(s, URIRef)} - {DESCRIPTION_GRAPH}
    assert ours and all(str(s).startswith(base) for s in ours)


def test_description_is_deterministic(
    description: Graph, project_graphs: dict[URIRef, Graph], dumps: list[Dump]
) -> None:
    again = describe(project_graphs, VERSION, content_hash(project_graphs), BASE, dumps)
    first = sorted(to_canonical_graph(description).serialize(format="nt").splitlines())
    second = sorted(to_canonical_graph(again).serialize(format="nt").splitlines())
    assert first == second


def test_every_id_iri_of_the_description_is_described(
    description: Graph, project_graphs: dict[URIRef, Graph]
) -> None:
    described = {s for graph in [*project_graphs.values(), description] for s in graph.subjects()}
    referenced = {
        o for o in description.objects() if isinstance(o, URIRef) and str(o).startswith(str(ID))
    }
    assert referenced <= described


# --- The store with its description ---------------------------------------------------------------


@pytest.fixture(scope="module")
def described_store(
    tmp_path_factory: pytest.TempPathFactory,
    project_graphs: dict[URIRef, Graph],
    description: Graph,
) -> Path:
    path = tmp_path_factory.mktemp("described") / "store"
    write_store({**project_graphs, DESCRIPTION_GRAPH: description}, path)
    return path


EXAMPLES = sorted((ROOT / "queries" / "examples").glob("*.rq"))
CHECKS = sorted((ROOT / "queries" / "qc").glob("*.rq"))
QC_READING_THE_DESCRIPTION: dict[str, str] = {}


@pytest.mark.parametrize("query", EXAMPLES, ids=[q.stem for q in EXAMPLES])
def test_description_changes_no_competency_answer(
    query: Path, described_store: Path, built_store: Path
) -> None:
    text = query.read_text(encoding="utf-8")
    fmt = None if query.with_name(f"{query.stem}.expected.txt").exists() else "csv"  # ASK
    before, after = run_query(built_store, text, fmt), run_query(described_store, text, fmt)
    if fmt is None:
        assert after.boolean == before.boolean
    else:
        assert sorted((after.body or b"").splitlines()) == sorted((before.body or b"").splitlines())


@pytest.mark.parametrize("check", CHECKS, ids=[c.stem for c in CHECKS])
def test_quality_checks_find_nothing_in_the_described_store(
    check: Path, described_store: Path, request: pytest.FixtureRequest
) -> None:
    if check.stem in QC_READING_THE_DESCRIPTION:
        request.applymarker(
            pytest.mark.xfail(reason=QC_READING_THE_DESCRIPTION[check.stem], strict=True)
        )
    rows = run_query(described_store, check.read_text(encoding="utf-8")).rows
    assert not rows, rows[:5]


# --- Release metadata outside the graph -----------------------------------------------------------


def test_citation_version_is_the_package_version() -> None:
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert citation["version"] == project["version"]
    assert citation["cff-version"] == "1.2.0"
    assert citation["authors"] == [{"name": "Partage KG developers"}]
    assert "doi" not in citation and "date-released" not in citation
    (study,) = citation["references"]
    assert study["type"] == "report" and study["languages"] == ["fr"]
    assert study["authors"] == [{"name": "anonymous"}]
    assert "du dogme à la biodiversité" in study["title"]


# --- w3id/.htaccess, played through a small mod_rewrite -------------------------------------------

HTACCESS = ROOT / "w3id" / ".htaccess"
HOST = "https://partage-kg.example.org"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DIRECTIVE = re.compile(r"^(?P<name>RewriteEngine|RewriteCond|RewriteRule)\s+(?P<args>.+)$")
FLAGS = re.compile(r"^\[(?:R=30[237]|L|NE|E=[A-Z_]+:[^\],]+)(?:,(?:R=30[237]|L|NE))*\]$")

REQUESTS = [
    ("ontology", BROWSER, 303, f"{HOST}/docs/ontology.html"),
    ("ontology", "", 303, f"{HOST}/docs/ontology.html"),
    ("ontology", "*/*", 303, f"{HOST}/docs/ontology.html"),
    ("ontology", "text/turtle", 303, f"{HOST}/docs/ontology.ttl"),
    ("ontology", "text/turtle, text/html;q=0.5", 303, f"{HOST}/docs/ontology.ttl"),
    ("ontology", "application/rdf+xml", 303, f"{HOST}/docs/ontology.rdf"),
    ("ontology", "application/ld+json", 303, f"{HOST}/docs/ontology.jsonld"),
    ("ontology", "application/n-triples", 303, f"{HOST}/docs/ontology.nt"),
    ("shapes", "", 303, f"{HOST}/docs/shapes.ttl"),
    ("shapes", BROWSER, 303, f"{HOST}/docs/shapes.ttl"),
    ("shapes", "application/ld+json", 303, f"{HOST}/docs/shapes.jsonld"),
    ("shapes", "application/rdf+xml", 303, f"{HOST}/docs/shapes.rdf"),
    ("id/organisation/la-louve", "text/turtle", 303, f"{HOST}/id/organisation/la-louve"),
    ("id/claim/a%C3%A9", BROWSER, 303, f"{HOST}/id/claim/a%C3%A9"),
    ("graph/links/dbpedia", "", 303, f"{HOST}/graph/links/dbpedia"),
    ("releases/0.1.0/partage.ttl", "", 302, f"{HOST}/releases/0.1.0/partage.ttl"),
    ("dumps/partage-kg.nq.gz", "", 302, f"{HOST}/dumps/partage-kg.nq.gz"),
    ("sparql", "application/sparql-results+json", 307, f"{HOST}/sparql"),
    ("", BROWSER, 302, f"{HOST}/"),
    ("elsewhere", BROWSER, None, None),
]


def directives() -> list[tuple[str, list[str]]]:
    """(name, arguments) of each directive; blank lines and comments skipped."""
    found = []
    for line in HTACCESS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            match = DIRECTIVE.match(line)
            assert match, f"not a RewriteEngine/RewriteCond/RewriteRule line: {line!r}"
            found.append((match["name"], match["args"].split()))
    return found


def rewrite(path: str, accept: str) -> tuple[int, str] | None:
    """What the rules answer for a request, read as mod_rewrite reads a per-directory .htaccess
    (https://httpd.apache.org/docs/2.4/mod/mod_rewrite.html#rewriterule): conditions apply to
    the next rule, `-` substitutes nothing, [E=] sets a variable, [R=code,L] redirects."""
    env: dict[str, str] = {}
    conditions: list[tuple[str, str]] = []
    for name, args in directives():
        if name == "RewriteCond":
            test, pattern = args[0], args[1]
            conditions.append(({"%{HTTP_ACCEPT}": accept}[test], pattern))
            continue
        if name != "RewriteRule":
            continue
        pattern, target, flags = args[0], args[1], args[2] if len(args) > 2 else "[]"
        match = re.search(pattern, path)
        met = all(
            bool(re.search(p[1:], value)) is False
            if p.startswith("!")
            else bool(re.search(p, value))
            for value, p in conditions
        )
        conditions = []
        if not (match and met):
            continue
        for flag in flags.strip("[]").split(","):
            if flag.startswith("E="):
                variable, _, assigned = flag[2:].partition(":")
                env[variable] = assigned
        if target == "-":
            continue
        location = re.sub(r"%\{ENV:(\w+)\}", lambda m: env[m[1]], target)
        for number, group in enumerate(match.groups(), start=1):
            location = location.replace(f"${number}", group)
        (status,) = [int(f[2:]) for f in flags.strip("[]").split(",") if f.startswith("R=")]
        return status, location
    return None


def test_htaccess_is_only_rewrite_directives_with_known_flags() -> None:
    found = directives()
    assert found[0] == ("RewriteEngine", ["on"])
    for name, args in found[1:]:
        assert name in ("RewriteCond", "RewriteRule")
        assert len(args) in (2, 3), args
        if len(args) == 3:
            assert FLAGS.match(args[2]), args[2]
        for pattern in args[:2] if name == "RewriteRule" else args[1:2]:
            re.compile(pattern.removeprefix("!"))


def test_htaccess_names_the_placeholder_host_on_one_line() -> None:
    lines = HTACCESS.read_text(encoding="utf-8").splitlines()
    assert [
        line for line in lines if "partage-kg.example.org" in line and "RewriteRule" in line
    ] == [f"RewriteRule ^ - [E=PARTAGE_HOST:{HOST}]"]
    readme = (ROOT / "w3id" / "README.md").read_text(encoding="utf-8")
    assert "placeholder" in readme.lower() and "partage-kg.example.org" in readme


@pytest.mark.parametrize(("path", "accept", "status", "location"), REQUESTS)
def test_htaccess_redirects(
    path: str, accept: str, status: int | None, location: str | None
) -> None:
    expected = None if status is None else (status, location)
    assert rewrite(path, accept) == expected


def test_htaccess_covers_every_iri_space_of_the_graph() -> None:
    covered = {path.split("/", 1)[0] for path, _a, status, _l in REQUESTS if status}
    assert {"ontology", "shapes", "id", "graph", "releases", "dumps", "sparql"} <= covered


def test_a_term_without_namespace_adds_no_vocabulary(project_graphs: dict[URIRef, Graph]) -> None:
    extra = Graph()
    extra.add((URIRef("urn:x:s"), URIRef("urn:x:p"), URIRef("urn:x:o")))
    graphs = {**project_graphs, URIRef("urn:x:g"): extra}
    described = describe(graphs, "0.0.0", "0" * 64)
    assert URIRef("") not in set(described.objects(None, VOID.vocabulary))
