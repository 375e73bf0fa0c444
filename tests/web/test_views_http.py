"""The views' own routes over HTTP, on the session's server: the scripts they serve and the
class diagram's page, without a browser."""

from __future__ import annotations

import httpx


def test_a_view_script_is_served_with_its_media_type(client: httpx.Client) -> None:
    answer = client.get("/views/cytoscape.min.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")


def test_a_name_that_is_no_view_asset_is_not_found(client: httpx.Client) -> None:
    assert client.get("/views/package.json").status_code == 404


def test_the_class_diagram_page_names_the_ontology_classes(client: httpx.Client) -> None:
    answer = client.get("/ontology/classes", headers={"accept": "text/html"})
    assert answer.status_code == 200
    assert "Organisation" in answer.text
