"""Read the project's RDF sources: the only module that opens ontology/, data/ and shapes/.

Parsing goes through rdflib, whose graphs the build works on. rdflib's parsers report positions
in a different way each (or not at all), so every parse error is turned here into one
`SourceError(path, message, line, column)` with 1-based line and column, as editors count them:

* Turtle, TriG, N3: `BadSyntax` keeps the whole text and the character offset of the error; the
  line and column are counted from those, which stays exact across multi-line literals.
* RDF/XML: the SAX locator gives line and (0-based) column, on the exception for well-formedness
  errors and as a `systemId:line:column:` prefix of the message for RDF errors.
* JSON-LD: `json.JSONDecodeError` carries `lineno` and `colno`.
* N-Triples, N-Quads: rdflib's message has no position. Both grammars keep one statement per line
  (https://www.w3.org/TR/n-triples/#n-triples-grammar: terms cannot hold a raw newline), so the
  file is read again by the same parser counting the lines it consumes; the count at the failure
  is the line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXException, SAXParseException

from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.parser import InputSource
from rdflib.plugins.parsers.nquads import NQuadsParser
from rdflib.plugins.parsers.ntriples import NTGraphSink, W3CNTriplesParser

from kg import formats
from kg.errors import SourceError, UsageError

RDF_FORMATS: dict[str, str] = {
    suffix: fmt.rdflib for fmt in formats.RDF_FILES for suffix in fmt.suffixes
}
"""rdflib parser name for each file suffix we accept (`kg.formats.RDF_FILES`)."""

QUAD_FORMATS = frozenset({formats.TRIG.rdflib, formats.NQUADS.rdflib})
"""Parsed into an rdflib Dataset (JSON-LD's named graphs are not read from sources)."""
LINE_FORMATS: dict[str, str] = {"nt": "N-Triples", "nquads": "N-Quads"}

# rdflib's RDF/XML handler prefixes its own errors with `systemId:line:column: `.
_SAX_PREFIX = re.compile(r":(?P<line>\d+):(?P<column>\d+): (?P<message>.*)\Z", re.DOTALL)


@dataclass
class ProjectSources:
    """Every graph of a project as read from disk, before the build derives anything."""

    ontology: Graph
    data: Graph
    shapes: Graph
    links: dict[str, Graph] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def file_format(path: Path) -> formats.Format:
    """The RDF format of `path`, chosen by its suffix.

    Raises:
        SourceError: the suffix is not an RDF syntax we read.
    """
    fmt = formats.by_suffix(path.suffix)
    if fmt is None:
        known = ", ".join(sorted(RDF_FORMATS))
        raise SourceError(path, f"unknown RDF syntax {path.suffix!r} (known: {known})")
    return fmt


def rdf_format(path: Path) -> str:
    """Return rdflib's parser name for `path`, chosen by its suffix.

    Raises:
        SourceError: the suffix is not an RDF syntax we read.
    """
    return file_format(path).rdflib


def parse_rdf(path: Path) -> Graph:
    """Parse one RDF file, the syntax chosen by its suffix.

    Quad syntaxes (TriG, N-Quads) return an `rdflib.Dataset`, which is a `Graph`.

    Raises:
        SourceError: the file cannot be read or is not well-formed; names the file, and the
            line and column when the parser gives them.
    """
    fmt = rdf_format(path)
    graph: Graph = Dataset() if fmt in QUAD_FORMATS else Graph()
    try:
        graph.parse(path, format=fmt)
    except OSError as error:
        raise SourceError(path, error.strerror or str(error)) from error
    except (SyntaxError, ParserError, SAXException, ValueError) as error:
        raise _source_error(path, fmt, error) from error
    return graph


def load_project(root: Path) -> ProjectSources:
    """Read a project: ontology/*.ttl, data/*.ttl, data/links/*.ttl and shapes/*.ttl.

    Files are read in sorted order so a build sees the same input in the same order on every
    machine. data/source/ (the study's text) and any other sub-directory of data/ are not read.

    Raises:
        UsageError: `root` has no ontology/ directory, so it is not a project.
        SourceError: a file is not well-formed.
    """
    if not (root / "ontology").is_dir():
        raise UsageError(f"{root} has no ontology/ directory: is it the project root?")
    files: list[Path] = []

    def merged(directory: Path) -> Graph:
        graph = Graph()
        for path in sorted(directory.glob("*.ttl")):
            graph += parse_rdf(path)
            files.append(path)
        return graph

    ontology = merged(root / "ontology")
    data = merged(root / "data")
    links: dict[str, Graph] = {}
    for path in sorted((root / "data" / "links").glob("*.ttl")):
        links[path.stem] = parse_rdf(path)
        files.append(path)
    shapes = merged(root / "shapes")
    return ProjectSources(ontology=ontology, data=data, shapes=shapes, links=links, files=files)


def _source_error(path: Path, fmt: str, error: Exception) -> SourceError:
    """Turn whatever rdflib raised into a SourceError carrying the position, if any."""
    if isinstance(error, SAXParseException):
        column = error.getColumnNumber()  # counted from 0 by expat
        line = error.getLineNumber()
        return SourceError(path, error.getMessage(), line, None if column is None else column + 1)
    if isinstance(error, json.JSONDecodeError):
        return SourceError(path, error.msg, error.lineno, error.colno)
    if isinstance(error, SyntaxError) and hasattr(error, "_why"):
        return _bad_syntax_error(path, error)
    message = str(error)
    if fmt == "xml" and (match := _SAX_PREFIX.search(message)):
        column = int(match["column"]) + 1
        return SourceError(path, match["message"], int(match["line"]), column)
    if fmt in LINE_FORMATS:
        # rdflib's own message names neither the line nor, for N-Triples, the fault.
        statement = f"not a valid {LINE_FORMATS[fmt]} statement"
        return SourceError(path, statement, _failing_line(path, fmt))
    return SourceError(path, message)


def _bad_syntax_error(path: Path, error: SyntaxError) -> SourceError:
    """Position of an rdflib notation3 `BadSyntax`, counted from the text it keeps."""
    why = str(getattr(error, "_why", error))
    offset = getattr(error, "_i", None)
    raw = getattr(error, "_str", None)
    if not isinstance(offset, int) or not isinstance(raw, bytes):
        lines = getattr(error, "lines", None)
        return SourceError(path, why, lines + 1 if isinstance(lines, int) else None)
    # `_str` is the parsed text encoded as UTF-8 while `_i` indexes characters: decode first.
    text = raw.decode("utf-8")
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return SourceError(path, why, line, column)


class _LineCounting(W3CNTriplesParser):
    """Counts the lines the parser consumes, so the count at a failure is the failing line."""

    lineno = 0

    def readline(self) -> str | None:
        line = super().readline()
        if line is not None:
            self.lineno += 1
        return line


class _LineCountingNQuads(_LineCounting, NQuadsParser):
    """The N-Quads variant of `_LineCounting`."""


def _failing_line(path: Path, fmt: str) -> int | None:
    """Re-read a line-based file with a line-counting parser and return where it fails."""
    with path.open("rb") as stream:
        try:
            if fmt == "nquads":
                nquads = _LineCountingNQuads()
                parser: _LineCounting = nquads
                source = InputSource()
                source.setByteStream(stream)
                nquads.parse(source, Dataset())
            else:
                parser = _LineCounting(NTGraphSink(Graph()))
                parser.parse(stream)
        except (ParserError, ValueError):
            return parser.lineno
    return None
