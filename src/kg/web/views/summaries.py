"""Which view goes at the top of a resource's page, chosen by the resource's class.

`kg.web.pages.resource_response` asks `views` for the resource it describes; the generic
property table stays below whatever view is shown (issue #13: "the generic property table
stays below for completeness").
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.namespaces import PV
from kg.web.state import AppState
from kg.web.views import graphs, kinds, profiles, study
from kg.web.views.select import bound, query_text, select
from kg.web.views.texts import TEXTS


@dataclass(frozen=True)
class Summary:
    """A view for the page: its template (under templates/) and what it shows."""

    template: str
    view: object
    texts: dict[str, str]


async def views(state: AppState, iri: str, language: str) -> list[Summary]:
    """The views for the page of `iri` (checked by `kg.web.paths.iri_of`): the summary its
    classes call for, if any (the study's, an organisation's profile, or that of a practice,
    legal form or family, finding or category), then its neighbourhood."""
    rows = await select(state, bound(query_text("types"), "resource", [iri]))
    types = {row["type"] for row in rows}
    texts = TEXTS[language]
    shown = []
    if PV.Study in types:
        shown.append(Summary("views/study.html", await study.glance(state, language), texts))
    elif PV.Organisation in types:
        [found] = await profiles.profiles(state, [iri], language)
        shown.append(Summary("views/profile.html", found, texts))
    elif (kind := kinds.kind_of(types)) is not None:
        summarised = await kinds.summary(state, iri, kind, language)
        shown.append(Summary("views/profile.html", summarised, texts))
    graph = await graphs.neighbourhood(state, iri, language)
    shown.append(Summary("views/graph.html", graph, texts))
    return shown
