"""A remote store's URLs, as `kg.remote.client.Endpoints` reads them from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.config import Settings
from kg.errors import UsageError
from kg.remote.client import Endpoints


def _settings(tmp_path: Path, **values: str) -> Settings:
    return Settings(root=tmp_path, store=tmp_path / "store", **values)


def test_credentials_in_the_store_url_are_refused_with_where_they_go(tmp_path: Path) -> None:
    settings = _settings(tmp_path, store_url="http://dba:secret@127.0.0.1:8890/sparql")
    with pytest.raises(UsageError, match="KG_STORE_USER and KG_STORE_PASSWORD"):
        Endpoints.of(settings)


def test_the_update_and_graph_store_urls_default_beside_the_query_one(tmp_path: Path) -> None:
    endpoints = Endpoints.of(
        _settings(tmp_path, store_url="http://127.0.0.1:7878/query", store_profile="oxigraph")
    )
    assert endpoints.update == "http://127.0.0.1:7878/update"
    assert endpoints.gsp == "http://127.0.0.1:7878/store"
