"""Screenshots of the views of issue #13 for the README, taken from a running server.

    .venv/bin/python tests/web/screenshots.py [--store .kg/store] [--out docs/screenshots]

Starts `kg serve` on the store (in-process engine, a free port on 127.0.0.1), opens each view
in Debian's Chromium (as the browser tests do) and writes one PNG per view; run it again after
a change to a view, and commit the images it rewrites.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from chromium import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
KG = str(Path(sys.executable).parent / "kg")
CHART_QUERY = """#defaultView:BarChart
PREFIX pv: <https://w3id.org/partage/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?sector (COUNT(DISTINCT ?organisation) AS ?organisations)
WHERE {
  ?organisation pv:sector ?s . ?s rdfs:label ?sector .
  FILTER(LANG(?sector) = "en")
}
GROUP BY ?sector ORDER BY DESC(?organisations) ?sector
"""
SHOTS: tuple[tuple[str, str, str], ...] = (
    ("study.png", "/id/study/partage-pouvoir-valeur", "#typology"),
    ("legal-forms.png", "/id/study/partage-pouvoir-valeur", "#legal-forms"),
    ("profile.png", "/id/organisation/la-ruche-qui-dit-oui", "#profile .summary-box"),
    (
        "compare.png",
        "/compare?o=france-barter&o=la-louve&o=la-ruche-qui-dit-oui&o=makesense",
        "table.comparison",
    ),
    ("graph.png", "/id/organisation/la-ruche-qui-dit-oui", "#graph"),
    ("classes.png", "/ontology/classes", "#graph-view"),
)
"""(file, path, the element to photograph)."""


def serve(store: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`kg serve` on `store`, once it answers; the caller terminates it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    command = [KG, "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store)]
    process = subprocess.Popen(
        [*command, "--root", str(ROOT)],
        env={**env, "KG_ENGINE": "inline"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/sparql", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"kg serve did not answer on {url}")


def shoot(page: Page, url: str, out: Path) -> None:
    """One PNG per entry of `SHOTS`, then the query page with a bar chart."""
    for name, path, selector in SHOTS:
        page.goto(url + path)
        if "#graph" in selector:
            page.wait_for_selector("#graph-view[data-drawn]")
        page.locator(selector).first.screenshot(path=str(out / name))
        print(out / name)
    page.goto(url + "/")
    page.wait_for_function("window.kgYasgui !== undefined")
    page.evaluate(
        "q => { const tab = window.kgYasgui.getTab(); tab.setQuery(q); tab.query(); }",
        CHART_QUERY,
    )
    page.wait_for_selector(".kg-barchart svg g.bar")
    page.screenshot(path=str(out / "query-chart.png"))
    print(out / "query-chart.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / ".kg" / "store")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    process, url = serve(arguments.store)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(locale="en-GB", viewport={"width": 1200, "height": 800})
            shoot(page, url, arguments.out)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=15)


if __name__ == "__main__":
    main()
