"""Organisations side by side (`/compare?o=<slug>&o=<slug>…`): the profiles' fields in a table,
each cell with its basis (study, interpretation, reference) and passages, as HTML or CSV.

Chosen from the Organisations listing (its form sends `o`, two to six times); the query string
is the permalink. CSV (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180) comes with
`?format=csv` or `Accept: text/csv`: one row per field, one column per organisation, each cell
its values with their bases in brackets.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kg.web import pages
from kg.web.dependencies import StateDep
from kg.web.headers import security_headers
from kg.web.paths import iri_of
from kg.web.views.profiles import FIELDS, Profile, Value, profiles
from kg.web.views.select import bound, query_text, select
from kg.web.views.texts import TEXTS

PATH = "/compare"
SLUG = re.compile(r"^[A-Za-z0-9_-]+$")
FEWEST, MOST = 2, 6
"""How many organisations a comparison holds (issue #13: "choose 2–6 organisations")."""

router = APIRouter(tags=["views"])


@router.api_route(PATH, methods=["GET", "HEAD"], include_in_schema=False)
async def compare(request: Request, state: StateDep) -> Response:
    """The comparison of the organisations `o` names, as HTML or CSV."""
    language = pages.preferred_language(request.headers.get("accept-language"))
    texts = TEXTS[language]
    slugs = list(dict.fromkeys(request.query_params.getlist("o")))
    iris = [iri_of(f"/id/organisation/{slug}", state.settings.base_iri) for slug in slugs]
    chosen = [iri for slug, iri in zip(slugs, iris, strict=True) if SLUG.match(slug) and iri]
    if not FEWEST <= len(chosen) == len(slugs) <= MOST:
        return _page(texts, language, [], slugs, status=400)
    known = await select(state, bound(query_text("organisations"), "organisation", chosen))
    if len(known) != len(chosen):
        return _page(texts, language, [], slugs, status=404)
    found = await profiles(state, chosen, language)
    wants_csv = request.query_params.get("format") == "csv" or (
        "text/csv" in request.headers.get("accept", "")
    )
    if wants_csv:
        return Response(
            table_csv(found, texts),
            media_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": 'attachment; filename="comparison.csv"',
                "vary": "accept, accept-language",
            },
        )
    return _page(texts, language, found, slugs)


def _page(
    texts: dict[str, str],
    language: str,
    found: list[Profile],
    slugs: Sequence[str],
    status: int = 200,
) -> Response:
    query = urlencode([("o", slug) for slug in slugs])
    html = (
        pages.templates_environment()
        .get_template("views/compare.html")
        .render(
            t=texts,
            language=language,
            profiles=found,
            fields=[key for key, _ in FIELDS],
            slugs=slugs,
            csv_link=f"{PATH}?{query}&format=csv",
            status=status,
        )
    )
    headers = {"vary": "accept, accept-language", **security_headers()}
    return HTMLResponse(html, status_code=status, headers=headers)


def table_csv(found: list[Profile], texts: dict[str, str]) -> str:
    """The comparison as CSV: a header of organisations, then one row per field."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([texts["field"], *(p.organisation.text for p in found)])
    for index, (key, _) in enumerate(FIELDS):
        cells = []
        for profile in found:
            values = profile.fields[index].values
            cells.append("; ".join(cell_text(v, texts) for v in values))
        writer.writerow([texts[key], *cells])
    return out.getvalue()


def cell_text(value: Value, texts: dict[str, str]) -> str:
    """A value as a CSV cell writes it: `SAS (INSEE 5710, ELF 6CHY) [interpretation]`."""
    text = value.term.text
    if value.details:
        details = (d if kind == "count" else f"{texts[kind]} {d}" for kind, d in value.details)
        text = f"{text} ({', '.join(details)})"
    if value.bases:
        text = f"{text} [{', '.join(texts[b] for b in value.bases)}]"
    return text
