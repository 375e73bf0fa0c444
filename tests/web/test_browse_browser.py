"""From the home page to an organisation, its legal form and the codes and links about them, in
Debian's Chromium: click by click, following only our own links; no request leaves 127.0.0.1."""

from __future__ import annotations

import re
from typing import Protocol
from urllib.parse import urlsplit

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import expect, sync_playwright

SAS = re.compile(r"^SAS\b")
ELF = "https://rdf.gleif.org/EntityLegalForm/ELF-6CHY"
DBPEDIA = "http://dbpedia.org/resource/The_Food_Assembly"
WIKIPEDIA = "https://en.wikipedia.org/wiki/The_Food_Assembly"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


class Running(Protocol):
    url: str


def test_browse_from_home_to_legal_form_codes_and_links(server: Running) -> None:
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="en-GB")
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{server.url}/")
            page.get_by_role("link", name="Organisations", exact=True).click()
            page.wait_for_url("**/id/organisation/")
            expect(page.locator("#members a")).to_have_count(15)

            page.get_by_role("link", name="La Ruche qui dit oui!", exact=True).click()
            page.wait_for_url("**/id/organisation/la-ruche-qui-dit-oui")
            assert page.locator("h1").inner_text().startswith("La Ruche qui dit oui!")

            # "SAS (simplified joint-stock company)" in English; not "SASU"
            legal_form = page.locator("#properties").get_by_role("link", name=SAS)
            assert legal_form.first.get_attribute("href") == "/id/legal-form/sas"
            legal_form.first.click()
            page.wait_for_url("**/id/legal-form/sas")
            assert page.locator("h1").inner_text().startswith("SAS")
            assert "5710" in page.locator("#properties").inner_text()
            assert page.locator(f'a[href="{ELF}"]').count() >= 1

            page.go_back()
            page.wait_for_url("**/id/organisation/la-ruche-qui-dit-oui")
            for target in (DBPEDIA, WIKIPEDIA):
                link = page.locator(f'a[href="{target}"]')
                assert link.count() >= 1, target
                assert "nofollow" in (link.first.get_attribute("rel") or "")
        finally:
            browser.close()
    assert requested, "the browser made no request"
    outside = [url for url in requested if urlsplit(url).hostname != "127.0.0.1"]
    assert outside == []
