"""kg.docs: the ontology's page names every term, works offline, and is the same every build."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from html import escape
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from blank_parts import blank_form
from hash_seeds import outputs_under_hash_seeds
from kg.build import assemble
from kg.docs import SYNTAXES, documents, ontology_html
from kg.namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH
from kg.sources import load_project

FIXTURE_PROJECT = Path(__file__).parent / "data" / "build" / "project"
TERM_TYPES = [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty]

# A fresh interpreter per hash seed, and one to look at the root logger after the import.
PAGE_SCRIPT = """
import hashlib, sys
from pathlib import Path
from kg.build import assemble
from kg.docs import ontology_html
from kg.namespaces import ONTOLOGY_GRAPH
from kg.sources import load_project
graph = assemble(load_project(Path(sys.argv[1])))[ONTOLOGY_GRAPH]
print(hashlib.sha256(ontology_html(graph).encode()).hexdigest())
"""
LOGGING_SCRIPT = """
import logging, sys
from pathlib import Path
from kg.build import assemble
from kg.docs import ontology_html
from kg.namespaces import ONTOLOGY_GRAPH
from kg.sources import load_project
ontology_html(assemble(load_project(Path(sys.argv[1])))[ONTOLOGY_GRAPH])
root = logging.getLogger()
print(len(root.handlers), logging.getLevelName(root.level))
"""


@pytest.fixture(scope="module")
def ontology(project_graphs: dict[URIRef, Graph]) -> Graph:
    return project_graphs[ONTOLOGY_GRAPH]


@pytest.fixture(scope="module")
def page(ontology: Graph) -> str:
    return ontology_html(ontology)


def labels(ontology: Graph) -> list[tuple[URIRef, Literal]]:
    return sorted(
        (term, label)
        for kind in TERM_TYPES
        for term in ontology.subjects(RDF.type, kind)
        if isinstance(term, URIRef)
        for label in ontology.objects(term, RDFS.label)
        if isinstance(label, Literal)
    )


def test_page_has_every_class_and_property_label_in_both_languages(
    page: str, ontology: Graph
) -> None:
    found = labels(ontology)
    assert len({term for term, _label in found}) > 40
    missing = [f"{term} {label.n3()}" for term, label in found if escape(label, False) not in page]
    assert not missing, "\n".join(missing)


def test_page_is_titled_with_the_ontology_title(page: str, ontology: Graph) -> None:
    title = re.search(r"<title>(.*?)</title>", page)
    assert title is not None
    titles = {str(t) for t in ontology.objects(URIRef("https://w3id.org/partage/ontology"), None)}
    assert title[1] in titles


def test_page_loads_nothing_from_elsewhere(page: str) -> None:
    assert not re.search(r"<script[^>]*\bsrc=", page), "an outside script"
    assert not re.search(r"<link[^>]*\bhref=\"(?!data:)", page), "an outside stylesheet or icon"
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page), "CSS that fetches"
    assert "<style>" in page


def test_page_shows_the_release_version(page: str, ontology: Graph) -> None:
    (version,) = ontology.objects(URIRef("https://w3id.org/partage/ontology"), OWL.versionInfo)
    assert str(version) in page


def test_rendering_leaves_the_graph_unchanged(ontology: Graph) -> None:
    before = Graph()
    before += ontology
    ontology_html(ontology)
    assert isomorphic(before, ontology)


def test_page_is_the_same_bytes_whatever_the_hash_seed(page: str, project_root: Path) -> None:
    outputs = outputs_under_hash_seeds(PAGE_SCRIPT, str(project_root))
    digests = {out.strip() for out in outputs}
    assert digests == {hashlib.sha256(page.encode()).hexdigest()}


def test_importing_pylode_leaves_the_root_logger_alone(project_root: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", LOGGING_SCRIPT, str(project_root)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout.split() == ["0", "WARNING"]
    assert "DEBUG" not in completed.stderr


def test_an_ontology_without_title_still_gets_a_page() -> None:
    graphs = assemble(load_project(FIXTURE_PROJECT))
    page = ontology_html(graphs[ONTOLOGY_GRAPH])
    assert "https://w3id.org/partage/ontology" in page
    assert "Marketplace" in page or "marketplace" in page


@pytest.fixture(scope="module")
def files(project_graphs: dict[URIRef, Graph]) -> dict[str, bytes]:
    return documents(project_graphs[ONTOLOGY_GRAPH], project_graphs[SHAPES_GRAPH])


def test_documents_are_the_page_and_each_vocabulary_in_each_syntax(files: dict[str, bytes]) -> None:
    expected = {f"{stem}.{ext}" for stem in ("ontology", "shapes") for ext in SYNTAXES}
    assert set(files) == expected | {"ontology.html"}
    assert files["ontology.html"].startswith(b"<!DOCTYPE html>")


@pytest.mark.parametrize("extension", sorted(SYNTAXES))
@pytest.mark.parametrize("stem", ["ontology", "shapes"])
def test_vocabulary_files_round_trip(
    files: dict[str, bytes], project_graphs: dict[URIRef, Graph], stem: str, extension: str
) -> None:
    graph = project_graphs[ONTOLOGY_GRAPH if stem == "ontology" else SHAPES_GRAPH]
    parsed = Graph().parse(data=files[f"{stem}.{extension}"], format=SYNTAXES[extension])
    # Equal forms part by part (tests/blank_parts.py) are isomorphic; rdflib's isomorphic()
    # relabels both whole graphs each time.
    if blank_form(parsed) != blank_form(graph):
        assert isomorphic(parsed, graph), f"{stem}.{extension} is not the graph it renders"
