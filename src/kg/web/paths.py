"""Pure: our server's paths <-> our canonical IRIs, and format suffixes of description links.

Every IRI of ours resolves on the server that serves the graph
(https://www.w3.org/TR/cooluris/#semweb): `<base>id/<kind>/<slug>` is `/id/<kind>/<slug>`,
`<base>graph/<name>` is `/graph/<name>`, `<base>ontology` (and `#Term`) is `/ontology`,
`<base>shapes` is `/shapes`. The base is `Settings.base_iri`.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from kg.formats import HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, Format

KIND = r"[a-z0-9-]+"
"""A kind of resource, the segment after `/id/` (`organisation`, `legal-form`)."""

KIND_PATTERN = re.compile(rf"^{KIND}$")
"""A whole kind: checked before a kind is written into a query (see `RESOURCE_PATH`)."""

RESOURCE_PATH = re.compile(rf"^/(?:id/{KIND}|graph)/[A-Za-z0-9_-]+(?:[./~][A-Za-z0-9_-]+)*$")
"""A path that may name a resource: what the build mints (slugs), nothing a query could misread.

The IRI built from such a path is written into a query between `<` and `>`; this pattern
admits no character that could close the IRI or start another token."""

SUFFIXES: dict[str, Format] = {
    fmt.suffix.lstrip("."): fmt for fmt in (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)
}
"""Suffix of a description link -> its format: `.html`, `.ttl`, `.jsonld`, `.nt`, `.rdf`."""

DOCUMENTS = ("ontology", "shapes")
"""The documents published as files by the build (`<store>/docs/<name>.<suffix>`)."""


def iri_of(path: str, base: str) -> str | None:
    """The canonical IRI that `path` stands for, or None if the path names no resource."""
    if not RESOURCE_PATH.match(path):
        return None
    return base + path.removeprefix("/")


def kind_iri(kind: str, base: str) -> str | None:
    """`<base>id/<kind>/`, the IRI of the listing of a kind, or None if `kind` is not one."""
    return f"{base}id/{kind}/" if KIND_PATTERN.match(kind) else None


def split_suffix(path: str) -> tuple[str, Format | None]:
    """(path without a format suffix, the suffix's format), or (path, None) without one."""
    stem, dot, suffix = path.rpartition(".")
    if dot and suffix in SUFFIXES and "/" not in suffix:
        return stem, SUFFIXES[suffix]
    return path, None


def suffix_of(fmt: Format) -> str:
    """The suffix that names `fmt` in a link."""
    return next(name for name, candidate in SUFFIXES.items() if candidate is fmt)


def path_of(iri: str, base: str) -> str | None:
    """The local path (with fragment) where the IRI `iri` of ours resolves, or None if not ours.

    Args:
        iri: any IRI.
        base: `Settings.base_iri`.
    """
    if not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    document, hash_, fragment = rest.partition("#")
    if document in DOCUMENTS:
        return f"/{document}{hash_}{quote(fragment, safe='')}"
    if hash_:
        return None
    path = "/" + rest
    return path if RESOURCE_PATH.match(path) else None
