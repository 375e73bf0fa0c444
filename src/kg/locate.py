"""Find where a node is described in RDF source text, so a report can say `file:line`.

rdflib's parsers keep no positions, so this reads the text again. For the Turtle family
(Turtle, TriG, N-Triples, N-Quads, N3) a node is searched as `<full-iri>`, as a prefixed name
under the file's own `@prefix`/`PREFIX` declarations and relative to its `@base`/`BASE`
(https://www.w3.org/TR/turtle/#sec-iri); an occurrence at the start of a statement (subject
position) wins over an earlier one as an object. Other syntaxes (RDF/XML, JSON-LD) are searched
for the quoted IRI. Comments and string literals are masked first so they never match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib.term import Node, URIRef

TURTLE_FAMILY = frozenset({".ttl", ".trig", ".nt", ".nq", ".n3"})

_DIRECTIVE = re.compile(
    r"(?:(?P<at>@)|(?<![\w:\-]))(?P<kw>prefix|base)\b\s*(?:(?P<prefix>[^\s:<]*):\s*)?<(?P<iri>[^>]*)>\s*(?(at)\.)",
    re.IGNORECASE,
)
_LOCAL_NAME = re.compile(r"(?:[\w:%](?:[\w\-.:%]*[\w\-:%])?)?")
# A prefixed name ends where a character that could continue it stops; a final '.' ends the
# statement, but '.' followed by a name character is part of the name.
_NAME_END = r"(?![\w\-:%]|\.[\w\-:%])"
_STATEMENT_START = frozenset({".", "{", "}"})


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A position in a source file; lines count from 1, as editors and SARIF do."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class _Source:
    """A file's text with comments and strings blanked out, and its prefix and base IRIs."""

    masked: str
    prefixes: tuple[tuple[str, str], ...]
    base: str | None
    turtle: bool


def locate(node: Node, files: Sequence[Path]) -> SourceLocation | None:
    """Return where `node` is first described across `files`, or None.

    Args:
        node: the focus node of a validation result; only IRIs can be found in text.
        files: the sources in the order they were read.

    Returns:
        The first occurrence in subject position over all files in order, else the first
        occurrence of any kind, else None (blank nodes and literals always give None).
    """
    if not isinstance(node, URIRef):
        return None
    first_any: SourceLocation | None = None
    for path in files:
        for offset, is_subject in _occurrences(str(node), path):
            location = SourceLocation(path, _line_of(_read(path).masked, offset))
            if is_subject:
                return location
            if first_any is None:
                first_any = location
            break
    return first_any


def _occurrences(iri: str, path: Path) -> Iterator[tuple[int, bool]]:
    """Yield (offset, in subject position) for each spelling of `iri`, subjects first."""
    source = _read(path)
    found: list[tuple[int, bool]] = []
    for pattern in _spellings(iri, source):
        for match in re.finditer(pattern, source.masked):
            found.append(
                (match.start(), source.turtle and _starts_statement(source, match.start()))
            )
    # Subject occurrences first, then by position, so the caller can stop at the first one.
    yield from sorted(found, key=lambda item: (not item[1], item[0]))


def _spellings(iri: str, source: _Source) -> Iterator[str]:
    """Regexes for every way `iri` can be written in this file."""
    if not source.turtle:
        yield re.escape(f'"{iri}"')
        return
    yield re.escape(f"<{iri}>")
    if source.base and iri.startswith(source.base) and len(iri) > len(source.base):
        relative = iri[len(source.base) :]
        if not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", relative):
            yield re.escape(f"<{relative}>")
    for prefix, namespace in source.prefixes:
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(local):
            yield r"(?<![\w\-.:%])" + re.escape(f"{prefix}:{local}") + _NAME_END


def _starts_statement(source: _Source, offset: int) -> bool:
    """True when only whitespace separates `offset` from a statement end or the file start."""
    before = source.masked[:offset].rstrip()
    return not before or before[-1] in _STATEMENT_START


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _read(path: Path) -> _Source:
    stat = path.stat()
    return _read_cached(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _read_cached(path: Path, mtime_ns: int, size: int) -> _Source:
    """Read and mask a file once per version; the key includes mtime so edits are seen."""
    text = path.read_text(encoding="utf-8", errors="replace")
    turtle = path.suffix.lower() in TURTLE_FAMILY
    if not turtle:
        return _Source(text, (), None, turtle=False)
    masked = _mask(text)
    prefixes: list[tuple[str, str]] = []
    base: str | None = None
    chars = list(masked)
    for match in _DIRECTIVE.finditer(masked):
        if match.group("kw").lower() == "base":
            base = match.group("iri")
        elif match.group("prefix") is not None:
            prefixes.append((match.group("prefix"), match.group("iri")))
        # Blank the directive, newlines kept; its closing '>' becomes a '.' because a directive
        # ends a statement even in the SPARQL form, which has no final '.'.
        span = range(match.start(), match.end())
        chars[match.start() : match.end()] = ["\n" if chars[i] == "\n" else " " for i in span]
        chars[match.end("iri")] = "."
    return _Source("".join(chars), tuple(prefixes), base, turtle=True)


def _mask(text: str) -> str:
    """Blank out comments and string literals, keeping offsets and newlines."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "<":
            end = text.find(">", i)
            i = n if end < 0 else end + 1
        elif char == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
        elif char in "\"'":
            end = _string_end(text, i)
            out[i + 1 : end - 1] = ["\n" if c == "\n" else " " for c in text[i + 1 : end - 1]]
            i = end
        else:
            i += 1
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    """Offset just past the string literal opening at `start` (short or long form)."""
    quote = text[start] * 3 if text.startswith(text[start] * 3, start) else text[start]
    i = start + len(quote)
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(quote, i):
            return i + len(quote)
        elif text[i] == "\n" and len(quote) == 1:
            return i
        else:
            i += 1
    return len(text)
