"""What the `kg` commands share to reach a remote store: its settings and recovery advice.

Kept apart from the commands so `kg build`, `kg load` and `kg validate` say the same thing,
and free of Typer so the core never imports the command line.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from kg.config import Settings
from kg.remote.publish import SwapStateUnknownError

STORE_URL_HELP = (
    "SPARQL query endpoint of a remote store to publish to (KG_STORE_URL); "
    "KG_STORE_PROFILE, KG_STORE_UPDATE_URL, KG_STORE_GSP_URL and credentials from the environment."
)


def remote_settings(config: Settings, store_url: str | None) -> Settings | None:
    """`config` with `--store-url` applied; None when no remote store is asked for."""
    url = store_url or config.store_url
    return config.model_copy(update={"store_url": url}) if url else None


def recovery(error: SwapStateUnknownError, config: Settings, finish: str) -> str:
    """The error and the two commands that end its unknown state: finish, or roll back."""
    url, store = shlex.quote(config.store_url or ""), shlex.quote(str(config.store))
    back = f"kg load --store-url {url} --store {store}"
    return (
        f"{error}\n"
        f"  finish it:    {finish} (publishes release {error.record.label} again)\n"
        f"  roll it back: {back} (publishes again the release {Path(store)} still holds)"
    )
