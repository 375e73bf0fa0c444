"""The query page: YASGUI on our SPARQL endpoint, served by our own server, offline.

`/` is YASGUI (https://github.com/zazuko/yasgui, the npm package `@zazuko/yasgui`, installed
by `npm ci` from package.json into the project's node_modules/) pointed at `/sparql` on the
host and port the page was loaded from. The competency questions of queries/examples/ are read
once, when the router is made, and offered as example queries: each opens in a tab named by its
title, with its file text as it is (the title and description comments at the top).

Nothing on the page comes from elsewhere: the bundle, its CSS and our script are served by the
routes below; prefix completion uses `kg.namespaces.PREFIXES` (YASQE's prefix.cc lookup is
replaced) and class and property completion ask our own endpoint (not Linked Open
Vocabularies). The Content-Security-Policy holds the browser to that
(https://www.w3.org/TR/CSP3/#directive-default-src): `connect-src` falls back on `'self'`, so
the editor cannot even query another endpoint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any, Protocol

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from kg.config import Settings
from kg.namespaces import PREFIXES
from kg.web.headers import security_headers

EXAMPLES = Path("queries") / "examples"
YASGUI_BUILD = Path("node_modules") / "@zazuko" / "yasgui" / "build"
PACKAGE = Path(__file__).resolve().parent
TEMPLATE = PACKAGE / "templates" / "ui.html"
STATIC = PACKAGE / "static"
ENDPOINT_PATH = "/sparql"
ASSET_PATH = "/ui/"

# name under /ui/ -> (directory key, media type); the only files these routes serve.
ASSETS: dict[str, tuple[str, str]] = {
    "yasgui.min.js": ("yasgui", "text/javascript; charset=utf-8"),
    "yasgui.min.css": ("yasgui", "text/css; charset=utf-8"),
    "ui.js": ("static", "text/javascript; charset=utf-8"),
    "ui.css": ("static", "text/css; charset=utf-8"),
    "favicon.svg": ("static", "image/svg+xml"),
}

HEADER_LINE = re.compile(r"^#\s?(?P<key>[\w@-]+):\s*(?P<value>.*)$")
# What a JSON string may hold that an HTML parser would read inside <script>.
SCRIPT_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
DEFAULT_QUERY_PREFIXES = ("pv", "rdfs")
DEFAULT_QUERY = """\
SELECT ?organisation ?name
WHERE {
  ?organisation a pv:Organisation ;
    rdfs:label ?name .
  FILTER(LANGMATCHES(LANG(?name), "en"))
}
ORDER BY ?name
"""
MISSING_BUNDLE = (
    "The query page needs YASGUI, which is not installed: run `make ui` (npm ci) in the "
    "project directory, then restart the server. The SPARQL endpoint is at /sparql.\n"
)


class AppState(Protocol):
    """What the router needs of the app's state."""

    @property
    def settings(self) -> Settings: ...


@dataclass(frozen=True)
class ExampleQuery:
    """A competency question as the page offers it."""

    slug: str
    title: str
    title_fr: str
    description: str
    query: str


def read_headers(text: str) -> dict[str, str]:
    """The `# key: value` comments opening a query file, continuation lines joined.

    Args:
        text: the query file's text.

    Returns:
        Header values by key; the headers end at the first line that is not a comment.
    """
    found: dict[str, str] = {}
    key: str | None = None
    # Lines end at \n only: str.splitlines would also cut at U+2028 inside a title.
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.startswith("#"):
            break
        match = HEADER_LINE.match(line)
        if match:
            key = match["key"]
            found[key] = match["value"].strip()
        elif key is not None:
            found[key] = f"{found[key]} {line.lstrip('#').strip()}".strip()
    return found


def read_examples(directory: Path) -> list[ExampleQuery]:
    """The example queries of `directory` (`*.rq`), in file-name order.

    Args:
        directory: usually queries/examples/ of the project.

    Returns:
        One example per file; a file without `# title:` is named by its file name.
    """
    examples = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        headers = read_headers(text)
        examples.append(
            ExampleQuery(
                slug=path.stem,
                title=headers.get("title", path.stem),
                title_fr=headers.get("title@fr", ""),
                description=headers.get("description", ""),
                query=text,
            )
        )
    return examples


def default_query() -> str:
    """The query of a new tab: our prefixes it uses, then the organisations by name."""
    declarations = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in DEFAULT_QUERY_PREFIXES)
    return f"{declarations}\n{DEFAULT_QUERY}"


def page_config(examples: list[ExampleQuery]) -> dict[str, Any]:
    """What the page's script needs: endpoint path, prefixes, default and example queries."""
    return {
        "endpoint": ENDPOINT_PATH,
        "prefixes": dict(sorted(PREFIXES.items())),
        "defaultQuery": default_query(),
        "examples": [
            {
                "slug": example.slug,
                "title": example.title,
                "titleFr": example.title_fr,
                "description": example.description,
                "query": example.query,
            }
            for example in examples
        ],
    }


def script_json(value: object) -> str:
    """`value` as JSON that can sit inside `<script type="application/json">` unchanged.

    Escaping `<`, `>` and `&` keeps `</script>` and `<!--` out of the element
    (https://html.spec.whatwg.org/multipage/scripting.html#restrictions-for-contents-of-script-elements);
    JSON.parse reads the escapes back.
    """
    return json.dumps(value, ensure_ascii=False, indent=None).translate(SCRIPT_UNSAFE)


def render_page(examples: list[ExampleQuery]) -> str:
    """The page's HTML: the template with its one injected value, the config JSON."""
    template = Template(TEMPLATE.read_text(encoding="utf-8"))
    return template.substitute(config=script_json(page_config(examples)))


def asset_directories(root: Path) -> dict[str, Path]:
    """Where the `ASSETS` keys point: YASGUI's build in node_modules/, our static/."""
    return {"yasgui": root / YASGUI_BUILD, "static": STATIC}


def make_router(state: AppState) -> APIRouter:
    """The routes of the query page: `/` and its assets under `/ui/`.

    The example queries are read and the page rendered here, once, at app start-up.

    Args:
        state: the app state; `state.settings.root` is the project directory.

    Returns:
        A router for `FastAPI.include_router`.
    """
    root = state.settings.root
    directories = asset_directories(root)
    bundle_present = all((directories[kind] / name).is_file() for name, (kind, _) in ASSETS.items())
    page = render_page(read_examples(root / EXAMPLES))
    headers = security_headers()
    router = APIRouter(tags=["query page"])

    @router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse, name="ui")
    def get_ui() -> Response:
        """The YASGUI query page."""
        if not bundle_present:
            return PlainTextResponse(MISSING_BUNDLE, status_code=503, headers=headers)
        return HTMLResponse(page, headers=headers)

    @router.get(ASSET_PATH + "{name}", name="ui_asset", include_in_schema=False)
    def get_ui_asset(name: str) -> FileResponse:
        """One of `ASSETS`; any other name is not found (no path is ever built from input)."""
        if name not in ASSETS:
            raise HTTPException(status_code=404)
        kind, media_type = ASSETS[name]
        path = directories[kind] / name
        if not path.is_file():
            raise HTTPException(status_code=404)
        return FileResponse(path, media_type=media_type, headers=headers)

    return router
