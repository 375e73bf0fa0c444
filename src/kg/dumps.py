"""Dumps of a release: the dataset as gzipped Turtle, N-Triples, N-Quads and JSON-LD files.

`render` is pure (graphs in, file contents out); `write` is the only function here that touches
the disk. The bytes are deterministic, so two builds of the same sources publish identical
files with identical checksums:

* blank nodes get canonical labels first (`canonical`, RGDA1 via `rdflib.compare`), graph by
  graph as `kg.build.content_hash` does, so labels do not depend on the parse;
* N-Triples and N-Quads are sorted lines (https://www.w3.org/TR/n-quads/#sec-grammar: one
  statement per line, so sorting lines sorts statements). The N-Quads text is exactly the text
  `kg.build.content_hash` hashes: the dataset's content hash is the SHA-256 of the decompressed
  N-Quads dump, which anyone can check with `zcat partage-kg.nq.gz | sha256sum`;
* Turtle is Oxigraph's serialisation of the sorted N-Triples lines (one statement per triple,
  a subject's triples grouped, prefixes sorted): tens of times faster than rdflib's, and it
  keeps every literal's lexical form (https://www.w3.org/TR/rdf11-concepts/#section-Graph-Literal:
  "30"^^xsd:decimal and 30.0 are different terms). The vocabulary files (`serialise`) keep
  rdflib's nested Turtle, except that a number keeps its lexical form there too;
* JSON-LD is rdflib's, re-ordered: JSON-LD arrays are unordered except `@list`
  (https://www.w3.org/TR/json-ld11/#sets-and-lists), so every other array is sorted; it is put
  together graph by graph (`kg.jsonld`), so an edit converts only the graphs it changed;
* gzip with mtime 0 and no file name (https://www.rfc-editor.org/rfc/rfc1952#page-7), at
  zlib's default level 6.

The loop between dumps and description: the description (`kg.describe`) lists each dump with
its checksum, so it cannot be inside the dumps. The dumps hold every named graph except
`DESCRIPTION_GRAPH`: the dataset the description describes, not the description. The description
itself is written next to them as `void.ttl` (https://www.w3.org/TR/void/#void-file) and is in
the store, so the SPARQL endpoint answers with both.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

from kg import formats
from kg.canonical import canonical_graph
from kg.canonical import nquads_lines as canonical_nquads_lines
from kg.jsonld import dataset_jsonld, graph_jsonld
from kg.namespaces import DESCRIPTION_GRAPH, PREFIXES

STEM = "partage-kg"
FORMATS = (formats.TURTLE, formats.NTRIPLES, formats.NQUADS, formats.JSONLD)
NAMES = tuple(f"{STEM}{fmt.suffix}.gz" for fmt in FORMATS)
"""The dump files, in the order `render` makes them."""
DIRECTORY = "dumps"
"""Where a release's dumps and description go, relative to its store (or archive folder)."""
NQUADS_PATH = f"{DIRECTORY}/{STEM}{formats.NQUADS.suffix}.gz"
"""The N-Quads dump, relative to the store: every graph but the description, which an edit
reads the release's published graphs from."""
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
DESCRIPTION_FILE = "void.ttl"


@dataclass(frozen=True)
class Dump:
    """One dump file: its name, what it holds, and its gzipped bytes.

    Attributes:
        name: the file name, e.g. `partage-kg.nq.gz`.
        media_type: the media type of the decompressed content (DCAT 3 keeps compression apart,
            in dcat:compressFormat: https://www.w3.org/TR/vocab-dcat-3/#Property:distribution_compression_format).
        quads: whether named graphs are kept (N-Quads, JSON-LD) or merged (Turtle, N-Triples).
        data: the gzipped bytes.
    """

    name: str
    media_type: str
    quads: bool
    data: bytes

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the file, as `sha256sum` prints it."""
        return hashlib.sha256(self.data).hexdigest()


def canonical(graphs: Mapping[URIRef, Graph]) -> dict[URIRef, Graph]:
    """The graphs with canonical blank-node labels, the description graph left out."""
    return {
        name: canonical_graph(graphs[name]) for name in sorted(graphs) if name != DESCRIPTION_GRAPH
    }


def nquads_lines(graphs: Mapping[URIRef, Graph]) -> list[str]:
    """Sorted N-Quads lines (newline included) of the graphs, canonically labelled."""
    return sorted(line for name in graphs for line in canonical_nquads_lines(name, graphs[name]))


def render(graphs: Mapping[URIRef, Graph], version: str) -> list[Dump]:
    """Serialise the dataset (every graph but the description) in the four dump formats.

    Args:
        graphs: the release's graphs; blank nodes are relabelled canonically here.
        version: the release, named in the Turtle dump's header comment.

    Returns:
        The dumps in a fixed order: Turtle, N-Triples, N-Quads, JSON-LD.
    """
    published = {name: graph for name, graph in graphs.items() if name != DESCRIPTION_GRAPH}
    # The lines are kept per graph as made (kg.canonical relabels them), the key the release's
    # content hash looks them up by: keyed on relabelled copies, each would be made twice.
    quad_lines = nquads_lines(published)
    header = (
        f"# Partage KG {version}: the union of its named graphs, all but <{DESCRIPTION_GRAPH}>,\n"
        f"# which describes this file ({DESCRIPTION_FILE}). partage-kg.nq.gz keeps the graphs.\n"
    )
    triple_lines = sorted({_strip_graph(line) for line in quad_lines})
    turtle = header.encode("utf-8") + _ntriples_as_turtle(_joined(triple_lines))
    return [
        Dump(NAMES[0], formats.TURTLE.media_type, False, _gzip(turtle)),
        Dump(NAMES[1], formats.NTRIPLES.media_type, False, _gzip(_joined(triple_lines))),
        Dump(NAMES[2], formats.NQUADS.media_type, True, _gzip(_joined(quad_lines))),
        Dump(NAMES[3], formats.JSONLD.media_type, True, _gzip(dataset_jsonld(canonical(graphs)))),
    ]


def gzipped_nquads(graphs: Mapping[URIRef, Graph]) -> bytes:
    """All `graphs` (the description too, if given) as gzipped, sorted, canonical N-Quads: the
    same bytes for the same triples, as every file of a release."""
    return _gzip(_joined(nquads_lines(graphs)))


def serialise(graph: Graph, syntaxes: Iterable[str]) -> dict[str, bytes]:
    """One graph in each of `syntaxes` (turtle, nt, xml, json-ld), the same bytes every time.

    For the vocabulary files kg.docs publishes. Blank nodes get canonical labels and triples
    are added in sorted order, once for all syntaxes; rdflib's writers follow insertion order.

    Raises:
        ValueError: a syntax this module has no deterministic writer for.
    """
    ordered = Graph(bind_namespaces="none")
    for prefix, namespace in [*PREFIXES.items(), *graph.namespaces()]:
        ordered.bind(prefix, namespace, override=False)
    for triple in sorted(canonical_graph(graph), key=_sort_key):
        ordered.add(triple)
    writers: dict[str, Callable[[Graph], bytes]] = {
        "turtle": _turtle,
        "nt": lambda g: _joined(sorted(set(g.serialize(format="nt").splitlines(keepends=True)))),
        "xml": _rdfxml,
        "json-ld": graph_jsonld,
    }
    try:
        return {syntax: writers[syntax](ordered) for syntax in syntaxes}
    except KeyError as error:
        raise ValueError(f"no deterministic writer for {error}") from None


def dataset_hash(dumps: Sequence[Dump]) -> str:
    """The dataset's content hash: SHA-256 of the decompressed N-Quads dump.

    Equal to `kg.build.content_hash` of the same graphs (a test keeps them equal), without
    relabelling the graphs a second time.
    """
    nquads = next(dump for dump in dumps if dump.media_type == "application/n-quads")
    return hashlib.sha256(gzip.decompress(nquads.data)).hexdigest()


def write(dumps: Sequence[Dump], description: Graph, directory: Path) -> None:
    """Write each dump, its `.sha256` file (sha256sum's format) and the description.

    `sha256sum -c partage-kg.nq.gz.sha256` run in `directory` checks a download.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for dump in dumps:
        (directory / dump.name).write_bytes(dump.data)
        (directory / f"{dump.name}.sha256").write_text(
            f"{dump.sha256}  {dump.name}\n", encoding="utf-8"
        )
    described = Graph()
    for prefix, namespace in description.namespaces():
        described.bind(prefix, namespace)
    described += canonical_graph(description)
    (directory / DESCRIPTION_FILE).write_bytes(_turtle(described))


class _LexicalTurtle(TurtleSerializer):
    """rdflib's Turtle serialiser, but a literal whose shorthand would change it is written out."""

    def label(self, node: Node, position: int) -> str:
        text = super().label(node, position)
        if isinstance(node, Literal) and not text.startswith('"') and text != str(node):
            return node._literal_n3(use_plain=False, qname_callback=self._datatype_name)
        return text

    def _datatype_name(self, datatype: URIRef) -> str | None:
        return self.get_pname(datatype, False)


def _turtle(graph: Graph) -> bytes:
    buffer = io.BytesIO()
    _LexicalTurtle(graph).serialize(buffer, encoding="utf-8")
    return buffer.getvalue()


def _ntriples_as_turtle(ntriples: bytes) -> bytes:
    """Oxigraph's Turtle of N-Triples, in their order, with our prefixes in name order.

    Oxigraph writes one `@prefix` line per prefix first, in an order of its own: those lines
    are written again here in name order, so the bytes depend on nothing but the triples.
    """
    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items()))
    if not text:  # no triple: Oxigraph writes no prefixes either
        return head.encode()
    lines = text.split(b"\n", len(PREFIXES))
    declared, body = lines[: len(PREFIXES)], lines[len(PREFIXES) :]
    if not all(line.startswith(b"@prefix ") for line in declared):
        raise ValueError("Oxigraph's Turtle does not start with its prefixes")
    return head.encode() + b"\n".join(body)


def _rdfxml(graph: Graph) -> bytes:
    """Striped RDF/XML, one rdf:Description per subject, subjects and properties sorted.

    rdflib's writer orders subjects as its store iterates them, which varies from run to run;
    this one writes the plain form of https://www.w3.org/TR/rdf-syntax-grammar/#section-Syntax-node-property-elements
    with rdf:nodeID for blank nodes (#section-Syntax-blank-nodes).
    """
    names = {str(namespace): prefix for prefix, namespace in graph.namespaces()}
    used: dict[str, str] = {str(RDF): "rdf"}
    lines: list[str] = []
    for subject in sorted(set(graph.subjects()), key=lambda term: term.n3()):
        lines.append(f"  <rdf:Description {_node(subject, 'about')}>")
        for predicate, obj in sorted(graph.predicate_objects(subject), key=_sort_key):
            element = _qname(str(predicate), names, used)
            if isinstance(obj, Literal):
                if obj.language:
                    attribute = f" xml:lang={quoteattr(obj.language)}"
                elif obj.datatype:
                    attribute = f" rdf:datatype={quoteattr(str(obj.datatype))}"
                else:
                    attribute = ""
                lines.append(f"    <{element}{attribute}>{escape(str(obj))}</{element}>")
            else:
                lines.append(f"    <{element} {_node(obj, 'resource')}/>")
        lines.append("  </rdf:Description>")
    declarations = [
        f"   xmlns:{p}={quoteattr(ns)}" for ns, p in sorted(used.items(), key=_by_prefix)
    ]
    head = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF", *declarations]
    return "\n".join([*head[:-1], head[-1] + ">", *lines, "</rdf:RDF>", ""]).encode("utf-8")


def _node(term: Node, role: str) -> str:
    if isinstance(term, BNode):
        return f"rdf:nodeID={quoteattr(str(term))}"
    return f"rdf:{role}={quoteattr(str(term))}"


def _qname(iri: str, names: dict[str, str], used: dict[str, str]) -> str:
    """A prefixed name for a property: RDF/XML writes properties as XML element names."""
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    namespace, local = iri[:cut], iri[cut:]
    if not _NCNAME.match(local):
        raise ValueError(f"<{iri}> cannot be an RDF/XML property element")
    if namespace not in used:
        used[namespace] = names.get(namespace) or f"ns{len(used)}"
    return f"{used[namespace]}:{local}"


def _by_prefix(item: tuple[str, str]) -> str:
    return item[1]


def _sort_key(terms: tuple[Node, ...]) -> tuple[str, ...]:
    return tuple(term.n3() for term in terms)


def _strip_graph(line: str) -> str:
    """The N-Triples line of an N-Quads line: drop the graph IRI, the last term before " .".

    Graph names are IRIs without spaces (`<...>`), so the last " <" starts the graph name.
    """
    return line[: line.rindex(" <")] + " .\n"


def _joined(lines: Sequence[str]) -> bytes:
    return "".join(lines).encode("utf-8")


def _gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    # zlib's default level: twice as fast as gzip's 9 on our dumps, for 1% more bytes
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=6) as stream:
        stream.write(data)
    return buffer.getvalue()
