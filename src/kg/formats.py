"""Every serialisation we read or write, once: media type, names, file suffixes, rdflib's name
and the W3C format IRI (https://www.w3.org/ns/formats/).

Standard library only. Negotiation, pages, dumps, docs, the service description, the Graph
Store Protocol, `kg query --format` and the file readers all take their tables from here;
Oxigraph's format is looked up by media type (`pyoxigraph.RdfFormat.from_media_type`), so no
table of Oxigraph formats is kept beside this one.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMATS_NS = "http://www.w3.org/ns/formats/"
"""W3C's IRIs for formats, https://www.w3.org/ns/formats/ (used by sd:resultFormat)."""


@dataclass(frozen=True)
class Format:
    """A serialisation.

    Attributes:
        media_type: its canonical media type (IANA's), which Oxigraph also knows it by.
        names: short names clients use in `format=` and `kg query --format`; the first is ours.
        aliases: other media types clients send for it.
        iri_name: its name in the W3C formats namespace; "" if it has none.
        suffixes: file suffixes, the first the one we write.
        rdflib: rdflib's parser and serialiser name; "" if rdflib is not used for it.
        quads: it can hold named graphs.
    """

    media_type: str
    names: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    iri_name: str = ""
    suffixes: tuple[str, ...] = ()
    rdflib: str = ""
    quads: bool = False

    @property
    def iri(self) -> str:
        """The format's IRI in the W3C formats namespace."""
        return FORMATS_NS + self.iri_name

    @property
    def name(self) -> str:
        """Our short name for it."""
        return self.names[0]

    @property
    def suffix(self) -> str:
        """The file suffix we write it with."""
        return self.suffixes[0]


# --- RDF --------------------------------------------------------------------------------------

TURTLE = Format(
    "text/turtle", ("turtle", "ttl"), ("application/x-turtle",), "Turtle", (".ttl",), "turtle"
)
NTRIPLES = Format("application/n-triples", ("ntriples", "nt"), (), "N-Triples", (".nt",), "nt")
NQUADS = Format(
    "application/n-quads", ("nquads", "nq"), (), "N-Quads", (".nq",), "nquads", quads=True
)
TRIG = Format("application/trig", ("trig",), (), "TriG", (".trig",), "trig", quads=True)
JSONLD = Format(
    "application/ld+json",
    ("jsonld", "json-ld", "json"),
    ("application/json",),
    "JSON-LD",
    (".jsonld",),
    "json-ld",
    quads=True,
)
RDFXML = Format(
    "application/rdf+xml",
    ("rdfxml", "rdf", "xml"),
    ("application/xml",),
    "RDF_XML",
    (".rdf", ".owl", ".xml"),
    "xml",
)
N3 = Format("text/n3", ("n3",), (), "N3", (".n3",), "n3")

RDF_FILES: tuple[Format, ...] = (TURTLE, TRIG, N3, NTRIPLES, NQUADS, RDFXML, JSONLD)
"""The RDF files we read, by suffix (`by_suffix`)."""

GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML, NQUADS, TRIG)
"""CONSTRUCT and DESCRIBE answers; the first is the default."""

DESCRIPTION_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, NTRIPLES, RDFXML)
"""Descriptions, pages and documents as RDF (one graph, rdflib-serialised); the first is the
default."""

BODY_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, N3, RDFXML)
"""What a Graph Store Protocol PUT or POST may send (one graph)."""

# --- SPARQL results ---------------------------------------------------------------------------

RESULTS_JSON = Format(
    "application/sparql-results+json",
    ("json", "srj"),
    ("application/json",),
    "SPARQL_Results_JSON",
    (".srj",),
)
RESULTS_XML = Format(
    "application/sparql-results+xml",
    ("xml", "srx"),
    ("application/xml",),
    "SPARQL_Results_XML",
    (".srx",),
)
RESULTS_CSV = Format("text/csv", ("csv",), (), "SPARQL_Results_CSV", (".csv",))
RESULTS_TSV = Format("text/tab-separated-values", ("tsv",), (), "SPARQL_Results_TSV", (".tsv",))

RESULTS_FORMATS: tuple[Format, ...] = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
"""SELECT and ASK answers, https://www.w3.org/TR/sparql11-protocol/#query-success; the first
is the default."""

# --- Other ------------------------------------------------------------------------------------

HTML = Format("text/html", ("html",), ("application/xhtml+xml",), "", (".html",))
"""A browser: sent to the query UI and the pages."""


def by_suffix(suffix: str, formats: tuple[Format, ...] = RDF_FILES) -> Format | None:
    """The format of a file suffix (`.ttl`, any case), or None if we do not read it."""
    wanted = suffix.lower()
    return next((fmt for fmt in formats if wanted in fmt.suffixes), None)


def by_media_type(media_type: str, formats: tuple[Format, ...]) -> Format | None:
    """The format of `formats` that `media_type` (parameters ignored) names, or None."""
    wanted = media_type.split(";", 1)[0].strip().lower()
    return next((f for f in formats if wanted in (f.media_type, *f.aliases)), None)


def by_name(name: str, formats: tuple[Format, ...]) -> Format | None:
    """The format of `formats` that `name` names (`turtle`, `csv`...), or None."""
    return next((fmt for fmt in formats if name in fmt.names), None)
