"""Releases a reuser can pin, over HTTP: /releases/ and each release's files, /dumps/, the
ontology's owl:versionIRI resolving, and FAIR Signposting on each landing page."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, OWL, RDF

from kg import release, releases
from kg.build import source_graphs
from kg.dumps import NAMES as DUMP_NAMES
from kg.layout import read_manifest
from kg.namespaces import ONTOLOGY
from kg.sources import load_project
from kg.web.releases import DCAT_PREVIOUS_VERSION

FIXTURES = Path(__file__).resolve().parents[1] / "data"
BASE = "https://w3id.org/partage/"


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose archive holds 0.1.0 of the fixture project and 0.2.0 with Gamma added."""
    project = Path(
        shutil.copytree(FIXTURES / "build" / "project", tmp_path_factory.mktemp("p") / "p")
    )
    store = tmp_path_factory.mktemp("archived") / "store"
    for version in ("0.1.0", "0.2.0"):
        if version == "0.2.0":
            shutil.copy(FIXTURES / "releases" / "gamma.ttl", project / "data" / "gamma.ttl")
        made = release.make(source_graphs(load_project(project)), version, BASE)
        release.write(made, store)
        releases.archive(store, f"## {version}\n\n- Notes of {version}.\n")
    return store


@pytest.fixture(scope="module")
def http(archived: Path, launch_for_module: Any) -> Iterator[httpx.Client]:
    server = launch_for_module(archived)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def local(iri: str) -> str:
    """The path on our server of one of our IRIs."""
    return urlparse(iri).path.removeprefix("/partage")


def links(response: httpx.Response) -> dict[str, list[str]]:
    """rel -> targets of a Link header."""
    found: dict[str, list[str]] = {}
    for part in response.headers.get("link", "").split(", <"):
        target, _, params = part.lstrip("<").partition(">")
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "rel":
                found.setdefault(value.strip('"'), []).append(target)
    return found


def test_the_catalogue_lists_releases_newest_first(http: httpx.Client) -> None:
    page = http.get("/releases/", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.text.index("0.2.0") < page.text.index("0.1.0")


def test_the_catalogue_is_dcat_to_an_rdf_client(http: httpx.Client) -> None:
    answer = http.get("/releases/", headers={"accept": "text/turtle"})
    graph = Graph().parse(data=answer.text, format="turtle")
    catalogue = URIRef(f"{BASE}releases/")
    assert (catalogue, RDF.type, DCAT.Catalog) in graph
    assert len(set(graph.objects(catalogue, DCAT.dataset))) == 2
    newer = URIRef(f"{BASE}releases/0.2.0/")
    assert graph.value(newer, DCAT_PREVIOUS_VERSION) == URIRef(f"{BASE}releases/0.1.0/")


def test_the_ontology_version_iri_resolves_to_that_release(
    http: httpx.Client, archived: Path
) -> None:
    stamped = Graph().parse(releases.folder(archived, "0.1.0") / "partage.ttl")
    version_iri = stamped.value(ONTOLOGY, OWL.versionIRI)
    assert version_iri is not None
    answer = http.get(local(str(version_iri)))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    served = Graph().parse(data=answer.text, format="turtle")
    assert served.value(ONTOLOGY, OWL.versionInfo).toPython() == "0.1.0"


def test_a_file_named_without_suffix_is_negotiated(http: httpx.Client) -> None:
    answer = http.get("/releases/0.1.0/partage", headers={"accept": "application/ld+json"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/ld+json"
    assert "vary" in answer.headers


def test_an_archived_file_is_immutable_with_its_sha256_as_etag(
    http: httpx.Client, archived: Path
) -> None:
    answer = http.get("/releases/0.1.0/dumps/partage-kg.nq.gz")
    digest = hashlib.sha256(answer.content).hexdigest()
    assert answer.headers["etag"] == f'"{digest}"'
    assert "immutable" in answer.headers["cache-control"]
    assert digest == releases.read_record(archived, "0.1.0").files["dumps/partage-kg.nq.gz"]
    again = http.get(
        "/releases/0.1.0/dumps/partage-kg.nq.gz", headers={"if-none-match": answer.headers["etag"]}
    )
    assert again.status_code == 304


def test_a_release_page_says_what_changed(http: httpx.Client) -> None:
    page = http.get("/releases/0.2.0/", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "org-gamma" in page.text
    assert "changes.rdfp" in page.text
    assert "Notes of 0.2.0" in page.text
    patch = http.get("/releases/0.2.0/changes.rdfp")
    assert patch.status_code == 200
    assert "A <https://w3id.org/partage/id/org-gamma>" in patch.text


def test_a_release_page_is_its_void_to_an_rdf_client(http: httpx.Client) -> None:
    answer = http.get("/releases/0.1.0/", headers={"accept": "text/turtle"})
    assert answer.status_code == 200
    assert (None, RDF.type, DCAT.Dataset) in Graph().parse(data=answer.text, format="turtle")


def test_an_unknown_release_or_file_is_404(http: httpx.Client) -> None:
    assert http.get("/releases/9.9.9/").status_code == 404
    assert http.get("/releases/0.1.0/secret.txt").status_code == 404
    assert http.get("/releases/0.1.0/%2E%2E/%2E%2E/store/manifest.json").status_code == 404


@pytest.mark.parametrize("path", ["/releases/", "/releases/0.2.0/", "/dumps/"])
def test_landing_pages_carry_fair_signposting(http: httpx.Client, path: str) -> None:
    found = links(http.get(path, headers={"accept": "text/html"}))
    assert {"cite-as", "describedby", "license", "type", "item"} <= set(found)
    assert found["license"] == ["https://creativecommons.org/licenses/by/4.0/"]
    assert found["type"] == ["https://schema.org/Dataset"]


def test_a_release_page_signposts_each_dump_as_an_item(http: httpx.Client, archived: Path) -> None:
    items = links(http.get("/releases/0.2.0/"))["item"]
    dumps = [n for n in releases.read_record(archived, "0.2.0").files if n.endswith(".gz")]
    assert sorted(items) == sorted(f"{BASE}releases/0.2.0/{name}" for name in dumps)


def test_dumps_lists_the_current_downloads_with_their_digests(
    http: httpx.Client, archived: Path
) -> None:
    page = http.get("/dumps/")
    assert page.status_code == 200
    for name, digest in read_manifest(archived).files.items():
        if name.startswith("dumps/"):
            assert digest in page.text, name


def test_a_resource_page_signposts_its_iri_its_turtle_and_its_licence(http: httpx.Client) -> None:
    iri = f"{BASE}id/agent/partage-kg-developers"  # described by every release
    found = links(http.get(local(iri), headers={"accept": "text/html"}))
    assert found["cite-as"] == [iri]
    assert found["describedby"] == [f"{iri}.ttl"]
    assert found["type"] == ["https://schema.org/AboutPage"]
    assert found["license"] == ["https://creativecommons.org/licenses/by/4.0/"]


def test_the_dataset_page_signposts_each_dump_as_an_item(http: httpx.Client) -> None:
    iri = f"{BASE}id/dataset/partage-kg"
    found = links(http.get(local(iri), headers={"accept": "text/html"}))
    assert found["cite-as"] == [iri]
    assert found["describedby"] == [f"{iri}.ttl"]
    assert found["license"] == ["https://creativecommons.org/licenses/by/4.0/"]
    assert found["type"] == ["https://schema.org/Dataset"]
    assert sorted(found["item"]) == sorted(f"{BASE}dumps/{name}" for name in DUMP_NAMES)
    for item in found["item"]:
        assert http.get(local(item)).status_code == 200


def test_the_unversioned_iris_serve_the_current_release(http: httpx.Client) -> None:
    current = Graph().parse(data=http.get("/ontology", headers={"accept": "text/turtle"}).text)
    assert current.value(ONTOLOGY, OWL.versionInfo).toPython() == "0.2.0"
    pinned = Graph().parse(data=http.get("/releases/0.1.0/partage.ttl").text)
    assert pinned.value(ONTOLOGY, OWL.versionInfo).toPython() == "0.1.0"
