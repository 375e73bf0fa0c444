"""The ontology's HTML documentation (pyLODE's OntPub, https://github.com/RDFLib/pyLODE) and the
vocabulary files: the ontology and the shapes in Turtle, N-Triples, RDF/XML and JSON-LD, which
w3id.org/partage/ontology and /shapes redirect to by Accept (w3id/.htaccess). All go to
`<store>/docs/`, written by the build with the store.

The page is self-contained: pyLODE inlines its stylesheet and icons (data: URIs) and embeds its
schema.org JSON-LD in the page; it loads no script, font or stylesheet from elsewhere, so it
works offline. Its only outside references are ordinary hyperlinks (term IRIs, pyLODE's site).

Three things about pyLODE shape this module:

* it changes the graph it is given (it adds its own inferences), so it gets a copy;
* its output follows the order in which triples were added, so the copy gets them sorted, which
  makes the page the same bytes on every build;
* it takes every skos:ConceptScheme for the document's own header (OntPub reads the title from
  owl:Ontology, prof:Profile and skos:ConceptScheme subjects alike), so the copy leaves out the
  rdf:type of our concept schemes (pv:Bases), which would otherwise retitle the page.

pyLODE 3.3 calls `logging.basicConfig(level=DEBUG)` when imported, and logs through the root
logger (which configures it again); `_root_logger_kept` stops both, so rendering the page turns
on no library's debug output in our process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg import formats
from kg.dumps import serialise
from kg.namespaces import ONTOLOGY

DIRECTORY = "docs"
"""Where the documents go, relative to the store directory."""
SYNTAXES = {fmt.suffix[1:]: fmt.rdflib for fmt in formats.DESCRIPTION_FORMATS}
"""File extension: the syntax kg.dumps.serialise writes it in (`kg.formats`)."""


def documents(ontology: Graph, shapes: Graph) -> dict[str, bytes]:
    """The files of `<store>/docs/`: ontology.html, then ontology.* and shapes.* per syntax."""
    files = {"ontology.html": ontology_html(ontology).encode("utf-8")}
    for stem, graph in (("ontology", ontology), ("shapes", shapes)):
        written = serialise(graph, SYNTAXES.values())
        for extension, syntax in SYNTAXES.items():
            files[f"{stem}.{extension}"] = written[syntax]
    return files


def ontology_html(ontology: Graph) -> str:
    """Render the ontology (the stamped one, so the page shows the release) as an HTML page.

    An ontology without a title or without an owl:Ontology header (a test fixture, say) still
    gets a page: its IRI stands in for the title.
    """
    with _root_logger_kept():
        import pylode

        html: str = pylode.OntPub(ontology=_documented(ontology)).make_html()
    return html


def write(files: Mapping[str, bytes], store: Path) -> None:
    """Write `documents` into `<store>/docs/`."""
    directory = store / DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)


def _documented(ontology: Graph) -> Graph:
    """The copy pyLODE works on: sorted, without concept-scheme types, with a title."""
    copy = Graph(bind_namespaces="none")
    for prefix, namespace in ontology.namespaces():
        copy.bind(prefix, namespace)
    for triple in sorted(ontology, key=lambda t: tuple(term.n3() for term in t)):
        if triple[1] == RDF.type and triple[2] == SKOS.ConceptScheme:
            continue
        copy.add(triple)
    headers = list(copy.subjects(RDF.type, OWL.Ontology))
    if not headers:
        copy.add((ONTOLOGY, RDF.type, OWL.Ontology))
        headers = [ONTOLOGY]
    for header in headers:
        if (header, DCTERMS.title, None) not in copy and (header, RDFS.label, None) not in copy:
            copy.add((header, DCTERMS.title, Literal(str(header))))
    return copy


@contextmanager
def _root_logger_kept() -> Iterator[None]:
    """Keep pyLODE from configuring the root logger, which it does when imported
    (`basicConfig(level=DEBUG)`) and again through its module-level `logging.info` calls.

    `basicConfig` does nothing while the root logger has a handler, so a NullHandler sits there
    for the duration; anything else pyLODE changes is undone.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    guard = logging.NullHandler()
    root.addHandler(guard)
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
