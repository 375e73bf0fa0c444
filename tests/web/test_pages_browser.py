"""The linked-data pages in Debian's Chromium: follow links from an organisation to its legal
form; external links are listed, never followed; no request leaves 127.0.0.1."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlsplit

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


class Running(Protocol):
    url: str


@pytest.fixture(scope="module")
def base_url(server: Running) -> str:
    """The session's server, over the store as `kg build` writes it (validation report, docs,
    dumps)."""
    return server.url


def test_get_pages_follows_links_to_legal_form(base_url: str) -> None:
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="en-GB")
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{base_url}/id/organisation/la-ruche-qui-dit-oui")
            assert page.locator('#external-links a[href*="dbpedia.org"]').count() >= 1
            assert page.locator('#external-links a[href*="wikipedia.org"]').count() >= 1
            page.locator('a[href="/id/legal-form/sas"]').first.click()
            page.wait_for_url("**/id/legal-form/sas")
            assert page.locator("h1").inner_text().startswith("SAS")
            assert "5710" in page.locator("#properties").inner_text()
            elf = page.locator('a.external[href="https://rdf.gleif.org/EntityLegalForm/ELF-6CHY"]')
            assert elf.count() == 1
            assert "nofollow" in (elf.get_attribute("rel") or "")
        finally:
            browser.close()
    hosts = {urlsplit(url).hostname for url in requested}
    assert hosts == {"127.0.0.1"}, requested
