"""Releases a reuser can pin: `/releases/` (newest first), `/releases/<version>/` and its files
(`kg.releases`' archive, beside the store), and `/dumps/`, the current release's downloads.

Each landing page (the catalogue, a release) answers HTML to a browser and DCAT to an RDF client
(https://www.w3.org/TR/vocab-dcat-3/), and carries FAIR Signposting `Link` headers
(https://signposting.org/FAIR/): `cite-as` (its permanent IRI), `describedby` (its DCAT),
`license`, `item` (each download) and `type` (schema.org's Dataset). An archived file is served
with its SHA-256 as a strong ETag and cached for a year: a release never changes. A file named
without its suffix (`/releases/0.1.0/partage`) is negotiated among the syntaxes archived.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from fastapi import APIRouter, Request
from jinja2 import Environment, FileSystemLoader
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD
from starlette.responses import Response

from kg import formats, releases
from kg.describe import LICENCE
from kg.errors import UsageError
from kg.layout import published_files
from kg.namespaces import SPDX
from kg.web.dependencies import StateDep
from kg.web.headers import answer_response, signposting, tag_matches
from kg.web.negotiation import choose

TEMPLATES = Path(__file__).parent / "templates"
METHODS = ["GET", "HEAD"]
LANDING_FORMATS = (formats.HTML, *formats.DESCRIPTION_FORMATS)
IMMUTABLE = "public, max-age=31536000, immutable"
NEGOTIATED = {"partage", "shapes"}
"""Archived documents a reuser may name without a suffix."""

DCAT_VERSION = URIRef(f"{DCAT}version")
DCAT_PREVIOUS_VERSION = URIRef(f"{DCAT}previousVersion")
"""DCAT 3's versioning terms (https://www.w3.org/TR/vocab-dcat-3/#dataset-versions), which
rdflib's DCAT namespace (DCAT 2) lacks."""

router = APIRouter(tags=["releases"])


@functools.cache
def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)


@router.api_route("/releases/", methods=METHODS, include_in_schema=False)
async def catalogue(request: Request, state: StateDep) -> Response:
    """Every archived release, newest first: HTML or a DCAT catalogue."""
    base = state.settings.base_iri
    store = state.settings.store
    records = [releases.read_record(store, version) for version in releases.versions(store)]
    here = f"{base}releases/"
    fmt = _landing_format(request)
    links = _signposting(here, f"{here}?format=ttl", [(f"{here}{r.version}/", "") for r in records])
    if fmt is formats.HTML:
        page = _templates().get_template("releases.html").render(records=records, base=base)
        return _answer(request, page.encode(), "text/html; charset=utf-8", links)
    graph = _catalogue_graph(here, base, records)
    return _answer(request, _serialise(graph, fmt), fmt.media_type, links)


@router.api_route("/releases/{version}/", methods=METHODS, include_in_schema=False)
async def release_page(request: Request, state: StateDep, version: str) -> Response:
    """One release: its files with their checksums, what changed, its CHANGELOG section."""
    store = state.settings.store
    record = _record(store, version)
    if record is None:
        return _not_found()
    here = f"{state.settings.base_iri}releases/{version}/"
    folder = releases.folder(store, version)
    dumps = [(f"{here}{name}", _type_of(name)) for name in record.files if name.endswith(".gz")]
    links = _signposting(here, f"{here}dumps/void.ttl", dumps)
    fmt = _landing_format(request)
    if fmt is not formats.HTML:
        void = folder / "dumps" / "void.ttl"
        stat = void.stat()
        body = _described(void, stat.st_ino, stat.st_mtime_ns, fmt)
        return _answer(request, body, fmt.media_type, links)
    changelog = folder / releases.CHANGELOG_FILE
    page = (
        _templates()
        .get_template("release.html")
        .render(
            record=record,
            here=here,
            changelog=changelog.read_text(encoding="utf-8") if changelog.is_file() else None,
            patch=releases.PATCH if releases.PATCH in record.files else None,
        )
    )
    return _answer(request, page.encode(), "text/html; charset=utf-8", links)


@router.api_route("/releases/{version}/{name:path}", methods=METHODS, include_in_schema=False)
async def release_file(request: Request, state: StateDep, version: str, name: str) -> Response:
    """A file of an archived release, as it was published; never changed, so cached for good."""
    store = state.settings.store
    record = _record(store, version)
    if record is None:
        return _not_found()
    if name in NEGOTIATED:
        offered = tuple(fmt for fmt in LANDING_FORMATS if f"{name}{fmt.suffix}" in record.files)
        fmt = choose(request.headers.get("accept"), request.query_params.get("format"), offered)
        if fmt is None:
            return _not_acceptable(offered)
        name = f"{name}{fmt.suffix}"
    if name != releases.RECORD and name not in record.files:
        return _not_found()
    path = releases.folder(store, version) / name
    # The archive recorded each file's SHA-256; only the record itself is digested here.
    digest = record.files.get(name) or hashlib.sha256(path.read_bytes()).hexdigest()
    tag = f'"{digest}"'
    headers = {"etag": tag, "cache-control": IMMUTABLE, "vary": "accept"}
    if tag_matches(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    return answer_response(request, path.read_bytes(), _type_of(name), headers)


@router.api_route("/dumps/", methods=METHODS, include_in_schema=False)
async def dumps_listing(request: Request, state: StateDep) -> Response:
    """The current release's downloads, each with its SHA-256, and its VoID/DCAT description."""
    base = state.settings.base_iri
    files = {
        name: digest
        for name, digest in published_files(state.settings.store).items()
        if name.startswith("dumps/")
    }
    items = [(f"{base}{name}", _type_of(name)) for name in files if name.endswith(".gz")]
    links = _signposting(f"{base}dumps/", f"{base}.well-known/void", items)
    page = _templates().get_template("dumps.html").render(files=files, base=base)
    return _answer(request, page.encode(), "text/html; charset=utf-8", links)


# --- helpers ---------------------------------------------------------------------------------


def _record(store: Path, version: str) -> releases.Record | None:
    """The archived release `version`, or None (the route answers 404)."""
    if version not in releases.versions(store):
        return None
    try:
        return releases.read_record(store, version)
    except UsageError:
        return None


@functools.lru_cache(maxsize=64)
def _described(void: Path, _inode: int, _mtime_ns: int, fmt: formats.Format) -> bytes:
    """An archived release's VoID/DCAT in `fmt`, parsed and serialised once per syntax: the
    release never changes (`kg.releases`), so neither does its description."""
    return _serialise(Graph().parse(void), fmt)


def _landing_format(request: Request) -> formats.Format:
    fmt = choose(request.headers.get("accept"), request.query_params.get("format"), LANDING_FORMATS)
    return fmt or formats.HTML


def _type_of(name: str) -> str:
    if name.endswith(".gz"):
        return "application/gzip"
    if name.endswith((".sha256", ".rdfp", ".md")):
        return "text/plain; charset=utf-8"
    if name.endswith(".json"):
        return "application/json"
    fmt = formats.by_suffix(Path(name).suffix, (formats.HTML, *formats.RDF_FILES))
    if fmt is None:
        return "application/octet-stream"
    text = fmt.media_type.startswith("text/")
    return f"{fmt.media_type}; charset=utf-8" if text else fmt.media_type


def _signposting(cite_as: str, described_by: str, items: list[tuple[str, str]]) -> str:
    return signposting(cite_as, (described_by, "text/turtle"), items)


def _answer(request: Request, body: bytes, media_type: str, links: str) -> Response:
    headers = {"link": links, "vary": "accept"}
    return answer_response(request, body, media_type, headers)


def _serialise(graph: Graph, fmt: formats.Format) -> bytes:
    graph.bind("dcat", DCAT)
    graph.bind("dcterms", DCTERMS)
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")


def _catalogue_graph(here: str, base: str, records: list[releases.Record]) -> Graph:
    """The archive as a DCAT catalogue: one dcat:Dataset per release, each download with its
    SHA-256 (SPDX, as DCAT 3 writes checksums), newest first in dcat:dataset order of listing."""
    graph = Graph()
    catalogue = URIRef(here)
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal("Partage KG releases", lang="en")))
    graph.add((catalogue, DCTERMS.license, LICENCE))
    for record in records:
        dataset = URIRef(f"{here}{record.version}/")
        graph.add((catalogue, DCAT.dataset, dataset))
        graph.add((dataset, RDF.type, DCAT.Dataset))
        graph.add((dataset, DCAT_VERSION, Literal(record.version)))
        graph.add((dataset, DCTERMS.identifier, Literal(record.content_hash)))
        if record.previous is not None:
            graph.add((dataset, DCAT_PREVIOUS_VERSION, URIRef(f"{here}{record.previous}/")))
        for name, digest in sorted(record.files.items()):
            if not name.endswith(".gz"):
                continue
            download = URIRef(f"{here}{record.version}/{name}")
            distribution = URIRef(f"{download}#distribution")
            graph.add((dataset, DCAT.distribution, distribution))
            graph.add((distribution, RDF.type, DCAT.Distribution))
            graph.add((distribution, DCAT.downloadURL, download))
            checksum = URIRef(f"{download}#sha256")
            graph.add((distribution, SPDX.checksum, checksum))
            graph.add((checksum, RDF.type, SPDX.Checksum))
            graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            graph.add((checksum, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))
    return graph


def _not_found() -> Response:
    return Response("Not Found\n", status_code=404, media_type="text/plain; charset=utf-8")


def _not_acceptable(offered: tuple[formats.Format, ...]) -> Response:
    types = ", ".join(fmt.media_type for fmt in offered)
    return Response(
        f"Not Acceptable: this file is offered as {types}\n",
        status_code=406,
        media_type="text/plain; charset=utf-8",
    )
