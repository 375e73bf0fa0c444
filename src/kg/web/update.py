"""SPARQL 1.1 Update over the protocol, https://www.w3.org/TR/sparql11-protocol/#update-operation,
for whoever holds the admin token.

Off unless the server has an admin token (`kg serve --admin-token`, better KG_ADMIN_TOKEN):
`kg.web.app` then makes `update` the state's update handler, so `kg.web.sparql` hands over
every update POSTed to /sparql (form-encoded `update=` or application/sparql-update; an update
sent by GET is refused before it gets here), and /sparql answers 403 to updates while there is
none.

A request proves itself with the admin's bearer token (`kg.web.dependencies.authorise`).

An update that reaches outside the store is refused before it runs: LOAD always (the data can
be PUT to the Graph Store Protocol instead), SERVICE unless `--service-allow` lists the endpoint
(`kg.federation`). The update is then one edit of the store (`kg.web.edits`): 204 when it is
written, or nothing written and 422 with the SHACL report (Turtle, or our JSON or text by
Accept) when it breaks the shapes.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from kg.engine.errors import ForbiddenService
from kg.federation import forbidden
from kg.sparql_update import parse_update, run_update
from kg.web.dependencies import authorise
from kg.web.edits import commit, written
from kg.web.errors import UpdateRefused
from kg.web.state import AppState


async def update(
    request: Request,
    state: AppState,
    text: str,
    using: tuple[str, ...],
    using_named: tuple[str, ...],
) -> Response:
    """Run one update (https://www.w3.org/TR/sparql11-protocol/#update-operation)."""
    authorise(request, state.settings)
    settings = state.settings
    parsed = await asyncio.to_thread(parse_update, text, settings.base_iri, using, using_named)
    if parsed.loads:
        raise UpdateRefused(
            f"LOAD is not run here ({', '.join(parsed.loads)}): "
            "PUT the document to /rdf-graphs/service?graph=<iri> instead"
        )
    if refused := forbidden(parsed.services, settings.service_allow):
        raise ForbiddenService(f"SERVICE is not allowed to {', '.join(refused)}")
    return written(await commit(state, run_update(parsed)))
