"""Content negotiation: the pure rules (kg.web.negotiation), then the endpoint's answers.

RFC 9110 Accept (https://www.rfc-editor.org/rfc/rfc9110#name-accept) with q-values, and the
`format` parameter; SPARQL 1.1 Protocol #query-success for the formats of each query form.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pytest
from rdflib import Dataset, Graph

from kg.engine import answers
from kg.web import negotiation
from kg.web.negotiation import DESCRIPTION_FORMATS, GRAPH_FORMATS, RESULTS_FORMATS, choose

SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
SELECT = "SELECT ?o ?label WHERE { ?o a pv:Platform ; rdfs:label ?label } ORDER BY ?o ?label"
CONSTRUCT = "CONSTRUCT WHERE { ?o a pv:Platform ; rdfs:label ?label }"


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        (None, None, SRJ),
        ("", None, SRJ),
        ("*/*", None, SRJ),
        ("text/*", None, "text/csv"),
        ("text/tab-separated-values", None, "text/tab-separated-values"),
        ("application/json", None, SRJ),
        ("application/xml", None, SRX),
        (f"{SRJ};q=0.5, {SRX};q=0.9", None, SRX),
        (f"{SRX};q=0, */*;q=0.1", None, SRJ),
        (f"text/csv;q=0.2, {SRJ};q=0.2", None, SRJ),  # tie: the server's order
        (
            "text/*;q=0.3, text/csv;q=0.9, text/tab-separated-values",
            None,
            "text/tab-separated-values",
        ),
        ("text/csv;q=0, text/*", None, "text/tab-separated-values"),
        ("image/png", None, None),
        ("garbage", None, SRJ),  # malformed ranges are ignored: as if no Accept
        ("text/html", "csv", "text/csv"),  # format wins over Accept
        (None, "TSV", "text/tab-separated-values"),
        (None, SRX, SRX),
        (None, "turtle", None),
        (None, "nonsense", None),
    ],
)
def test_choose_results_format(accept: str | None, fmt: str | None, expected: str | None) -> None:
    chosen = choose(accept, fmt, RESULTS_FORMATS)
    assert (chosen.media_type if chosen else None) == expected


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        (None, None, "text/turtle"),
        ("application/json", None, "application/ld+json"),
        ("application/rdf+xml;q=0.8, application/n-triples", None, "application/n-triples"),
        ("text/csv", None, None),
        (None, "xml", "application/rdf+xml"),
        (None, "nq", "application/n-quads"),
        (None, "trig", "application/trig"),
        (None, "jsonld", "application/ld+json"),
    ],
)
def test_choose_graph_format(accept: str | None, fmt: str | None, expected: str | None) -> None:
    chosen = choose(accept, fmt, GRAPH_FORMATS)
    assert (chosen.media_type if chosen else None) == expected


def test_parse_accept_reads_q_and_skips_malformed() -> None:
    ranges = negotiation.parse_accept("text/turtle;q=0.5, bad, */html, application/*;q=x, */*")
    assert ranges == (("text", "turtle", 0.5), ("application", "*", 0.0), ("*", "*", 1.0))


def test_worker_writes_every_format_negotiation_offers() -> None:
    assert set(answers.RESULTS_TYPES) == {f.media_type for f in RESULTS_FORMATS}
    assert set(answers.GRAPH_TYPES) == {f.media_type for f in GRAPH_FORMATS}
    assert {f.media_type for f in DESCRIPTION_FORMATS} <= {f.media_type for f in GRAPH_FORMATS}


def test_mark_truncated_adds_link_to_json_and_xml_heads() -> None:
    body = negotiation.mark_truncated(
        b'{"head":{"vars":["a"]},"results":{"bindings":[]}}', SRJ, "http://x/sparql"
    )
    assert json.loads(body)["head"] == {"link": ["http://x/sparql"], "vars": ["a"]}
    xml = b'<sparql><head><variable name="a"/></head><results/></sparql>'
    marked = negotiation.mark_truncated(xml, SRX, "http://x/?a&b")
    assert ET.fromstring(marked).find("head/link").get("href") == "http://x/?a&b"  # type: ignore[union-attr]


# The endpoint
def rows_of(response: httpx.Response) -> list[tuple[str, str]]:
    """(organisation IRI, label) rows, whatever the results format."""
    kind = response.headers["content-type"].split(";")[0]
    if kind == SRJ:
        return [
            (b["o"]["value"], b["label"]["value"]) for b in response.json()["results"]["bindings"]
        ]
    if kind == SRX:
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        rows = []
        for result in ET.fromstring(response.content).iterfind("r:results/r:result", ns):
            values = {
                b.get("name"): "".join(b.itertext()) for b in result.iterfind("r:binding", ns)
            }
            rows.append((values["o"], values["label"]))
        return rows
    if kind == "text/csv":
        reader = csv.DictReader(io.StringIO(response.text))
        return [(row["o"], row["label"]) for row in reader]
    assert kind == "text/tab-separated-values"
    lines = response.text.splitlines()
    assert lines[0] == "?o\t?label"
    rows = []
    for line in lines[1:]:
        iri, literal = line.split("\t")
        rows.append((iri[1:-1], literal[1 : literal.rindex('"')]))
    return rows


@pytest.mark.parametrize("media_type", [f.media_type for f in RESULTS_FORMATS])
def test_get_query_select_each_results_format_by_accept(
    client: httpx.Client, media_type: str
) -> None:
    reference = rows_of(client.get("/sparql", params={"query": SELECT}))
    response = client.get("/sparql", params={"query": SELECT}, headers={"accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["vary"] == "accept"
    assert rows_of(response) == reference
    assert len(reference) >= 6


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_get_query_select_each_results_format_by_format_param(
    client: httpx.Client, fmt: str
) -> None:
    response = client.get(
        "/sparql", params={"query": SELECT, "format": fmt}, headers={"accept": "image/png"}
    )
    assert response.status_code == 200
    assert len(rows_of(response)) >= 6


@pytest.mark.parametrize("media_type", [SRJ, SRX, "text/csv", "text/tab-separated-values"])
def test_get_query_ask_each_results_format(client: httpx.Client, media_type: str) -> None:
    response = client.get(
        "/sparql", params={"query": "ASK { ?o a pv:Platform }"}, headers={"accept": media_type}
    )
    assert response.status_code == 200
    assert "true" in response.text


RDFLIB_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


@pytest.mark.parametrize("media_type", [f.media_type for f in GRAPH_FORMATS])
def test_get_query_construct_each_graph_format(client: httpx.Client, media_type: str) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    parser = RDFLIB_PARSERS[media_type]
    container = Dataset() if parser in ("nquads", "trig") else Graph()
    container.parse(data=response.content, format=parser)
    assert len(container) >= 12


def test_get_query_construct_with_csv_accept_406(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": "text/csv"})
    assert response.status_code == 406
    assert "text/turtle" in response.text


def test_get_query_nothing_acceptable_406(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"accept": "image/png"})
    assert response.status_code == 406


def test_get_query_unknown_format_param_406(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": SELECT, "format": "yaml"})
    assert response.status_code == 406


def test_get_query_q_values_pick_the_preferred(client: httpx.Client) -> None:
    accept = f"{SRJ};q=0.4, text/csv;q=0.9, {SRX};q=0.5"
    response = client.get("/sparql", params={"query": SELECT}, headers={"accept": accept})
    assert response.headers["content-type"].startswith("text/csv")
