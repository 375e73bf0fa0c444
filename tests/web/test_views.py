"""The views of issue #13 over HTTP, without a browser: what a reader without JavaScript gets
(every table a chart draws is in the HTML), in both languages, escaped, under the policy."""

from __future__ import annotations

import re

import httpx
from markupsafe import escape

from kg.web.views.texts import TEXTS

STUDY = "/id/study/partage-pouvoir-valeur"


def test_texts_have_the_same_keys_in_both_languages() -> None:
    assert TEXTS["fr"].keys() == TEXTS["en"].keys()


def test_get_study_page_holds_its_tables_without_script(client: httpx.Client) -> None:
    response = client.get(STUDY, headers={"accept": "text/html", "accept-language": "fr"})
    assert response.status_code == 200
    page = response.text
    # scripts only from our server, or data blocks: nothing inline for the policy to allow
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'src="/views/' in tag or 'type="application/json"' in tag, tag
    assert escape(TEXTS["fr"]["at_a_glance"]) in page
    for table in ("typology", "statistics", "counts"):
        assert f'<table class="{table}"' in page
    assert ">consultatif</a>" in page and ">distribué</a>" in page
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_get_study_page_in_english_labels_the_table_in_english(client: httpx.Client) -> None:
    response = client.get(STUDY, headers={"accept": "text/html", "accept-language": "en"})
    assert escape(TEXTS["en"]["typology"]) in response.text
    assert ">consultative</a>" in response.text


def test_get_compare_one_organisation_is_a_bad_request(client: httpx.Client) -> None:
    response = client.get("/compare", params={"o": "la-louve"})
    assert response.status_code == 400
    assert 'role="alert"' in response.text


def test_get_compare_seven_organisations_is_a_bad_request(client: httpx.Client) -> None:
    slugs = ["la-louve", "mutum", "smiile", "hopwork", "ouishare", "makesense", "blablacar"]
    assert client.get("/compare", params={"o": slugs}).status_code == 400


def test_get_compare_unknown_or_malformed_organisation_is_not_found(client: httpx.Client) -> None:
    assert client.get("/compare", params={"o": ["la-louve", "nobody"]}).status_code == 404
    assert client.get("/compare", params={"o": ["la-louve", "<x>"]}).status_code == 400


def test_get_compare_as_csv_is_an_attachment(client: httpx.Client) -> None:
    response = client.get(
        "/compare", params={"o": ["la-louve", "mutum"]}, headers={"accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.splitlines()[0] == "Field,La Louve,Mutum"


def test_get_practice_legal_form_finding_category_pages_open_with_a_summary(
    client: httpx.Client,
) -> None:
    for path, field in (
        ("/id/practice/la-ruche-strategic-vote", "communities"),
        ("/id/legal-form/sas", "family"),
        ("/id/finding/financial-value-sharing-can-harm", "examples"),
        ("/id/category/flexible-interne-externe", "power_model"),
    ):
        response = client.get(path, headers={"accept": "text/html", "accept-language": "fr"})
        page = response.text
        assert response.status_code == 200
        assert (
            page.index('id="summary"') < page.index('id="evidence"') < page.index('id="properties"')
        )
        assert f'<tr data-field="{field}"><th scope="row">{escape(TEXTS["fr"][field])}</th>' in page


def test_get_listing_in_french_names_its_nav_and_compare_button_in_french(
    client: httpx.Client,
) -> None:
    french = client.get(
        "/id/organisation/", headers={"accept": "text/html", "accept-language": "fr"}
    )
    assert '<a href="/id/">Toutes les ressources</a>' in french.text
    assert '<a href="/ontology/classes">Diagramme des classes</a>' in french.text
    assert f'<button type="submit">{TEXTS["fr"]["compare"]}</button>' in french.text
    english = client.get(
        "/id/organisation/", headers={"accept": "text/html", "accept-language": "en"}
    )
    assert '<a href="/id/">All resources</a>' in english.text
    assert f'<button type="submit">{TEXTS["en"]["compare"]}</button>' in english.text
