"""Linked-data pages: every IRI of ours resolves here, as HTML for people and RDF for machines.

Follows Cool URIs for the Semantic Web (https://www.w3.org/TR/cooluris/#conneg): one path per
resource, negotiated by Accept (`Vary: Accept`), or fixed by `?format=` or a suffix link
(`.ttl`, `.jsonld`, `.nt`, `.rdf`, `.html`). Descriptions are queried through the worker pool,
like /sparql, and carry the same release, ETag and Last-Modified headers. The build's files are
served too: `/ontology` and `/shapes` (negotiated over `<store>/docs/`), `/docs/<file>`,
`/dumps/<file>`, and `/.well-known/void` (https://www.w3.org/TR/void/#well-known).
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from fastapi import APIRouter
from jinja2 import Environment, FileSystemLoader
from rdflib import Graph
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from kg import formats
from kg.describe import DATASET_SLUG, STUDY
from kg.dumps import NAMES as DUMP_NAMES
from kg.engine.errors import NotAcceptable
from kg.engine.messages import QueryRequest
from kg.engine.watcher import Release
from kg.layout import published_files
from kg.namespaces import PREFIXES
from kg.web import listing, negotiation, resource
from kg.web.dependencies import StateDep
from kg.web.headers import (
    ABOUT_PAGE,
    answer_headers,
    answer_response,
    etag,
    is_not_modified,
    not_modified_response,
    security_headers,
    signposting,
)
from kg.web.paths import SUFFIXES, iri_of, kind_iri, path_of, split_suffix, suffix_of
from kg.web.state import AppState
from kg.web.views import summaries
from kg.web.views.texts import TEXTS

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STYLESHEET = PACKAGE / "static" / "pages.css"
PAGE_FORMATS = (negotiation.HTML, *negotiation.DESCRIPTION_FORMATS)
"""A resource: HTML for people first (a bare `*/*` is most often a browser or curl)."""
DOCUMENT_FILES = {"text/html": "html", **{fmt.media_type: suf for suf, fmt in SUFFIXES.items()}}
FILE_TYPES = {
    ".gz": "application/gzip",
    ".sha256": "text/plain; charset=utf-8",
    **{
        fmt.suffix: f"{fmt.media_type}; charset=utf-8" if fmt.media_type.startswith("text/")
        else fmt.media_type
        for fmt in (formats.HTML, *formats.DESCRIPTION_FORMATS)
    },
}  # fmt: skip
"""The media type of each file a release publishes, by suffix (RDF and HTML: `kg.formats`)."""
DOCS_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
    "frame-ancestors 'none'"
)
"""pyLODE's page holds its own <style>; it loads nothing and runs no script."""
VOID_FILE = "dumps/void.ttl"


router = APIRouter(tags=["linked data"])
METHODS = ["GET", "HEAD"]


@router.api_route("/id/", methods=METHODS, include_in_schema=False)
async def index(request: Request, state: StateDep) -> Response:
    """The kinds of resource, with their counts."""
    return await listing_response(request, state, templates_environment(), None)


@router.api_route("/id/{kind}/", methods=METHODS, include_in_schema=False)
async def kind_listing(request: Request, state: StateDep, kind: str) -> Response:
    """The resources of one kind, by label."""
    return await listing_response(request, state, templates_environment(), kind)


@router.api_route("/id/{rest:path}", methods=METHODS, include_in_schema=False)
@router.api_route("/graph/{rest:path}", methods=METHODS, include_in_schema=False)
async def describe(request: Request, state: StateDep) -> Response:
    """A resource of ours (or one of our graphs), described."""
    return await resource_response(request, state, templates_environment())


@router.api_route("/ontology", methods=METHODS, include_in_schema=False)
@router.api_route("/shapes", methods=METHODS, include_in_schema=False)
async def document(request: Request, state: StateDep) -> Response:
    """The build's document of the ontology or the shapes."""
    return document_response(request, state, request.url.path.strip("/"))


@router.api_route("/docs/{name}", methods=METHODS, include_in_schema=False)
@router.api_route("/dumps/{name}", methods=METHODS, include_in_schema=False)
async def published(request: Request, state: StateDep) -> Response:
    """A file published with the store."""
    return file_response(request, state, request.url.path.removeprefix("/"))


@router.api_route("/.well-known/void", methods=METHODS, include_in_schema=False)
async def void(request: Request, state: StateDep) -> Response:
    """The VoID/DCAT description of the release."""
    return void_response(request, state)


@router.api_route("/pages/pages.css", methods=METHODS, include_in_schema=False)
async def stylesheet() -> Response:
    """The pages' stylesheet."""
    return FileResponse(STYLESHEET, media_type="text/css; charset=utf-8")


@functools.cache
def templates_environment() -> Environment:
    """The pages' templates, every value HTML-escaped; loaded once, on first use."""
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)


class _Version(NamedTuple):
    """Which version of a page a request gets: its language, release, ETag and Vary."""

    language: str
    release: Release
    etag: str
    vary: str

    @classmethod
    def of(
        cls, request: Request, state: AppState, page: str, fmt: negotiation.Format
    ) -> _Version | Response:
        """The version of `page` in `fmt`, or a 304 if the client holds it already."""
        language = preferred_language(request.headers.get("accept-language"))
        release = state.release()
        tag = etag(release, f"{page} {fmt.media_type} {language}")
        vary = "accept, accept-language" if fmt is negotiation.HTML else "accept"
        if is_not_modified(request, tag, release):
            return _with_vary(not_modified_response(tag, release), vary)
        return cls(language, release, tag, vary)

    def headers(self) -> dict[str, str]:
        """The answer's release, caching and Vary headers."""
        headers = answer_headers(None, self.release, self.etag)
        headers["vary"] = self.vary
        return headers


async def resource_response(request: Request, state: AppState, templates: Environment) -> Response:
    """The description of the resource the path names, in the negotiated format."""
    path, suffix = split_suffix(request.url.path)
    base = state.settings.base_iri
    iri = iri_of(path, base)
    fmt = _format(request, suffix, PAGE_FORMATS)
    if iri is None:
        return not_found(request, templates, fmt)
    version = _Version.of(request, state, f"page {iri}", fmt)
    if isinstance(version, Response):
        return version
    language, release = version.language, version.release
    description, labels = await asyncio.gather(
        _construct(state, resource.description_query(iri)),
        _construct(state, resource.labels_query(iri)) if fmt is negotiation.HTML else _nothing(),
    )
    if len(description) == 0:
        return not_found(request, templates, fmt)
    headers = version.headers()
    headers["link"] = _signposts(iri, base)
    if suffix is None:
        headers["content-location"] = f"{path}.{suffix_of(fmt)}"
    if fmt is not negotiation.HTML:
        body = _serialise(description, fmt.media_type)
        return answer_response(request, body, fmt.media_type, headers)
    shown = resource.page(description, labels, iri, language, base)
    assert shown is not None
    html = templates.get_template("resource.html").render(
        page=shown,
        views=await summaries.views(state, iri, language),
        path=path,
        language=language,
        downloads=[(suffix_of(f), f.media_type) for f in negotiation.DESCRIPTION_FORMATS],
        query_link="/?query=" + quote(resource.select_query(iri), safe=""),
        release=release,
        study=str(STUDY),
        study_path=path_of(str(STUDY), base),
    )
    headers.update(security_headers())
    return answer_response(request, html.encode(), "text/html; charset=utf-8", headers)


def _signposts(iri: str, base: str) -> str:
    """FAIR Signposting for a resource's landing page: the IRI to cite, its Turtle, the licence,
    and its type — the dataset's page is a Dataset whose items are the dumps, any other an
    AboutPage (https://signposting.org/FAIR/)."""
    described = (f"{iri}.ttl", "text/turtle")
    if iri != f"{base}id/dataset/{DATASET_SLUG}":
        return signposting(iri, described, types=(ABOUT_PAGE,))
    dumps = [(f"{base}dumps/{dump}", "application/gzip") for dump in DUMP_NAMES]
    return signposting(iri, described, dumps)


async def listing_response(
    request: Request, state: AppState, templates: Environment, kind: str | None
) -> Response:
    """`/id/` (the kinds, with counts) or `/id/<kind>/` (its resources, by label).

    The kind is checked against `kg.web.paths.KIND_PATTERN` before it goes into a query; a kind
    with no resource is not found.
    """
    base = state.settings.base_iri
    fmt = _format(request, None, PAGE_FORMATS)
    iri = f"{base}id/" if kind is None else kind_iri(kind, base)
    if iri is None:
        return not_found(request, templates, fmt)
    version = _Version.of(request, state, f"listing {iri}", fmt)
    if isinstance(version, Response):
        return version
    language, release = version.language, version.release
    query = listing.kinds_query(base) if kind is None else listing.members_query(iri)
    answer = await _construct(state, query)
    if kind is None:
        entries = listing.kinds(answer, base)
    else:
        entries = listing.members(answer, iri, language, base)
    if not entries:
        return not_found(request, templates, fmt)
    headers = version.headers()
    if fmt is not negotiation.HTML:
        return answer_response(request, _serialise(answer, fmt.media_type), fmt.media_type, headers)
    html = templates.get_template("listing.html").render(
        kind=kind,
        entries=entries,
        iri=iri,
        path=request.url.path,
        language=language,
        t=TEXTS[language],
        downloads=[(suffix_of(f), f.media_type) for f in negotiation.DESCRIPTION_FORMATS],
        release=release,
    )
    headers.update(security_headers())
    return answer_response(request, html.encode(), "text/html; charset=utf-8", headers)


def document_response(request: Request, state: AppState, name: str) -> Response:
    """`/ontology` or `/shapes`: the build's file in the negotiated format."""
    formats = negotiation.DESCRIPTION_FORMATS
    if name == "ontology":
        formats = (negotiation.HTML, *formats)
    fmt = _format(request, None, formats)
    response = file_response(request, state, f"docs/{name}.{DOCUMENT_FILES[fmt.media_type]}")
    response.headers["vary"] = "accept"
    return response


def file_response(request: Request, state: AppState, name: str) -> Response:
    """A file the build published with the store, as its manifest lists it; else 404."""
    release = state.release()
    store = state.settings.store
    listed = published_files(store)
    if name not in listed:
        return Response("Not Found\n", status_code=404, media_type="text/plain")
    tag = etag(release, f"file {name} {listed[name]}")
    if is_not_modified(request, tag, release):
        return not_modified_response(tag, release)
    headers = answer_headers(None, release, tag)
    del headers["vary"]
    if name.endswith(".html"):
        headers["content-security-policy"] = DOCS_POLICY
    media_type = FILE_TYPES.get(Path(name).suffix, "application/octet-stream")
    return answer_response(request, (store / name).read_bytes(), media_type, headers)


def void_response(request: Request, state: AppState) -> Response:
    """The VoID/DCAT description of the release, in the negotiated RDF format."""
    fmt = _format(request, None, negotiation.DESCRIPTION_FORMATS)
    release = state.release()
    tag = etag(release, f"void {fmt.media_type}")
    if is_not_modified(request, tag, release):
        return not_modified_response(tag, release)
    path = state.settings.store / VOID_FILE
    if VOID_FILE not in published_files(state.settings.store):
        return Response("Not Found\n", status_code=404, media_type="text/plain")
    graph = Graph().parse(path, format="turtle")
    headers = answer_headers(None, release, tag)
    return answer_response(request, _serialise(graph, fmt.media_type), fmt.media_type, headers)


def not_found(request: Request, templates: Environment, fmt: negotiation.Format) -> Response:
    """404, as a page for a browser and as text for anyone else."""
    headers = {"vary": "accept"}
    if fmt is negotiation.HTML:
        body = templates.get_template("not_found.html").render(path=request.url.path)
        headers.update(security_headers())
        return HTMLResponse(body, status_code=404, headers=headers)
    text = f"Not Found: no resource of this dataset is at {request.url.path}\n"
    return Response(text, status_code=404, media_type="text/plain; charset=utf-8", headers=headers)


def preferred_language(header: str | None) -> str:
    """ "fr" or "en", whichever Accept-Language prefers (RFC 9110 #name-accept-language)."""
    best, best_q = resource.LANGUAGES[0], 0.0
    for item in (header or "").split(","):
        tag, *parameters = item.strip().split(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if primary in resource.LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def _format(
    request: Request, suffix: negotiation.Format | None, formats: tuple[negotiation.Format, ...]
) -> negotiation.Format:
    if suffix is not None:
        return suffix
    chosen = negotiation.choose(
        request.headers.get("accept"), request.query_params.get("format"), formats
    )
    if chosen is None:
        offered = ", ".join(fmt.media_type for fmt in formats)
        raise NotAcceptable(f"this resource is offered as {offered}")
    return chosen


async def _construct(state: AppState, text: str) -> Graph:
    """The answer of a CONSTRUCT run by a query worker, parsed."""
    request = QueryRequest(
        text, None, None, None, "application/n-triples", state.settings.max_results, False, ()
    )
    reply = await state.query(request)
    return Graph().parse(data=reply.body, format="nt")


async def _nothing() -> Graph:
    return Graph()


def _serialise(graph: Graph, media_type: str) -> bytes:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    fmt = formats.by_media_type(media_type, formats.DESCRIPTION_FORMATS)
    assert fmt is not None, media_type  # only DESCRIPTION_FORMATS are negotiated here
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")


def _with_vary(response: Response, vary: str) -> Response:
    response.headers["vary"] = vary
    return response
