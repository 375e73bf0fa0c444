"""The views of issue #13 in Debian's Chromium, over the built graph: each view is opened as a
reader would reach it, what it shows is checked against SPARQL answers of the endpoint, and
axe-core finds no WCAG 2 A/AA violation; no request leaves 127.0.0.1 and the
Content-Security-Policy refuses nothing.

The session's server and one Chromium for the module (browser tests are slow on a shared machine).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx
import pytest
from accessibility import violations, with_axe
from chromium import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import Browser, Page, sync_playwright

from kg.namespaces import BASE, PREFIXES
from kg.web.paths import path_of

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")

PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
TYPOLOGY_ROWS = (
    "pv:powerSharingModel",
    "pv:valueSharingModel",
    "pv:categorySector",
    "pv:communitySize",
    "pv:characteristic",
    "pv:maturity",
)
"""The rows of the study's table, in the order it prints them."""


class Running(Protocol):
    url: str
    endpoint: str


@pytest.fixture(scope="module")
def running(server: Running) -> Running:
    """The session's server, over the built graph."""
    return server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A page of the browser, with what it requested and what the policy refused."""

    def __init__(self, browser: Browser, language: str = "en-GB") -> None:
        self.context = with_axe(browser.new_context(locale=language))
        self.page: Page = self.context.new_page()
        self.requested: list[str] = []
        self.refused: list[str] = []
        self.page.on("request", lambda request: self.requested.append(request.url))
        self.page.on("console", self._console)

    def _console(self, message: object) -> None:
        text = str(getattr(message, "text", ""))
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.refused.append(text)

    def check(self) -> None:
        """No WCAG 2 A/AA violation, nothing refused by the policy, nothing from elsewhere."""
        assert violations(self.page) == []
        assert self.refused == []
        outside = [url for url in self.requested if urlsplit(url).hostname != "127.0.0.1"]
        assert outside == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    opened = Visit(browser)
    yield opened
    opened.close()


def select(running: Running, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT asked of the endpoint, as {variable: value}."""
    response = httpx.post(
        running.endpoint,
        data={"query": PROLOGUE + query},
        headers={"accept": "application/sparql-results+json"},
        timeout=30,
    )
    response.raise_for_status()
    rows = response.json()["results"]["bindings"]
    return [{name: value["value"] for name, value in row.items()} for row in rows]


def local(iri: str) -> str:
    found = path_of(iri, BASE)
    assert found is not None, iri
    return found


def test_get_study_shows_the_typology_table_as_the_graph_has_it(
    running: Running, visit: Visit
) -> None:
    page = visit.page
    page.goto(f"{running.url}/")
    page.get_by_role("link", name="The study at a glance").click()
    page.wait_for_url("**/id/study/partage-pouvoir-valeur")
    rows = " ".join(TYPOLOGY_ROWS)
    answer = select(
        running,
        f"""SELECT ?column ?category ?row ?value WHERE {{
  VALUES ?row {{ {rows} }}
  ?category a pv:PlatformCategory ; pv:tableColumn ?column ; ?row ?value .
}}""",
    )
    order = {
        PREFIXES["pv"] + name.removeprefix("pv:"): i for i, name in enumerate(TYPOLOGY_ROWS, 1)
    }
    expected: dict[tuple[int, int], set[str]] = {}
    columns: dict[int, str] = {}
    for row in answer:
        cell = (order[row["row"]], int(row["column"]))
        expected.setdefault(cell, set()).add(local(row["value"]))
        columns[int(row["column"])] = local(row["category"])
    assert len(expected) == 24
    table = page.locator("table.typology")
    headers = table.locator("thead th[data-column] a")
    assert [headers.nth(i).get_attribute("href") for i in range(4)] == [
        columns[c] for c in (1, 2, 3, 4)
    ]
    for (row_index, column), values in expected.items():
        cell = table.locator(f'tr[data-row="{row_index}"] td[data-column="{column}"]')
        links = cell.locator("ul.values a")
        shown = {links.nth(i).get_attribute("href") for i in range(links.count())}
        assert shown == values, (row_index, column)
        quote = cell.locator("a.quote-link")
        assert quote.count() >= 1 and (quote.first.get_attribute("href") or "").startswith(
            "/id/quote/"
        )
    visit.check()


def test_get_study_draws_the_legal_form_shares_of_the_data_cube(
    running: Running, visit: Visit
) -> None:
    page = visit.page
    page.goto(f"{running.url}/id/study/partage-pouvoir-valeur")
    answer = select(
        running,
        """SELECT ?structure ?percentage ?count ?population ?written ?quote WHERE {
  ?observation qb:dataSet ?set ; pv:legalStructure ?structure ; pv:population ?population ;
    pv:percentage ?percentage ; pv:evidence ?quote .
  OPTIONAL { ?observation pv:organisationCount ?count }
  OPTIONAL { ?observation pv:shareAsStated ?written }
}""",
    )
    assert len(answer) == 6
    bars = page.locator("#legal-chart svg g.bar")
    assert bars.count() == len(answer)
    drawn = {
        (bars.nth(i).locator("text").first.text_content() or ""): (
            Decimal(bars.nth(i).locator("rect").get_attribute("width") or "0"),
            bars.nth(i).locator("text.value").text_content(),
        )
        for i in range(bars.count())
    }
    table = page.locator("#legal-chart table.statistics")
    for row in answer:
        percentage = Decimal(row["percentage"])
        line = table.locator(f'tr[data-structure="{local(row["structure"])}"]')
        label = line.locator("th").inner_text()
        width, value = drawn[label]
        assert width == round(percentage * 260 / 100, 1)
        assert value == row.get("written", f"{row['percentage']} %")
        links = line.locator("td.count a")
        numbers = [links.nth(i).inner_text() for i in range(links.count())]
        assert numbers == [n for n in (row.get("count"), row["population"]) if n is not None]
        assert {links.nth(i).get_attribute("href") for i in range(links.count())} == {
            local(row["quote"])
        }
    # 10 of 34 is 29.4 %, which the study writes 30 %
    associations = table.locator('tr[data-structure="/id/legal-family/associations"]')
    assert "29.4 %" in associations.locator("td.exact").inner_text()
    assert associations.locator(".rounding").count() == 1
    visit.check()


def test_get_organisation_summarises_its_profile_as_the_graph_has_it(
    running: Running, visit: Visit
) -> None:
    page = visit.page
    page.goto(f"{running.url}/id/organisation/")
    page.get_by_role("link", name="La Ruche qui dit oui!", exact=True).click()
    page.wait_for_url("**/id/organisation/la-ruche-qui-dit-oui")
    ruche = "<https://w3id.org/partage/id/organisation/la-ruche-qui-dit-oui>"
    summary = page.locator("table.summary")

    def shown(field: str) -> set[str]:
        links = summary.locator(f'tr[data-field="{field}"] li > a:not(.quote-link)')
        return {links.nth(i).get_attribute("href") or "" for i in range(links.count())}

    for field, pattern in (
        ("sector", f"{ruche} pv:sector ?x"),
        ("legal_form", f"{ruche} pv:legalForm ?x"),
        ("approvals", f"{ruche} pv:statusMark ?x"),
        ("communities", f"{ruche} pv:hasCommunity ?x"),
        ("practices_short", f"?x pv:practisedBy {ruche}"),
        ("kind", f"[] a pv:Claim ; rdf:subject {ruche} ; rdf:predicate rdf:type ; rdf:object ?x"),
    ):
        expected = {local(row["x"]) for row in select(running, f"SELECT ?x WHERE {{ {pattern} }}")}
        assert expected and shown(field) == expected, field
    links = {
        row["x"]
        for row in select(
            running,
            f"SELECT ?x WHERE {{ {ruche} owl:sameAs|foaf:homepage|foaf:isPrimaryTopicOf ?x }}",
        )
    }
    assert shown("links") == links
    [codes] = select(
        running,
        f"""SELECT DISTINCT ?insee ?elf WHERE {{ {ruche} pv:legalForm ?form .
  ?form skos:notation ?insee . FILTER(DATATYPE(?insee) = pv:inseeLegalCategory)
  ?form skos:exactMatch ?gleif . FILTER(STRSTARTS(STR(?gleif), "https://rdf.gleif.org/"))
  BIND(STRAFTER(STR(?gleif), "/ELF-") AS ?elf) }}""",
    )
    form = summary.locator('tr[data-field="legal_form"]')
    assert form.locator(".detail-insee").inner_text() == f"INSEE {codes['insee']}"
    assert form.locator(".detail-elf").inner_text() == f"ELF {codes['elf']}"
    counts = select(
        running,
        f"""SELECT ?n WHERE {{ {ruche} pv:hasCommunity/pv:size ?count .
  ?count schema:value ?n }}""",
    )
    text = summary.locator('tr[data-field="communities"]').inner_text()
    assert {row["n"] for row in counts} == {"700", "5000"}
    assert all(row["n"] in text for row in counts)
    # each passage once in the evidence, however many claims rest on it
    quotes = page.locator("#evidence blockquote a")
    hrefs = [quotes.nth(i).get_attribute("href") for i in range(quotes.count())]
    assert len(hrefs) == len(set(hrefs)) > 1
    assert page.locator("#properties").count() == 1  # the generic table stays below
    visit.check()


def href_of(iri: str) -> str:
    """Where a page links `iri`: its local path if it is ours, else the IRI itself."""
    return path_of(iri, BASE) or iri


SUMMARIES = {
    "practice": (
        "practice/la-ruche-strategic-vote",
        {
            "organisation": "{r} pv:practisedBy ?x",
            "practice_kind": "{r} pv:practiceKind ?x",
            "status": "{r} pv:practiceStatus ?x",
            "communities": "{r} pv:involves ?x",
            "dimension": "{r} a ?x VALUES ?x {{ pv:PowerSharingPractice pv:ValueSharingPractice }}",
        },
    ),
    "legal_form": (
        "legal-form/sas",
        {
            "family": "{r} skos:broader ?x",
            "organisations": "?x pv:legalForm {r} ; a pv:Organisation",
            "findings": "?x a pv:Finding ; pv:concerns {r}",
        },
    ),
    "legal_family": (
        "legal-family/associations",
        {
            "forms": "{r} skos:narrower ?x",
            "organisations": "?x pv:legalForm/skos:broader {r} ; a pv:Organisation",
        },
    ),
    "finding": (
        "finding/financial-value-sharing-can-harm",
        {
            "concerns": "{r} pv:concerns ?x",
            "cases": "{r} pv:case ?x",
            "examples": "?x pv:illustrates {r} ; a pv:Organisation",
        },
    ),
    "category": (
        "category/flexible-interne-externe",
        {
            "power_model": "{r} pv:powerSharingModel ?x",
            "value_model": "{r} pv:valueSharingModel ?x",
            "sectors": "{r} pv:categorySector ?x",
            "community_size": "{r} pv:communitySize ?x",
            "traits": "{r} pv:characteristic ?x",
            "maturity": "{r} pv:maturity ?x",
            "organisation_kind": "{r} pv:correspondsTo ?x",
            "organisations": "?x pv:inCategory {r} ; a pv:Organisation",
        },
    ),
}
"""One resource of each kind with a summary, and the graph pattern of each linked field."""


@pytest.mark.parametrize("kind", list(SUMMARIES))
def test_get_resource_of_a_kind_summarises_it_as_the_graph_has_it(
    running: Running, visit: Visit, kind: str
) -> None:
    path, fields = SUMMARIES[kind]
    resource = f"<{BASE}id/{path}>"
    page = visit.page
    page.goto(f"{running.url}/id/{path}")
    section = page.locator("#summary")
    assert section.get_attribute("data-kind") == kind.replace("legal_family", "legal_form")
    summary = section.locator("table.summary")
    for field, pattern in fields.items():
        answer = select(running, "SELECT ?x WHERE { " + pattern.format(r=resource) + " }")
        expected = {href_of(row["x"]) for row in answer}
        links = summary.locator(f'tr[data-field="{field}"] li > a:not(.quote-link)')
        shown = {links.nth(i).get_attribute("href") or "" for i in range(links.count())}
        assert expected and shown == expected, field
    quotes = summary.locator("a.quote-link")
    assert quotes.count() > 0
    assert all(
        (quotes.nth(i).get_attribute("href") or "").startswith("/id/quote/")
        for i in range(quotes.count())
    )
    # each passage once in the evidence, however many facts rest on it
    passages = page.locator("#evidence blockquote a")
    hrefs = [passages.nth(i).get_attribute("href") for i in range(passages.count())]
    assert len(hrefs) == len(set(hrefs)) >= 1
    assert page.locator("#properties").count() == 1  # the generic table stays below
    visit.check()


def test_get_legal_form_shows_its_codes_and_share_as_the_graph_has_them(
    running: Running, visit: Visit
) -> None:
    page = visit.page
    page.goto(f"{running.url}/id/legal-form/sas")
    sas = f"<{BASE}id/legal-form/sas>"
    [codes] = select(
        running,
        f"""SELECT ?insee ?elf WHERE {{
  {sas} skos:notation ?insee . FILTER(DATATYPE(?insee) = pv:inseeLegalCategory)
  {sas} skos:exactMatch ?gleif . FILTER(STRSTARTS(STR(?gleif), "https://rdf.gleif.org/"))
  BIND(STRAFTER(STR(?gleif), "/ELF-") AS ?elf) }}""",
    )
    summary = page.locator("table.summary")
    assert summary.locator('tr[data-field="insee"] li span').first.inner_text() == codes["insee"]
    assert summary.locator('tr[data-field="elf"] li span').first.inner_text() == codes["elf"]
    [share] = select(
        running,
        f"""SELECT ?percentage ?written ?count ?population WHERE {{ ?o pv:legalStructure {sas} ;
  pv:percentage ?percentage ; pv:organisationCount ?count ; pv:population ?population .
  OPTIONAL {{ ?o pv:shareAsStated ?written }} }}""",
    )
    line = summary.locator('tr[data-field="share"] li')
    written = share.get("written", f"{share['percentage']} %")
    assert line.locator("span").first.inner_text() == written
    assert line.locator(".detail").inner_text() == f"{share['count']} / {share['population']}"
    visit.check()


COMPARED = ("france-barter", "la-louve", "la-ruche-qui-dit-oui")  # the listing's order
BASES = {
    "studyStatement": "study",
    "interpretation": "interpretation",
    "referenceFact": "reference",
}


def test_get_compare_sets_chosen_organisations_side_by_side(running: Running, visit: Visit) -> None:
    page = visit.page
    page.goto(f"{running.url}/id/organisation/")
    for slug in COMPARED:
        page.locator(f"#pick-{slug}").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_url("**/compare?*")
    assert page.url.endswith("?" + "&".join(f"o={slug}" for slug in COMPARED))
    table = page.locator("table.comparison")
    heads = table.locator("thead th[data-organisation]")
    assert [heads.nth(i).get_attribute("data-organisation") for i in range(3)] == list(COMPARED)
    for slug in COMPARED:
        subject = f"<https://w3id.org/partage/id/organisation/{slug}>"
        for field, predicate in (
            ("sector", "pv:sector"),
            ("legal_form", "pv:legalForm"),
            ("kind", "rdf:type"),
            ("category", "pv:inCategory"),
        ):
            answer = select(
                running,
                f"""SELECT ?value ?basis WHERE {{ ?claim a pv:Claim ; rdf:subject {subject} ;
  rdf:predicate {predicate} ; rdf:object ?value ; pv:basis ?basis }}""",
            )
            expected: dict[str, set[str]] = {}
            for row in answer:
                expected.setdefault(local(row["value"]), set()).add(
                    BASES[row["basis"].rsplit("#", 1)[1]]
                )
            cell = table.locator(f'tr[data-field="{field}"] td[data-organisation="{slug}"]')
            items = cell.locator("li")
            shown: dict[str, set[str]] = {}
            for i in range(items.count()):
                item = items.nth(i)
                href = item.locator("a:not(.quote-link)").first.get_attribute("href") or ""
                badges = item.locator(".badge")
                shown[href] = {badges.nth(j).inner_text() for j in range(badges.count())}
            assert shown == expected, (slug, field)
    download = page.locator("#download-csv").get_attribute("href") or ""
    text = httpx.get(running.url + download, timeout=30).text
    lines = text.splitlines()
    assert lines[0] == "Field,France Barter,La Louve,La Ruche qui dit oui!"
    assert any(line.startswith("Legal form,") and "INSEE 5710" in line for line in lines)
    visit.check()


def test_get_organisation_draws_its_neighbourhood(running: Running, visit: Visit) -> None:
    page = visit.page
    page.goto(f"{running.url}/id/organisation/la-ruche-qui-dit-oui")
    holder = page.locator("#graph-view")
    holder.wait_for(state="attached")
    page.wait_for_function("document.getElementById('graph-view').dataset.drawn !== undefined")
    data = page.evaluate("JSON.parse(document.getElementById('graph-data').textContent)")
    ids = {node["id"] for node in data["nodes"]}
    assert holder.get_attribute("data-drawn") == str(len(ids))
    ruche = "https://w3id.org/partage/id/organisation/la-ruche-qui-dit-oui"
    answer = select(
        running,
        f"""SELECT DISTINCT ?x WHERE {{
  {{ <{ruche}> ?p ?x }} UNION {{ ?x ?p <{ruche}> FILTER NOT EXISTS {{ ?x a pv:Claim }} }}
  FILTER(isIRI(?x) && ?p NOT IN (rdf:type, pv:evidence, prov:wasDerivedFrom, rdf:subject))
}}""",
    )
    neighbours = {row["x"] for row in answer}
    assert neighbours and neighbours <= ids
    assert ruche in ids
    for node in data["nodes"]:
        if node["id"] in neighbours and node["id"].startswith(BASE):
            assert node["href"] == local(node["id"])
    assert page.locator(".graph-links li").count() == len(data["edges"])
    visit.check()


def test_get_class_diagram_draws_the_ontology_classes(running: Running, visit: Visit) -> None:
    page = visit.page
    page.goto(f"{running.url}/ontology/classes")
    page.wait_for_function("document.getElementById('graph-view').dataset.drawn !== undefined")
    answer = select(
        running,
        """SELECT DISTINCT ?c WHERE { GRAPH ?g { ?c a owl:Class .
  { ?c rdfs:subClassOf ?d . ?d a owl:Class } UNION { ?d rdfs:subClassOf ?c . ?d a owl:Class }
  UNION { ?p a owl:ObjectProperty ; rdfs:domain ?c ; rdfs:range ?r . ?r a owl:Class }
  UNION { ?p a owl:ObjectProperty ; rdfs:range ?c ; rdfs:domain ?r . ?r a owl:Class } } }""",
    )
    data = page.evaluate("JSON.parse(document.getElementById('graph-data').textContent)")
    assert {node["id"] for node in data["nodes"]} == {row["c"] for row in answer}
    assert page.locator("#graph-view").get_attribute("data-drawn") == str(len(answer))
    visit.check()


BAR_QUERY = """#defaultView:BarChart
SELECT ?sector (COUNT(DISTINCT ?o) AS ?organisations)
WHERE { ?o pv:sector ?s . ?s rdfs:label ?sector . FILTER(LANG(?sector) = "en") }
GROUP BY ?sector ORDER BY DESC(?organisations) ?sector
"""
GRAPH_QUERY = """#defaultView:Graph
SELECT DISTINCT ?organisation ?form WHERE { ?organisation pv:legalForm ?form }
"""


def run_in_ui(page: Page, query: str) -> None:
    page.wait_for_function("window.kgYasgui !== undefined")
    page.evaluate(
        "q => { const tab = window.kgYasgui.getTab(); tab.setQuery(q); tab.query(); }",
        PROLOGUE + query,
    )


def test_get_home_page_is_accessible_and_links_the_views(running: Running, visit: Visit) -> None:
    page = visit.page
    page.goto(f"{running.url}/")
    page.wait_for_function("window.kgYasgui !== undefined")
    assert page.get_by_role("link", name="The study at a glance").count() == 1
    visit.check()


def test_query_ui_draws_a_bar_chart_when_the_query_asks(running: Running, visit: Visit) -> None:
    page = visit.page
    page.goto(f"{running.url}/")
    run_in_ui(page, BAR_QUERY)
    bars = page.locator(".kg-barchart svg g.bar")
    answer = select(running, BAR_QUERY)
    expect_count = len(answer)
    page.wait_for_function(
        f"document.querySelectorAll('.kg-barchart svg g.bar').length === {expect_count}"
    )
    drawn = [
        (bars.nth(i).get_attribute("data-label"), bars.nth(i).get_attribute("data-value"))
        for i in range(bars.count())
    ]
    assert drawn == [(row["sector"], row["organisations"]) for row in answer]
    widths = [
        float(bars.nth(i).locator("rect").get_attribute("width") or 0) for i in range(len(drawn))
    ]
    top = max(int(row["organisations"]) for row in answer)
    for width, row in zip(widths, answer, strict=True):
        assert width == round(int(row["organisations"]) / top * 380, 1)
    visit.check()


def test_query_ui_draws_a_graph_when_the_query_asks(running: Running, visit: Visit) -> None:
    page = visit.page
    page.goto(f"{running.url}/")
    run_in_ui(page, GRAPH_QUERY)
    page.wait_for_selector(".kg-graph[data-drawn]")
    answer = select(running, GRAPH_QUERY)
    nodes = {row["organisation"] for row in answer} | {row["form"] for row in answer}
    assert page.locator(".kg-graph").get_attribute("data-drawn") == str(len(nodes))
    visit.check()


EXAMPLES = Path(__file__).resolve().parents[2] / "queries" / "examples"


def test_query_ui_competency_question_tab_draws_its_bar_chart(
    running: Running, visit: Visit
) -> None:
    text = (EXAMPLES / "36-shares-largest-first.rq").read_text(encoding="utf-8")
    assert "\n#defaultView:BarChart\n" in text
    page = visit.page
    page.goto(f"{running.url}/")
    page.wait_for_function("window.kgYasgui !== undefined")
    page.locator('button.kg-example[data-slug="36-shares-largest-first"]').click()
    page.evaluate("() => window.kgYasgui.getTab().query()")
    answer = select(running, text)
    page.wait_for_function(
        f"document.querySelectorAll('.kg-barchart svg g.bar').length === {len(answer)}"
    )
    bars = page.locator(".kg-barchart svg g.bar")
    drawn = [
        (bars.nth(i).get_attribute("data-label"), bars.nth(i).get_attribute("data-value"))
        for i in range(bars.count())
    ]
    assert drawn == [(row["structure"], row["percentage"]) for row in answer]
    visit.check()


def test_french_reader_gets_the_nav_compare_button_and_chart_buttons_in_french(
    running: Running, browser: Browser
) -> None:
    visit = Visit(browser, "fr-FR")
    try:
        page = visit.page
        page.goto(f"{running.url}/id/organisation/")
        nav = page.get_by_role("navigation", name="Partage KG")
        assert nav.get_by_role("link", name="Toutes les ressources").count() == 1
        assert page.get_by_role("button", name="Comparer", exact=True).count() == 1
        visit.check()
        page.goto(f"{running.url}/")
        run_in_ui(page, BAR_QUERY)
        page.wait_for_selector(".kg-barchart svg g.bar")
        assert page.locator(".yasr_header").get_by_text("Diagramme en barres").count() >= 1
        assert page.locator(".kg-barchart figcaption").inner_text().startswith("organisations par ")
        visit.check()
    finally:
        visit.close()


PICK_NODE = """holder => {
  const cy = holder._cyreg.cy;
  const nodes = cy.nodes();
  const apart = (node) => nodes.every((other) => other === node
    || Math.hypot(other.renderedPosition().x - node.renderedPosition().x,
                  other.renderedPosition().y - node.renderedPosition().y) > 24);
  const inside = (p) => p.x > 10 && p.y > 10 && p.x < cy.width() - 10 && p.y < cy.height() - 10;
  const node = nodes.filter((n) => n.data("href") && n.data("centre") !== "yes"
    && n.data("href").startsWith("/") && apart(n) && inside(n.renderedPosition()))[0];
  return node ? { id: node.id(), href: node.data("href"), ...node.renderedPosition() } : null;
}"""
"""A neighbour with a page of ours, drawn apart from the others and inside the frame."""


def test_click_on_a_node_of_the_graph_view_opens_its_page(running: Running, visit: Visit) -> None:
    page = visit.page
    page.goto(f"{running.url}/id/legal-form/sas")
    page.wait_for_function("document.getElementById('graph-view').dataset.drawn !== undefined")
    holder = page.locator("#graph-view")
    holder.scroll_into_view_if_needed()
    picked = holder.evaluate(PICK_NODE)
    assert picked is not None
    assert picked["href"] == local(picked["id"])
    box = holder.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + picked["x"], box["y"] + picked["y"])
    page.wait_for_url(f"**{picked['href']}")
    assert page.locator("article.resource").get_attribute("data-iri") == picked["id"]
    visit.check()
