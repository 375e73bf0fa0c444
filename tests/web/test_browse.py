"""Browsing the id space (`/id/` and `/id/<kind>/`): the listings, their negotiation, 404 and
escaping; against the session's real `kg serve` over the built store."""

from __future__ import annotations

import html

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg.namespaces import ID
from kg.web.listing import Entry
from kg.web.pages import templates_environment
from kg.web.paths import kind_iri
from kg.web.views.texts import TEXTS

ORGANISATIONS = "/id/organisation/"


def organisations(data: Graph) -> set[str]:
    """The paths of the organisations the project's data describes."""
    prefix = str(ID["organisation/"])
    return {
        "/id/" + str(s).removeprefix(str(ID))
        for s in set(data.subjects())
        if isinstance(s, URIRef) and str(s).startswith(prefix)
    }


def member_links(page: str) -> list[str]:
    """The hrefs of the `#members` list, in order."""
    members = page.split('id="members"', 1)[1].split("</ul>", 1)[0]
    return [part.split('"', 1)[0] for part in members.split('<a href="')[1:]]


def test_get_organisations_lists_the_fifteen_with_links(
    client: httpx.Client, project_data: Graph
) -> None:
    response = client.get(ORGANISATIONS, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    links = member_links(response.text)
    assert len(links) == 15
    assert set(links) == organisations(project_data)
    assert '<a href="/id/organisation/la-ruche-qui-dit-oui">La Ruche qui dit oui!</a>' in (
        response.text
    )
    for link in links:
        assert client.get(link, headers={"accept": "text/html"}).status_code == 200


def test_get_organisations_sorted_by_label_in_browser_language(
    client: httpx.Client, project_data: Graph
) -> None:
    for language in ("en", "fr"):
        response = client.get(ORGANISATIONS, headers={"accept-language": language})
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.text
        assert "accept-language" in response.headers["vary"]
        labels = []
        for link in member_links(response.text):
            found = {
                lit.language: str(lit)
                for lit in project_data.objects(
                    URIRef(str(ID) + link.removeprefix("/id/")), RDFS.label
                )
            }
            label = found.get(language) or found.get("en") or found.get("fr") or ""
            assert f'<a href="{link}">{html.escape(label, quote=False)}</a>' in response.text
            labels.append(label.casefold())
        assert labels == sorted(labels)


@pytest.mark.parametrize("media_type,syntax", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
])  # fmt: skip
def test_get_organisations_negotiates_rdf(
    client: httpx.Client, media_type: str, syntax: str
) -> None:
    response = client.get(ORGANISATIONS, headers={"accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    graph = Graph().parse(data=response.content, format=syntax)
    assert len(set(graph.objects(URIRef(str(ID["organisation/"])), RDFS.member))) == 15
    by_param = client.get(ORGANISATIONS, params={"format": "ttl"})
    assert by_param.headers["content-type"].startswith("text/turtle")


def test_get_id_index_lists_kinds_with_counts(client: httpx.Client) -> None:
    response = client.get("/id/", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert '<a href="/id/organisation/">organisation</a> <small class="count">(15)</small>' in (
        response.text
    )
    assert '<a href="/id/legal-form/">legal-form</a>' in response.text
    kinds = response.text.split('id="kinds"', 1)[1].split("</ul>", 1)[0]
    for href in [part.split('"', 1)[0] for part in kinds.split('<a href="')[1:]]:
        assert client.get(href).status_code == 200


@pytest.mark.parametrize("path", [
    "/id/no-such-kind/", "/id/Organisation/", "/id/organisation%22%3E/",
    "/id/%3Cscript%3Ealert(1)%3C%2Fscript%3E/", "/id/a%20b/",
])  # fmt: skip
def test_get_unknown_kind_is_404_and_escaped(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "<script>alert" not in response.text
    assert 'organisation">' not in response.text
    text = client.get(path, headers={"accept": "text/turtle"})
    assert text.status_code == 404


def test_kind_iri_admits_only_slugs() -> None:
    assert kind_iri("legal-form", "https://example.org/") == "https://example.org/id/legal-form/"
    for kind in ("", "Organisation", 'a"b', "a>b", "a/b", "a b", "a}b"):
        assert kind_iri(kind, "https://example.org/") is None


def test_listing_template_escapes_labels() -> None:
    page = (
        templates_environment()
        .get_template("listing.html")
        .render(
            kind="organisation",
            entries=[Entry("<script>alert(1)</script>", '/id/organisation/x"onclick="y')],
            iri="https://example.org/id/organisation/",
            path="/id/organisation/",
            language="en",
            downloads=[],
            t=TEXTS["en"],
        )
    )
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'x"onclick' not in page


def test_headers_of_pages_link_to_organisations(client: httpx.Client) -> None:
    for path in ("/", "/id/organisation/la-ruche-qui-dit-oui", "/id/"):
        assert 'href="/id/organisation/">Organisations</a>' in client.get(path).text


def test_ui_nav_links_resolve(client: httpx.Client) -> None:
    nav = client.get("/").text.split('class="kg-nav"', 1)[1].split("</nav>", 1)[0]
    hrefs = [part.split('"', 1)[0] for part in nav.split('href="')[1:]]
    assert hrefs == ["/id/study/partage-pouvoir-valeur", "/id/organisation/", "/id/",
                     "/ontology", "/.well-known/void", "/dumps/", "/releases/"]  # fmt: skip
    for href in hrefs:
        assert client.get(href).status_code == 200, href


def test_get_organisations_revalidates_per_language(client: httpx.Client) -> None:
    english = {"accept": "text/html", "accept-language": "en"}
    first = client.get(ORGANISATIONS, headers=english)
    etag = first.headers["etag"]
    again = client.get(ORGANISATIONS, headers={**english, "if-none-match": etag})
    assert again.status_code == 304
    assert again.headers["vary"] == "accept, accept-language"
    french = {"accept": "text/html", "accept-language": "fr", "if-none-match": etag}
    assert client.get(ORGANISATIONS, headers=french).status_code == 200
