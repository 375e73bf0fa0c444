"""Which view goes at the top of a resource's page, chosen by the resource's class.

`kg.web.pages.resource_response` asks `summary` for the resource it describes; the generic
property table stays below whatever view is shown (issue #13: "the generic property table
stays below for completeness").
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.namespaces import PV
from kg.web.state import AppState
from kg.web.views import profiles, study
from kg.web.views.select import bound, query_text, select
from kg.web.views.texts import TEXTS


@dataclass(frozen=True)
class Summary:
    """A view for the page: its template (under templates/) and what it shows."""

    template: str
    view: object
    texts: dict[str, str]


async def summary(state: AppState, iri: str, language: str) -> Summary | None:
    """The view for the resource `iri` (checked by `kg.web.paths.iri_of`), by its classes;
    None if no view fits."""
    rows = await select(state, bound(query_text("types"), "resource", [iri]))
    types = {row["type"] for row in rows}
    texts = TEXTS[language]
    if PV.Study in types:
        return Summary("views/study.html", await study.glance(state, language), texts)
    if PV.Organisation in types:
        [found] = await profiles.profiles(state, [iri], language)
        return Summary("views/profile.html", found, texts)
    return None
