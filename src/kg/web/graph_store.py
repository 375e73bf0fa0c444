"""The SPARQL 1.1 Graph Store HTTP Protocol, https://www.w3.org/TR/sparql11-http-rdf-update/, at
/rdf-graphs/service, graphs named in the query string
(#indirect-graph-identification): `?graph=<IRI>`, or `?default` for the default graph, which
here is the union of the named graphs, as on /sparql.

Off (403 to every method) unless the server has an admin token; then:

* GET and HEAD (#http-get, #http-head) are public, like /sparql and the dumps, which show the
  same triples to anyone. A query worker answers (a CONSTRUCT of the graph, never cut at
  `--max-results`) in the syntax Accept asks for; 404 for a graph the release does not have.
* PUT, POST and DELETE (#http-put, #http-post, #http-delete) need the admin token, as updates
  do (`kg.web.dependencies.AdminDep`), and each is one edit of the store (`kg.web.edits`):
  validated against the shapes before it is written, 422 with the report and nothing written
  otherwise. PUT and POST answer 201 when they create the graph, else 204; DELETE answers 204,
  or 404. A body is Turtle, N-Triples, N3 or RDF/XML (not JSON-LD, whose parser would fetch
  remote contexts); a syntax error is a 400 naming its line. POST to the service itself (a
  graph named by the server, #http-post) is not offered: name the graph.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time

from fastapi import APIRouter
from rdflib import URIRef
from starlette.requests import Request
from starlette.responses import Response

from kg.engine.errors import NotAcceptable, failure
from kg.engine.messages import Outcome, QueryRequest
from kg.formats import BODY_FORMATS
from kg.updates import GraphNotFoundError, delete_graph, parse_graph, put_graph
from kg.web import negotiation
from kg.web.dependencies import AdminDep, StateDep
from kg.web.edits import commit, written
from kg.web.errors import BadRequest, UnsupportedMediaType, UpdateRefused
from kg.web.headers import CONTENT_HASH, RELEASE
from kg.web.protocol import read_body
from kg.web.state import AppState

PATH = "/rdf-graphs/service"
EVERYTHING = "CONSTRUCT WHERE { ?s ?p ?o }"
"""The query of a GET: the request's dataset (`default_graphs`) picks the graph."""

BODY_SUFFIXES = {
    media_type: fmt.suffix for fmt in BODY_FORMATS for media_type in (fmt.media_type, *fmt.aliases)
}
"""Media types of a PUT or POST body, with the file suffix `kg.sources` parses them by."""

# An absolute IRI (RFC 3987): a scheme, then no character that an IRI cannot hold.
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")

router = APIRouter(tags=["graph store"])


@router.api_route(PATH, methods=["GET", "HEAD"], include_in_schema=False)
async def get_graph(request: Request, state: StateDep) -> Response:
    """GET or HEAD: the graph in the syntax Accept asks for (#http-get, #http-head)."""
    if state.settings.admin_token is None:
        raise UpdateRefused("the Graph Store Protocol is not enabled on this server")
    name = target(request)
    release = state.release()
    if name is not None and str(name) not in dict(release.graphs):
        raise GraphNotFoundError(f"there is no graph <{name}>")
    chosen = negotiation.choose(request.headers.get("accept"), None, negotiation.GRAPH_FORMATS)
    if chosen is None:
        offered = ", ".join(f.media_type for f in negotiation.GRAPH_FORMATS)
        raise NotAcceptable(f"a graph is given as {offered}")
    default, named = ((str(name),), ()) if name is not None else (None, None)
    # Uncut: a graph of the store is no bigger than the dumps anyone can download.
    limit = sys.maxsize - 1
    query = QueryRequest(EVERYTHING, default, named, None, chosen.media_type, limit, False, ())
    reply = await state.engine.run(query, time.monotonic() + state.settings.timeout)
    if reply.outcome is not Outcome.OK:
        raise failure(reply)
    version, content_hash = reply.release
    headers = {RELEASE: version, CONTENT_HASH: content_hash, "vary": "accept"}
    if request.method == "HEAD":
        headers["content-length"] = str(len(reply.body))
        return Response(b"", media_type=reply.media_type, headers=headers)
    return Response(reply.body, media_type=reply.media_type, headers=headers)


@router.put(PATH, include_in_schema=False)
async def replace_graph(request: Request, state: StateDep, _admin: AdminDep) -> Response:
    """PUT: the request's graph replaces the named graph (#http-put)."""
    return await put(request, state, merge=False)


@router.post(PATH, include_in_schema=False)
async def merge_graph(request: Request, state: StateDep, _admin: AdminDep) -> Response:
    """POST: the request's graph is merged into the named graph (#http-post)."""
    return await put(request, state, merge=True)


@router.delete(PATH, include_in_schema=False)
async def remove_graph(request: Request, state: StateDep, _admin: AdminDep) -> Response:
    """DELETE: the named graph goes (#http-delete)."""
    return written(await commit(state, delete_graph(target(request))))


async def put(request: Request, state: AppState, merge: bool) -> Response:
    """PUT (replace) or POST (merge) the request's graph into the named graph."""
    name = target(request)
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    suffix = BODY_SUFFIXES.get(content_type)
    if suffix is None:
        raise UnsupportedMediaType(
            f"unsupported content type {content_type or '(none)'!r}: send "
            + ", ".join(BODY_SUFFIXES)
        )
    body = await read_body(request, state.settings.max_body_bytes)
    content = await asyncio.to_thread(parse_graph, body, suffix)
    outcome = await commit(state, put_graph(name, content, merge))
    return written(outcome, 204 if name in outcome.existed else 201)


def target(request: Request) -> URIRef | None:
    """The graph the request names: an IRI, or None for `?default`.

    Raises:
        BadRequest: neither or both, two graphs, or a graph that is not an absolute IRI.
    """
    graphs = request.query_params.getlist("graph")
    default = "default" in request.query_params
    if len(graphs) + default != 1:
        raise BadRequest("name one graph: ?graph=<IRI> or ?default")
    if default:
        return None
    if not ABSOLUTE_IRI.fullmatch(graphs[0]):
        raise BadRequest(f"?graph is not an absolute IRI: {graphs[0]!r}")
    return URIRef(graphs[0])
