"""Linked-data pages (`kg.web.pages`): negotiation, 404, HEAD, escaping, the page's sections,
the build's files; against a real `kg serve` over a store built as `kg build` builds it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.namespaces import ID, PV, STUDY_GRAPH, VALIDATION_GRAPH
from kg.store import write_store

RUCHE = "/id/organisation/la-ruche-qui-dit-oui"
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
SUFFIXES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
            "rdf": "application/rdf+xml"}  # fmt: skip


class Running(Protocol):
    url: str


class Launch(Protocol):
    """tests/web/conftest.py's `Launcher`: starts `kg serve` on a store."""

    def __call__(self, store: Path, *options: str) -> Running: ...


@pytest.fixture(scope="module")
def pages(server: Running) -> Iterator[httpx.Client]:
    """A client of the session's server, over the store as `kg build` writes it."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def evil(
    tmp_path_factory: pytest.TempPathFactory, launch_for_module: Launch
) -> Iterator[httpx.Client]:
    graph = Graph()
    node = ID["organisation/evil"]
    graph.add((node, RDF.type, PV.Organisation))
    graph.add((node, RDFS.label, Literal("<script>alert(1)</script>", lang="en")))
    store = tmp_path_factory.mktemp("evil") / "store"
    write_store({STUDY_GRAPH: graph}, store)
    server = launch_for_module(store, "--workers", "1")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.mark.parametrize("media_type", sorted(RDF_FORMATS))
def test_get_resource_negotiates_each_format(pages: httpx.Client, media_type: str) -> None:
    response = pages.get(RUCHE, headers={"accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "accept" in response.headers["vary"].lower()
    assert response.headers["x-kg-release"] and response.headers["etag"]
    graph = Graph().parse(data=response.content, format=RDF_FORMATS[media_type])
    organisation = URIRef("https://w3id.org/partage" + RUCHE)
    assert (organisation, RDF.type, PV.Organisation) in graph
    assert (organisation, PV.legalForm, ID["legal-form/sas"]) in graph


@pytest.mark.parametrize(("suffix", "media_type"), sorted(SUFFIXES.items()))
def test_get_resource_by_suffix_and_format_param(
    pages: httpx.Client, suffix: str, media_type: str
) -> None:
    assert pages.get(f"{RUCHE}.{suffix}").headers["content-type"].startswith(media_type)
    by_param = pages.get(RUCHE, params={"format": suffix}, headers={"accept": "text/html"})
    assert by_param.headers["content-type"].startswith(media_type)


def test_get_resource_revalidates_with_etag(pages: httpx.Client) -> None:
    first = pages.get(RUCHE, headers={"accept": "text/turtle"})
    again = pages.get(
        RUCHE, headers={"accept": "text/turtle", "if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("accept", "kind"), [("text/html", "text/html"), ("text/turtle", "text/plain")]
)
def test_get_resource_unknown_is_404(pages: httpx.Client, accept: str, kind: str) -> None:
    for path in ("/id/organisation/no-such-thing", "/id/organisation/x%3E%20%3Cy"):
        response = pages.get(path, headers={"accept": accept})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith(kind)


def test_head_resource_has_headers_no_body(pages: httpx.Client) -> None:
    got = pages.get(RUCHE, headers={"accept": "text/turtle"})
    head = pages.head(RUCHE, headers={"accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["etag"] == got.headers["etag"]


def test_get_page_escapes_markup_in_labels(evil: httpx.Client) -> None:
    response = evil.get("/id/organisation/evil", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_get_page_shows_organisation_facts_quotes_links(pages: httpx.Client) -> None:
    html = pages.get(RUCHE, headers={"accept": "text/html", "accept-language": "en"}).text
    assert '<a href="/id/legal-form/sas">SAS (simplified joint-stock company)</a>' in html
    assert "les 5000 agriculteurs de voter sur des propositions stratégiques" in html
    assert "basis-interpretation" in html and "basis-reference" in html
    assert "basis-study" in html
    assert 'href="http://dbpedia.org/resource/The_Food_Assembly"' in html
    assert "wikipedia.org/wiki/" in html
    for suffix in SUFFIXES:
        assert f'href="{RUCHE}.{suffix}"' in html
    assert 'id="cite"' in html and "release 0.1.0" in html
    assert "https://w3id.org/partage/id/study/partage-pouvoir-valeur" in html
    assert 'href="/?query=SELECT' in html


def test_get_page_in_french_by_accept_language(pages: httpx.Client) -> None:
    html = pages.get("/id/legal-form/sas", headers={"accept-language": "fr-FR,fr;q=0.9"}).text
    assert "société par actions simplifiée" in html
    assert "<h1>SAS</h1>" in html
    assert "5710" in html


def test_get_page_of_statistic_shows_info_result(pages: httpx.Client) -> None:
    html = pages.get("/id/statistic/associations", headers={"accept": "text/html"}).text
    assert 'class="finding severity-info"' in html
    ruche = pages.get(RUCHE, headers={"accept": "text/html"}).text
    assert 'class="conforms"' in ruche


def test_get_validation_graph_is_in_store(pages: httpx.Client) -> None:
    query = f"ASK {{ GRAPH <{VALIDATION_GRAPH}> {{ ?r ?p ?o }} }}"
    answer = pages.get("/sparql", params={"query": query}, headers={"accept": "application/json"})
    assert answer.json()["boolean"] is True


def test_get_ontology_html_and_turtle(pages: httpx.Client) -> None:
    html = pages.get("/ontology", headers={"accept": "text/html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "accept" in html.headers["vary"]
    turtle = pages.get("/ontology", headers={"accept": "text/turtle"})
    graph = Graph().parse(data=turtle.content, format="turtle")
    assert (PV.Organisation, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in graph
    shapes = pages.get("/shapes", headers={"accept": "application/n-triples"})
    assert shapes.status_code == 200 and len(Graph().parse(data=shapes.content, format="nt")) > 0


def test_get_well_known_void_negotiates(pages: httpx.Client) -> None:
    for media_type, syntax in RDF_FORMATS.items():
        response = pages.get("/.well-known/void", headers={"accept": media_type})
        assert response.status_code == 200
        assert len(Graph().parse(data=response.content, format=syntax)) > 10


def test_get_dump_matches_its_sha256(pages: httpx.Client) -> None:
    dump = pages.get("/dumps/partage-kg.nq.gz")
    checksum = pages.get("/dumps/partage-kg.nq.gz.sha256")
    assert dump.status_code == 200 and checksum.status_code == 200
    assert checksum.text.split()[0] == hashlib.sha256(dump.content).hexdigest()
    assert pages.get("/dumps/manifest.json").status_code == 404
    assert pages.get("/dumps/..%2Fmanifest.json").status_code == 404
