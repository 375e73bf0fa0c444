"""An edit of the store as both write protocols make it (SPARQL Update, `kg.web.update`, and the
Graph Store Protocol, `kg.web.graph_store`): one `kg.updates.edit_store`, and its answer.

The edit runs in a thread (it takes seconds): 204 when it is written, or nothing written and an
error (422 with the SHACL report when it breaks the shapes: `kg.web.errors`). The answer names
the release written in X-KG-Content-Hash.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.responses import Response

from kg.updates import Edit, Outcome, edit_served_store
from kg.web.headers import CONTENT_HASH, RELEASE
from kg.web.state import AppState

log = logging.getLogger("kg.web")


async def commit(state: AppState, edit: Edit) -> Outcome:
    """Apply `edit` to the store, in a thread; the app sees the new release at once."""
    settings = state.settings
    # With a remote store, the release is published there first (`kg.updates.edit_served_store`).
    outcome = await asyncio.to_thread(edit_served_store, settings, edit)
    if outcome.changed:
        # The engine looks at the manifest at most every fraction of a second: look now, so
        # that the next request here is answered (and cached) under the release just written.
        state.engine.look_again()
        names = ", ".join(f"<{name}>" for name in sorted(outcome.changed))
        log.info("edit written: %s; content hash %s", names, outcome.manifest.content_hash)
    return outcome


def written(outcome: Outcome, status: int = 204) -> Response:
    """The answer to an edit done: no body, the release it wrote (or left) in the headers."""
    manifest = outcome.manifest
    headers = {RELEASE: manifest.version, CONTENT_HASH: manifest.content_hash or ""}
    return Response(status_code=status, headers=headers)
