"""`kg serve --store-url` in front of each remote engine (Oxigraph server and Virtuoso), over
the fixture project's release: what differs between engines (the default graph, ASK's shape,
a syntax error's status, an engine's own graphs and syntax) is the same at our endpoint, and
DESCRIBE, which each engine defines, is held to the embedded store's answer (Virtuoso's differs:
a strict xfail).

The protocol, update and Graph Store suites run against Oxigraph server in tests/web
(`test_remote_*.py`); here a few cases per engine, so that Virtuoso's quirks are held too.
"""

from __future__ import annotations

from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg import release
from kg.layout import SNAPSHOT
from kg.namespaces import BASE
from kg.remote.publish import Content

Engine = Any  # tests/remote/conftest.py's Engine


@pytest.fixture(scope="module")
def served(module_remote: Engine, release_a: release.Release, serve_in_front_of_module: Any) -> str:
    """`kg serve --store-url` in front of `module_remote`, holding release A; its endpoint URL.
    One per engine for the module: its tests only read."""
    return str(serve_in_front_of_module(module_remote, release_a).endpoint)


def test_get_query_counts_only_the_release_graphs(served: str, release_a: release.Release) -> None:
    """Virtuoso's default graph is every graph it holds, its own included: not here."""
    expected = Content.of_release(release_a).record
    query = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.get(served, params={"query": query})
    assert response.status_code == 200, response.text
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == sum(
        expected.triples.values()
    )
    assert response.headers["x-kg-content-hash"] == expected.content_hash
    union = httpx.get(served, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert (
        0
        < int(union.json()["results"]["bindings"][0]["n"]["value"])
        <= sum(expected.triples.values())
    )


@pytest.mark.parametrize(
    ("query", "expected"), [("ASK { ?s ?p ?o }", True), ("ASK { <urn:x:no> ?p ?o }", False)]
)
def test_get_query_ask_is_a_boolean(served: str, query: str, expected: bool) -> None:
    """Virtuoso answers ASK as a one-row SELECT: the endpoint gives the boolean."""
    for accept in ("application/sparql-results+json", "application/sparql-results+xml"):
        response = httpx.get(served, params={"query": query}, headers={"accept": accept})
        assert response.status_code == 200, response.text
        if accept.endswith("json"):
            assert response.json() == {"head": {}, "boolean": expected}
        else:
            assert f"<boolean>{str(expected).lower()}</boolean>" in response.text


@pytest.mark.parametrize(
    "query",
    ["SELECT * WHERE { ?s ?p }", 'DEFINE input:inference "x" SELECT * { ?s ?p ?o }'],
    ids=["malformed", "engine-syntax"],
)
def test_get_query_syntax_error_400_with_line_and_column(served: str, query: str) -> None:
    """Virtuoso answers a syntax error with a 500 and takes its own DEFINE pragmas: the query
    is read here first, so both are our 400 with the parser's position."""
    response = httpx.get(served, params={"query": query})
    assert response.status_code == 400, response.text
    assert "error at 1:" in response.text


def test_get_query_construct_turtle_with_our_prefixes(served: str) -> None:
    query = "CONSTRUCT WHERE { ?s a ?type }"
    response = httpx.get(served, params={"query": query}, headers={"accept": "text/turtle"})
    assert response.status_code == 200, response.text
    assert "@prefix pv: <https://w3id.org/partage/ontology#>" in response.text
    assert len(Graph().parse(data=response.text, format="turtle")) > 0


@pytest.fixture(scope="session")
def embedded_a(release_a: release.Release, tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """Release A in pyoxigraph, as the embedded engine serves it: the reference answers."""
    store = tmp_path_factory.mktemp("embedded-a") / "store"
    release.write(release_a, store)
    found = ox.Store()
    found.bulk_load(path=store / SNAPSHOT, format=ox.RdfFormat.N_QUADS)
    return found


def graph_answer(served: str, query: str, accept: str = "application/n-triples") -> Graph:
    response = httpx.get(served, params={"query": query}, headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    return Graph().parse(data=response.text, format="nt" if "triples" in accept else "turtle")


def embedded_answer(store: ox.Store, query: str) -> Graph:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QueryTriples)
    data = result.serialize(format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return Graph().parse(data=data, format="nt")


def assert_same_graph(found: Graph, expected: Graph) -> None:
    if not isomorphic(found, expected):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(found))
        raise AssertionError(
            f"missing:\n{missing.serialize(format='nt')}\nextra:\n{extra.serialize(format='nt')}"
        )


VIRTUOSO_DESCRIBE = pytest.mark.xfail(
    reason="Virtuoso's DESCRIBE is its own: it adds the triples whose object is the resource and "
    "follows no blank node (Oxigraph's, which the embedded store gives, is the resource's "
    "triples and the blank nodes they lead to); and once published there, blank nodes are "
    "Skolem IRIs (Virtuoso takes no N-Quads in one request)",
    strict=True,
)


@pytest.fixture
def describe_as_embedded(request: pytest.FixtureRequest) -> None:
    """Marks the known gap: on Virtuoso, DESCRIBE answers are not the embedded store's."""
    if request.node.callspec.params["module_remote"] == "virtuoso":
        request.applymarker(VIRTUOSO_DESCRIBE)


@pytest.mark.usefixtures("describe_as_embedded")
@pytest.mark.parametrize("resource", ["org-alpha", "quote-q1"], ids=["iri", "blank-node-target"])
def test_get_query_describe_is_the_embedded_answer(
    served: str, embedded_a: ox.Store, resource: str
) -> None:
    """DESCRIBE is the engine's to define (https://www.w3.org/TR/sparql11-query/#describe):
    through our endpoint it must still be the embedded store's answer."""
    query = f"DESCRIBE <{BASE}id/{resource}>"
    assert_same_graph(graph_answer(served, query), embedded_answer(embedded_a, query))


@pytest.mark.usefixtures("describe_as_embedded")
def test_get_query_describe_where_is_the_embedded_answer(served: str, embedded_a: ox.Store) -> None:
    query = "DESCRIBE ?org WHERE { ?org a pv:Marketplace }"
    expected = embedded_answer(
        embedded_a, "PREFIX pv: <https://w3id.org/partage/ontology#>\n" + query
    )
    assert len(expected) > 0
    assert_same_graph(graph_answer(served, query), expected)


def test_get_query_describe_turtle_with_our_prefixes(served: str) -> None:
    """Whatever the engine's DESCRIBE, the answer is negotiated and written as ours."""
    query = f"DESCRIBE <{BASE}id/org-alpha>"
    response = httpx.get(served, params={"query": query}, headers={"accept": "text/turtle"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    assert "@prefix pv: <https://w3id.org/partage/ontology#>" in response.text
    found = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(f"{BASE}id/org-alpha"), RDFS.label, Literal("Alpha")) in found
