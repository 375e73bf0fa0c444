"""The query page (`kg.web.ui`): YASGUI on /sparql, the example queries, offline.

The end-to-end test drives Debian's Chromium (`/usr/bin/chromium`, `make browser`) through
Playwright; Playwright's own browser download is never used.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx
import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from kg.config import Settings
from kg.namespaces import PREFIXES
from kg.web.headers import INLINE_STYLES, content_security_policy
from kg.web.ui import (
    ASSETS,
    ENDPOINT_PATH,
    YASGUI_BUILD,
    make_router,
    read_examples,
    render_page,
    script_json,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "queries" / "examples").glob("*.rq"))
COUNT_ORGANISATIONS = (
    "SELECT (COUNT(DISTINCT ?o) AS ?n) "
    "WHERE { ?o a <https://w3id.org/partage/ontology#Organisation> }"
)
# The table shows a literal in full: its lexical form, then its datatype.
ORGANISATIONS = re.compile(r'^"?15"?(\^\^.*integer>?)?$')
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
LOCAL_HOSTS = {"127.0.0.1"}
RECORD_CSP_VIOLATIONS = """
window.kgCspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.kgCspViolations.push(
  `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`));
"""


# --- The real server (`kg serve`, tests/web/conftest.py). --------------------------------------


@dataclass(frozen=True)
class State:
    """What `make_router` needs of the app's state, for a router tested on its own."""

    settings: Settings


class RunningServer(Protocol):
    """What these tests use of tests/web/conftest.py's `Server`."""

    url: str


@pytest.fixture
def base_url(server: RunningServer) -> str:
    """The session's `kg serve` on 127.0.0.1, over the built store."""
    return server.url


# --- The page as HTML. ---------------------------------------------------------------------


class ResourceLinks(HTMLParser):
    """The URLs a page loads: script src, link href (stylesheets, icons...), img/iframe src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.config: list[str] = []
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for attribute in ("src", "href") if tag in ("script", "link", "img", "iframe") else ():
            if values.get(attribute):
                self.urls.append(str(values[attribute]))
        self._in_config = tag == "script" and values.get("type") == "application/json"

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_config = False


def parse_page(html: str) -> ResourceLinks:
    parser = ResourceLinks()
    parser.feed(html)
    return parser


def test_get_ui_loads_only_local_scripts_and_styles(base_url: str) -> None:
    response = httpx.get(base_url + "/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == content_security_policy()
    links = parse_page(response.text)
    assert links.urls, "the page loads no script or stylesheet"
    external = [url for url in links.urls if EXTERNAL.match(url)]
    assert not external, f"external resources: {external}"
    for url in links.urls:
        asset = httpx.get(base_url + url)
        assert asset.status_code == 200, url
        assert asset.headers["content-security-policy"] == content_security_policy()


def test_content_security_policy_allows_only_self() -> None:
    directives = dict(
        directive.strip().split(" ", 1) for directive in content_security_policy().split(";")
    )
    for name, sources in directives.items():
        kept = [s for s in sources.split() if not s.startswith("'sha256-")]
        assert set(kept) <= {"'self'", "'none'"}, f"{name}: {sources}"
    assert directives["default-src"] == "'self'"


def test_inline_styles_are_the_bundles() -> None:
    """The hashed inline styles are YASR's column resizer's, as the pinned bundle writes them."""
    bundle = (ROOT / YASGUI_BUILD / "yasgui.min.js").read_text(encoding="utf-8")
    grips, drag = INLINE_STYLES
    assert f"createStyle(a,`{grips}`)" in bundle
    assert "`*{cursor:`+n.opt.dragCursor+`!important}`" in bundle
    assert "dragCursor:`col-resize`" in bundle and drag == "*{cursor:col-resize!important}"


@pytest.mark.parametrize("name", sorted(name for name in ASSETS if name.endswith(".css")))
def test_get_ui_asset_styles_import_nothing_external(base_url: str, name: str) -> None:
    css = httpx.get(f"{base_url}/ui/{name}").text
    imports = re.findall(r"@import\s+[^;]+|url\(\s*['\"]?([^'\")]+)", css)
    external = [found for found in imports if EXTERNAL.match(found) and "data:" not in found]
    assert not external, f"{name} imports {external}"


@pytest.mark.parametrize(
    "path", ["/ui/unknown.js", "/ui/..%2Fui.py", "/ui/%2E%2E%2F%2E%2E%2Fpyproject.toml"]
)
def test_get_ui_asset_unknown_is_not_found(base_url: str, path: str) -> None:
    assert httpx.get(base_url + path).status_code == 404


def test_get_ui_config_lists_every_example(base_url: str) -> None:
    config = json.loads("".join(parse_page(httpx.get(base_url + "/").text).config))
    assert [example["slug"] for example in config["examples"]] == [path.stem for path in EXAMPLES]
    assert config["endpoint"] == ENDPOINT_PATH
    assert config["prefixes"]["pv"] == "https://w3id.org/partage/ontology#"


def test_read_examples_keeps_file_text_with_its_comments() -> None:
    examples = read_examples(ROOT / "queries" / "examples")
    assert len(examples) == len(EXAMPLES)
    for example, path in zip(examples, EXAMPLES, strict=True):
        assert example.query == path.read_text(encoding="utf-8")
        assert example.query.startswith("# title: ")
        assert example.title and example.title_fr and example.description
        assert "\n" not in example.description


def test_render_page_escapes_script_end_in_examples(tmp_path: Path) -> None:
    hostile = "</script><script>alert(1)</script><!-- \u2028 &"
    (tmp_path / "01-hostile.rq").write_text(
        f"# title: {hostile}\n# description: {hostile}\nASK {{}}\n", encoding="utf-8"
    )
    html = render_page(read_examples(tmp_path))
    assert html.count("</script>") == html.count("<script")
    links = parse_page(html)
    (config,) = links.config
    assert json.loads(config)["examples"][0]["title"] == hostile
    assert "<" not in script_json(hostile) and "&" not in script_json(hostile)


async def get(app: FastAPI, path: str) -> httpx.Response:
    """One request to `app` in process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return await client.get(path)


def test_get_ui_without_yasgui_says_how_to_install(tmp_path: Path) -> None:
    app = FastAPI()
    app.include_router(make_router(State(Settings(root=tmp_path))))
    response = asyncio.run(get(app, "/"))
    assert response.status_code == 503
    assert "npm ci" in response.text


# --- In a browser. -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless and kept off the network's background services."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A page opened on `/`, with what it asked the network and what went wrong in it."""

    page: Page
    requests: list[str]
    errors: list[str]

    def assert_local_and_clean(self) -> None:
        """No request left 127.0.0.1, the policy blocked nothing, the console has no error."""
        left = sorted({url for url in self.requests if urlsplit(url).hostname not in LOCAL_HOSTS})
        assert not left, f"requests left 127.0.0.1: {left}"
        assert not self.page.evaluate("() => window.kgCspViolations")
        assert not self.errors, self.errors


@pytest.fixture
def visit(browser: Browser, base_url: str, tmp_path: Path) -> Iterator[Visit]:
    """A fresh browser context (no stored tabs) on the page; a screenshot in tmp_path after."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    opened = Visit(page, [], [])
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on(
        "console",
        lambda message: opened.errors.append(message.text) if message.type == "error" else None,
    )
    page.goto(base_url + "/", wait_until="networkidle")
    yield opened
    page.screenshot(path=str(tmp_path / "ui.png"), full_page=True)
    context.close()


def texts(page: Page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


def editor_value(page: Page) -> str:
    return str(page.evaluate("() => window.kgYasgui.getTab().getYasqe().getValue()"))


def type_in_editor(page: Page, text: str) -> None:
    """Replace the visible editor's text by typing `text`, key by key."""
    page.locator(".yasqe .CodeMirror:visible").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def test_ui_lists_examples_and_runs_a_typed_query(visit: Visit) -> None:
    page = visit.page
    examples = page.locator("#kg-example-list .kg-example-title")
    examples.first.wait_for()
    titles = [example.title for example in read_examples(ROOT / "queries" / "examples")]
    assert examples.all_inner_texts() == titles

    type_in_editor(page, COUNT_ORGANISATIONS)
    assert editor_value(page) == COUNT_ORGANISATIONS
    page.locator(".yasqe_queryButton:visible").click()
    page.locator(".yasr table.dataTable tbody td").first.wait_for()
    assert "n" in texts(page, ".yasr table.dataTable thead th")
    cells = texts(page, ".yasr table.dataTable tbody td")
    assert any(ORGANISATIONS.match(cell) for cell in cells), cells

    page.locator(".kg-example", has_text=titles[2]).click()
    assert editor_value(page) == EXAMPLES[2].read_text(encoding="utf-8")
    assert page.evaluate("() => window.kgYasgui.getTab().getName()") == titles[2]
    assert page.locator(".yasgui .tab.active").inner_text().startswith(titles[2])
    visit.assert_local_and_clean()


def test_ui_completes_our_prefixes_and_our_classes(visit: Visit) -> None:
    page = visit.page
    type_in_editor(page, "PREFIX ")
    hints = page.locator(".CodeMirror-hints li")
    hints.first.wait_for()
    assert hints.all_inner_texts() == sorted(f"{p}: <{iri}>" for p, iri in PREFIXES.items())

    # Typing an undeclared prefix declares it; the classes come from our endpoint.
    type_in_editor(page, "SELECT * WHERE { ?s a pv:Organ")
    page.keyboard.press("Control+Space")
    hints.first.wait_for()
    assert "pv:Organisation" in hints.all_inner_texts()
    assert editor_value(page).startswith(f"PREFIX pv: <{PREFIXES['pv']}>\n")
    visit.assert_local_and_clean()
