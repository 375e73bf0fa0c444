"""Node-link views: a resource's neighbourhood on its page, the ontology's class diagram.

The links come from SPARQL (`queries/neighbourhood.rq`, `queries/class_diagram.rq`); nodes are
labelled (`queries/labels.rq`) and coloured by their class of our ontology
(`queries/node_classes.rq`). The page carries the graph twice: as a list of links, readable
without JavaScript, and as JSON in a `<script type="application/json">` block, which
static/graph.js draws with Cytoscape.js (https://js.cytoscape.org/, pinned by
package-lock.json and served from here: `ASSETS`). A data block is not a script, so the
Content-Security-Policy needs no hash for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kg.web import pages
from kg.web.dependencies import StateDep
from kg.web.headers import security_headers
from kg.web.resource import Labeller
from kg.web.state import AppState
from kg.web.ui import script_json
from kg.web.views.select import Row, bound, query_text, select
from kg.web.views.texts import TEXTS

STATIC = Path(__file__).resolve().parents[1] / "static"
ASSETS: dict[str, tuple[str, str]] = {
    "cytoscape.min.js": ("node_modules/cytoscape/dist", "text/javascript; charset=utf-8"),
    "graph.js": ("static", "text/javascript; charset=utf-8"),
    "querycharts.js": ("static", "text/javascript; charset=utf-8"),
    "querycharts.css": ("static", "text/css; charset=utf-8"),
    "uiaccess.js": ("static", "text/javascript; charset=utf-8"),
}
"""Name under /views/ -> (directory: `static` or one under the project root, media type)."""
MAX_NODES = 60
"""Past this many nodes the second hop is left out: a diagram of more is not read."""
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#ff7f0e", "#393b79", "#637939", "#843c39", "#7b4173",
)  # fmt: skip
"""Class colours, in the legend's order (Tableau 10, then four darker ones); node labels are
drawn in black beside the node, never on it."""
OTHER = "#b0b0b0"
CLASS_DIAGRAM_PATH = "/ontology/classes"

router = APIRouter(tags=["views"])


@dataclass
class NodeLink:
    """A diagram: nodes, edges and the legend of its colours."""

    nodes: list[dict[str, str]] = field(default_factory=list)
    edges: list[dict[str, str]] = field(default_factory=list)
    legend: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(class label, colour, link)."""
    links: list[tuple[dict[str, str], str, dict[str, str]]] = field(default_factory=list)
    """(source node, property label, target node): the list the page shows without script."""

    def data(self) -> str:
        """The JSON that static/graph.js draws, safe inside a `<script>` element."""
        return script_json({"nodes": self.nodes, "edges": self.edges})


async def neighbourhood(state: AppState, iri: str, language: str) -> NodeLink:
    """The neighbourhood of `iri` (checked by `kg.web.paths.iri_of`), two hops if it is small."""
    rows = await select(state, bound(query_text("neighbourhood"), "resource", [iri]))
    if len({r["target"] for r in rows} | {r["source"] for r in rows}) > MAX_NODES:
        rows = [r for r in rows if str(r["hop"]) == "1"]
    return await node_link(state, rows, language, centre=iri)


async def class_diagram(state: AppState, language: str) -> NodeLink:
    """The ontology's classes, sub-class links and object properties."""
    rows = await select(state, query_text("class_diagram"))
    return await node_link(state, rows, language, classes_are_nodes=True)


async def node_link(
    state: AppState,
    rows: list[Row],
    language: str,
    centre: str | None = None,
    classes_are_nodes: bool = False,
) -> NodeLink:
    """The diagram of `rows` (`?source ?property ?target`), labelled and coloured."""
    nodes = sorted({r[k] for r in rows for k in ("source", "target")}, key=str)
    if centre is not None and URIRef(centre) not in nodes:
        nodes.insert(0, URIRef(centre))
    if not nodes:
        return NodeLink()
    class_rows = await _classes(state, nodes, classes_are_nodes)
    names = {*nodes, *(r["property"] for r in rows if "property" in r)}
    names.update(r["class"] for r in class_rows)
    text = bound(query_text("labels"), "node", sorted(str(n) for n in names))
    labels = Graph()
    for row in await select(state, text):
        labels.add((row["node"], RDFS.label, row["label"]))
    labeller = Labeller(labels, language, state.settings.base_iri)
    return shape(rows, nodes, class_rows, labeller, centre)


async def _classes(state: AppState, nodes: list[Node], classes_are_nodes: bool) -> list[Row]:
    """`?node ?class` rows: each node's classes of our ontology (none for a class diagram)."""
    if classes_are_nodes:
        return []
    return await select(state, bound(query_text("node_classes"), "node", [str(n) for n in nodes]))


def shape(
    rows: Iterable[Row],
    nodes: list[Node],
    class_rows: list[Row],
    labeller: Labeller,
    centre: str | None,
) -> NodeLink:
    """Pure: the diagram's JSON-ready nodes and edges, its legend and its list of links."""
    first: dict[Node, Node] = {}
    for row in class_rows:
        first.setdefault(row["node"], row["class"])
    classes = sorted(set(first.values()), key=lambda c: labeller.text(c).casefold())
    colours = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(classes)}
    out = NodeLink()
    by_node: dict[Node, dict[str, str]] = {}
    for node in nodes:
        term = labeller.term(node)
        kind = first.get(node)
        entry = {
            "id": str(node),
            "label": term.text,
            "href": term.href or "",
            "colour": colours.get(kind, OTHER) if kind is not None else OTHER,
            "centre": "yes" if str(node) == centre else "",
        }
        by_node[node] = entry
        out.nodes.append(entry)
    for row in rows:
        prop = row.get("property")
        label = labeller.text(prop) if prop is not None else "rdfs:subClassOf"
        out.edges.append(
            {"source": str(row["source"]), "target": str(row["target"]), "label": label}
        )
        out.links.append((by_node[row["source"]], label, by_node[row["target"]]))
    out.legend = [(labeller.text(c), colours[c], labeller.term(c).href) for c in classes]
    return out


@router.get("/views/{name}", include_in_schema=False)
def asset(name: str, state: StateDep) -> FileResponse:
    """One of `ASSETS`; any other name is not found (no path is built from input)."""
    if name not in ASSETS:
        raise HTTPException(status_code=404)
    directory, media_type = ASSETS[name]
    folder = STATIC if directory == "static" else state.settings.root / directory
    path = folder / name
    if not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, media_type=media_type, headers=security_headers())


@router.api_route(CLASS_DIAGRAM_PATH, methods=["GET", "HEAD"], include_in_schema=False)
async def classes_page(request: Request, state: StateDep) -> Response:
    """The ontology's class diagram, as its own page."""
    language = pages.preferred_language(request.headers.get("accept-language"))
    diagram = await class_diagram(state, language)
    html = (
        pages.templates_environment()
        .get_template("views/classes.html")
        .render(t=TEXTS[language], language=language, g=diagram)
    )
    headers = {"vary": "accept-language", **security_headers()}
    return HTMLResponse(html, headers=headers)
