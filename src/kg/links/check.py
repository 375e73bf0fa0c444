"""Link drift: does each link target still exist in its dataset, with the label we expect?

Each target dataset with a SPARQL endpoint (kg.links.targets.TARGETS, or one given for it) is asked
about all its targets at once, in batches. A target is `missing` when the endpoint has no triple
about it, `label-changed` when none of its rdfs:label values is a label we expect, `ok`
otherwise; every link of a dataset whose endpoint fails is `unreachable`. Links into datasets
without an endpoint (Wikipedia articles, home pages) are skipped and counted.

The label we expect is the one our linkset records for the target (rdfs:label or
skos:prefLabel, as `kg links reconcile` writes for Wikidata items), else, for DBpedia, the
resource name, which DBpedia takes from the Wikipedia title (underscores read as spaces).
Texts are compared in Unicode NFC with spaces collapsed; a recorded language must match too.

The report is data: one earl:Assertion per checked link (EARL 1.0,
https://www.w3.org/TR/EARL10-Schema/#Assertion) with its earl:TestResult, whose outcome is
earl:passed (ok), earl:failed (missing, label-changed) or earl:cantTell (unreachable), and a
schema:CheckAction (https://schema.org/CheckAction) whose results count the links per status.
"""

from __future__ import annotations

import unicodedata
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg import __version__
from kg.links.sparql import TIMEOUT, EndpointError, batches, select, values
from kg.links.targets import Target, link_triples
from kg.namespaces import EARL, GRAPH, SCHEMA
from kg.store import run_query

STATUSES = ("ok", "missing", "label-changed", "unreachable")
OUTCOMES = {"ok": EARL.passed, "missing": EARL.failed, "label-changed": EARL.failed}
"""EARL outcome of each status; any other (unreachable) is earl:cantTell."""
TEST_TITLE = "The link target exists in its dataset and carries the label we expect."


@dataclass(frozen=True)
class Link:
    """One link of a linkset graph, with the labels its target should carry."""

    graph: URIRef
    claim: URIRef | None
    subject: URIRef
    predicate: URIRef
    target: URIRef
    dataset: Target
    expected: tuple[Literal, ...]


@dataclass(frozen=True)
class Result:
    """The check of one link: one of STATUSES, the labels found, and why, when not ok."""

    link: Link
    endpoint: str
    status: str
    found: tuple[Literal, ...] = ()
    message: str = ""


def links(store: Path) -> list[Link]:
    """Every link of the store's linkset graphs, as kg.links.targets defines them, sorted."""
    query = f'SELECT DISTINCT ?g {{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), "{GRAPH}links/")) }}'
    found: list[Link] = []
    names = sorted(name for (name,) in run_query(store, query).rows if isinstance(name, URIRef))
    for name in names:
        construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {name.n3()} {{ ?s ?p ?o }} }}"
        graph = run_query(store, construct).graph
        assert graph is not None  # a CONSTRUCT answers with a graph
        for (dataset, predicate), pairs in link_triples(graph).items():
            for subject, target in pairs:
                claim = _claim(graph, subject, predicate, target)
                expected = _expected(graph, target, dataset)
                found.append(Link(name, claim, subject, predicate, target, dataset, expected))
    return sorted(found, key=lambda link: (link.subject, link.predicate, link.target))


def check(
    to_check: Sequence[Link], endpoints: Mapping[str, str], timeout: float = TIMEOUT
) -> tuple[list[Result], list[Link]]:
    """Ask each target dataset about its links.

    Args:
        to_check: the links.
        endpoints: an endpoint per target key, in place of the default of kg.links.targets.TARGETS.
        timeout: seconds each request may take.

    Returns:
        (results, skipped): a result per link whose dataset has an endpoint, in the order of
        `to_check`, and the links whose dataset has none.
    """
    results: dict[Link, Result] = {}
    skipped: list[Link] = []
    groups: dict[str, list[Link]] = {}
    for link in to_check:
        groups.setdefault(link.dataset.key, []).append(link)
    for key, group in sorted(groups.items()):
        endpoint = endpoints.get(key) or group[0].dataset.endpoint
        if endpoint is None:
            skipped.extend(group)
        else:
            results.update((r.link, r) for r in _check_dataset(group, endpoint, timeout))
    return [results[link] for link in to_check if link in results], skipped


def summary(results: Sequence[Result]) -> dict[str, int]:
    """How many links ended in each status; every status is named."""
    return {status: sum(1 for r in results if r.status == status) for status in STATUSES}


def report_graph(results: Sequence[Result], skipped: int) -> Graph:
    """The check as RDF: an earl:Assertion per link, a schema:CheckAction with the counts.

    Each assertion has what EARL requires (https://www.w3.org/TR/EARL10-Schema/#Assertion): who
    asserts it (this command), its subject (the claim stating the link, else the linking
    resource), its test (one per endpoint asked) and its result.
    """
    report = Graph(bind_namespaces="none")
    for prefix, namespace in (("earl", EARL._NS), ("schema", SCHEMA), ("dcterms", DCTERMS)):
        report.bind(prefix, namespace)
    assertor, tests = BNode(), {}
    report.add((assertor, RDF.type, EARL.Software))
    report.add((assertor, DCTERMS.title, Literal(f"kg links check {__version__}")))
    for result in results:
        if result.endpoint not in tests:
            tests[result.endpoint] = test = BNode()
            report.add((test, RDF.type, EARL.TestCase))
            report.add((test, DCTERMS.title, Literal(TEST_TITLE, lang="en")))
            report.add((test, DCTERMS.source, URIRef(result.endpoint)))
        link, assertion, outcome = result.link, BNode(), BNode()
        report.add((assertion, RDF.type, EARL.Assertion))
        report.add((assertion, EARL.assertedBy, assertor))
        report.add((assertion, EARL.mode, EARL.automatic))
        report.add((assertion, EARL.subject, link.claim or link.subject))
        report.add((assertion, EARL.test, tests[result.endpoint]))
        report.add((assertion, DCTERMS.references, link.target))
        report.add((assertion, EARL.result, outcome))
        report.add((outcome, RDF.type, EARL.TestResult))
        report.add((outcome, EARL.outcome, OUTCOMES.get(result.status, EARL.cantTell)))
        report.add((outcome, DCTERMS.title, Literal(result.status)))
        if result.message:
            report.add((outcome, EARL.info, Literal(result.message)))
    action = BNode()
    report.add((action, RDF.type, SCHEMA.CheckAction))
    report.add((action, SCHEMA.agent, assertor))
    for status, count in [*summary(results).items(), ("skipped", skipped)]:
        value = BNode()
        report.add((action, SCHEMA.result, value))
        report.add((value, RDF.type, SCHEMA.PropertyValue))
        report.add((value, SCHEMA.name, Literal(status)))
        report.add((value, SCHEMA.value, Literal(count)))
    return report


def _check_dataset(group: Sequence[Link], endpoint: str, timeout: float) -> list[Result]:
    """One dataset's links: its endpoint is asked which targets exist and what they are called."""
    labels: dict[URIRef, set[Literal]] = {}
    try:
        for batch in batches(sorted({link.target for link in group})):
            query = f"""SELECT DISTINCT ?target ?label WHERE {{
  VALUES ?target {{ {values(batch)} }}
  FILTER EXISTS {{ ?target ?property ?value }}
  OPTIONAL {{ ?target {RDFS.label.n3()} ?label }}
}}"""
            for row in select(endpoint, query, timeout):
                target, label = row.get("target"), row.get("label")
                if isinstance(target, URIRef):
                    known = labels.setdefault(target, set())
                    if isinstance(label, Literal):
                        known.add(label)
    except EndpointError as error:
        return [Result(link, endpoint, "unreachable", message=str(error)) for link in group]
    return [_verdict(link, endpoint, labels) for link in group]


def _verdict(link: Link, endpoint: str, labels: Mapping[URIRef, set[Literal]]) -> Result:
    if link.target not in labels:
        return Result(link, endpoint, "missing", message=f"no triple about {link.target}")
    found = tuple(sorted(labels[link.target], key=_label_key))
    if not link.expected or any(_same(e, f) for e in link.expected for f in found):
        return Result(link, endpoint, "ok", found)
    expected = ", ".join(label.n3() for label in link.expected)
    now = ", ".join(label.n3() for label in found) or "no label"
    return Result(link, endpoint, "label-changed", found, f"expected {expected}, found {now}")


def _same(expected: Literal, found: Literal) -> bool:
    if expected.language and expected.language != found.language:
        return False
    return _normal(expected) == _normal(found)


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _label_key(label: Literal) -> tuple[str, str]:
    return label.language or "", str(label)


def _expected(graph: Graph, target: URIRef, dataset: Target) -> tuple[Literal, ...]:
    """The labels our linkset records for `target`, else DBpedia's: the resource name."""
    recorded = {
        label
        for predicate in (RDFS.label, SKOS.prefLabel)
        for label in graph.objects(target, predicate)
        if isinstance(label, Literal)
    }
    if not recorded and dataset.key.startswith("dbpedia") and dataset.uri_space:
        name = urllib.parse.unquote(str(target).removeprefix(dataset.uri_space))
        recorded = {Literal(name.replace("_", " "))}
    return tuple(sorted(recorded, key=_label_key))


def _claim(graph: Graph, subject: URIRef, predicate: URIRef, target: URIRef) -> URIRef | None:
    """The claim that states the link, if the linkset states it by a claim."""
    claims = sorted(c for c in graph.subjects(RDF.object, target) if isinstance(c, URIRef))
    for claim in claims:
        if (claim, RDF.subject, subject) in graph and (claim, RDF.predicate, predicate) in graph:
            return claim
    return None
