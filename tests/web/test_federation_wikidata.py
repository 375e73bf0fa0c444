"""queries/federation/wikidata-sitelinks.rq, run through `kg serve` against a stand-in for
Wikidata's query service on 127.0.0.1 (tests/data/links/standin.py): no test leaves the machine.

The query text is the committed file's, with only its SERVICE IRI replaced by the stand-in's URL.
The stand-in serves tests/data/links/wikidata-sitelinks.ttl, whose Q-ids are fake.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
QUERY = ROOT / "queries" / "federation" / "wikidata-sitelinks.rq"
LINKS = ROOT / "tests" / "data" / "links"
STANDIN = LINKS / "standin.py"
FIXTURE = LINKS / "wikidata-sitelinks.ttl"
WIKIDATA = "https://query.wikidata.org/sparql"
ORGANISATION = "https://w3id.org/partage/id/organisation/"
ENTITY = "http://www.wikidata.org/entity/"


class StandIn:
    """The stand-in endpoint: its SPARQL URL and the requests it has logged."""

    def __init__(self, endpoint: str, log: Path) -> None:
        self.endpoint = endpoint
        self.log = log

    def requests(self) -> list[dict[str, str]]:
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line]


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    log = tmp_path_factory.mktemp("wikidata-standin") / "requests.jsonl"
    command = [sys.executable, str(STANDIN), str(FIXTURE), "--log", str(log)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield StandIn(f"http://127.0.0.1:{port}/sparql", log)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def query(standin: StandIn) -> str:
    """The committed query, calling the stand-in instead of Wikidata."""
    text = QUERY.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert body.count(WIKIDATA) == 1  # one SERVICE call, to Wikidata
    return text.replace(WIKIDATA, standin.endpoint)


@pytest.fixture(scope="module")
def federating(built_store: Path, launch_for_module: Any, standin: StandIn) -> Any:
    return launch_for_module(
        built_store, "--workers", "1", "--service-allow", standin.endpoint, "--timeout", "20"
    )


def rows(response: httpx.Response) -> list[dict[str, str]]:
    bindings = response.json()["results"]["bindings"]
    return [{name: term["value"] for name, term in row.items()} for row in bindings]


def test_query_file_is_documented() -> None:
    header = [line for line in QUERY.read_text(encoding="utf-8").splitlines() if line[:1] == "#"]
    text = "\n".join(header)
    for key in ("# title:", "# title@fr:", "# description:"):
        assert key in text
    assert f"--service-allow {WIKIDATA}" in text
    assert "live Wikidata" in text


def test_federated_query_joins_our_articles_with_the_standin_items(
    federating: Any, standin: StandIn, query: str
) -> None:
    response = httpx.post(
        federating.endpoint,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert rows(response) == [
        {
            "organisation": ORGANISATION + "blablacar",
            "name": "BlaBlaCar",
            "article": "https://en.wikipedia.org/wiki/BlaBlaCar",
            "item": ENTITY + "Q999000102",
            "itemLabel": "BlaBlaCar (test)",
        },
        {
            "organisation": ORGANISATION + "la-ruche-qui-dit-oui",
            "name": "La Ruche qui dit oui!",
            "article": "https://en.wikipedia.org/wiki/The_Food_Assembly",
            "item": ENTITY + "Q999000101",
            "itemLabel": "The Food Assembly (test)",
            "founded": "1900-01-01T00:00:00Z",
        },
    ]
    # The SERVICE pattern really went to the stand-in (and nothing went to Wikidata).
    sent = standin.requests()
    assert sent
    assert all(request["path"] == "/sparql" for request in sent)
    assert any("schema.org/about" in request["query"] for request in sent)


def test_federated_query_refused_without_the_allowlist(
    server: Any, standin: StandIn, query: str
) -> None:
    before = len(standin.requests())
    response = httpx.post(server.endpoint, data={"query": query}, timeout=30)
    assert response.status_code == 400
    assert "SERVICE" in response.text
    assert standin.endpoint in response.text
    assert len(standin.requests()) == before
