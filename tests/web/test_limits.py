"""Safe under abuse: time limit, memory cap, result cap, body and query caps, load, fuzzing.

Mostly against `strict_server`: 2 s per query, 5 rows per answer, 2,000-character queries,
4,000-byte bodies, no answer cache.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""Runs for hours: ~10^11 rows to count, and COUNT yields nothing until done."""
SIMPLE = "ASK { ?o a pv:Platform }"
MANY_ROWS = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


def ask(client: httpx.Client) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.get("/sparql", params={"query": SIMPLE})
    return response.status_code, time.perf_counter() - started


def test_get_query_past_time_limit_503_while_simple_ones_answered(
    strict_client: httpx.Client,
) -> None:
    slow: list[httpx.Response] = []
    runaway = threading.Thread(
        target=lambda: slow.append(strict_client.get("/sparql", params={"query": CARTESIAN}))
    )
    started = time.perf_counter()
    runaway.start()
    time.sleep(0.5)
    during = [ask(strict_client) for _ in range(3)]
    assert runaway.is_alive()  # the simple queries were answered while the runaway ran
    runaway.join(timeout=30)
    assert all(status == 200 and seconds < 1.0 for status, seconds in during), during
    response = slow[0]
    assert response.status_code == 503
    assert "time limit" in response.text
    assert response.headers["retry-after"]
    assert 1.9 < time.perf_counter() - started < 10
    after = [ask(strict_client) for _ in range(3)]
    assert all(status == 200 and seconds < 1.0 for status, seconds in after), after


def test_get_query_over_memory_cap_503_then_served(
    built_store: Path, launch_with_worker: object
) -> None:
    # A time limit long enough that the memory cap (1 GB of address space) strikes first:
    # ORDER BY keeps every row of the product, tens of millions, before it can yield one.
    options = ("--memory-limit-mb", "1024", "--timeout", "30", "--workers", "1", "--cache-mb", "0")
    server = launch_with_worker(built_store, *options)  # type: ignore[operator]
    with httpx.Client(base_url=server.url, timeout=60) as client:
        query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a LIMIT 1"
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 503
        assert "memory" in response.text
        assert ask(client)[0] == 200


def test_get_query_over_result_cap_truncated_and_says_so_in_json(
    strict_client: httpx.Client,
) -> None:
    response = strict_client.get("/sparql", params={"query": MANY_ROWS})
    assert response.status_code == 200
    assert response.headers["x-kg-truncated"] == "true"
    assert response.headers["x-kg-result-limit"] == "5"
    answer = response.json()
    assert len(answer["results"]["bindings"]) == 5
    assert answer["head"]["link"] == [str(strict_client.base_url.join("/sparql"))]
    assert answer["head"]["vars"] == ["s", "p", "o"]


def test_get_query_over_result_cap_truncated_in_xml_csv_tsv_and_graphs(
    strict_client: httpx.Client,
) -> None:
    xml = strict_client.get("/sparql", params={"query": MANY_ROWS, "format": "xml"})
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(xml.content)
    assert root.find("r:head/r:link", ns) is not None
    assert len(root.findall("r:results/r:result", ns)) == 5
    for fmt, lines in (("csv", 6), ("tsv", 6), ("nt", 5)):
        query = MANY_ROWS if fmt != "nt" else "CONSTRUCT WHERE { ?s ?p ?o }"
        response = strict_client.get("/sparql", params={"query": query, "format": fmt})
        assert response.headers["x-kg-truncated"] == "true", fmt
        # A CSV value may hold line breaks (quoted); TSV and N-Triples escape them.
        records = list(csv.reader(io.StringIO(response.text))) if fmt == "csv" else None
        assert len(records if records is not None else response.text.splitlines()) == lines, fmt


def test_get_query_at_result_cap_not_truncated(strict_client: httpx.Client) -> None:
    response = strict_client.get("/sparql", params={"query": MANY_ROWS + " LIMIT 5"})
    assert "x-kg-truncated" not in response.headers
    answer = response.json()
    assert "link" not in answer["head"]
    assert len(answer["results"]["bindings"]) == 5


def test_post_query_body_over_cap_413(strict_client: httpx.Client) -> None:
    body = "ASK {}" + " " * 5000
    headers = {"content-type": "application/sparql-query"}
    assert strict_client.post("/sparql", content=body, headers=headers).status_code == 413
    chunks = (part.encode() for part in [body[:2500], body[2500:]])  # no Content-Length
    streamed = strict_client.post("/sparql", content=chunks, headers=headers)
    assert streamed.status_code == 413


def test_post_form_query_over_length_cap_413(strict_client: httpx.Client) -> None:
    query = "ASK {} #" + "x" * 2100
    response = strict_client.post("/sparql", data={"query": query})
    assert response.status_code == 413
    assert "2000" in response.text


def test_get_query_over_length_cap_414(strict_client: httpx.Client) -> None:
    query = "ASK {}" + "#" * 2100
    response = strict_client.get("/sparql", params={"query": query})
    assert response.status_code == 414
    # Refused before the URL is even decoded (httpx would refuse to send a much longer one).
    huge = strict_client.get("/sparql", params={"query": "x" * 60_000})
    assert huge.status_code == 414


def test_get_mixed_load_no_5xx_for_valid_queries(strict_server: object) -> None:
    """8 clients x 50 requests: valid, malformed and (from one client) runaway queries."""
    valid = [SIMPLE, "SELECT ?o WHERE { ?o a pv:Platform }", "CONSTRUCT WHERE { ?s a pv:Platform }"]
    malformed = ["SELECT", "ASK { ?s ?p }", "CONSTRUCT {"]
    base = strict_server.url  # type: ignore[attr-defined]

    def run_client(index: int) -> list[tuple[str, int, bool]]:
        outcomes = []
        with httpx.Client(base_url=base, timeout=30) as http:
            for step in range(50):
                if index == 0 and step % 25 == 0:
                    kind, query = "slow", CARTESIAN
                elif step % 5 == 4:
                    kind, query = "malformed", malformed[step % 3]
                else:
                    kind, query = "valid", valid[(index + step) % 3]
                response = http.get("/sparql", params={"query": query})
                outcomes.append((kind, response.status_code, well_formed(response)))
        return outcomes

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        results = [item for batch in pool.map(run_client, range(8)) for item in batch]
    assert time.perf_counter() - started < 60
    assert len(results) == 400
    assert all(ok for _, _, ok in results)
    assert {status for kind, status, _ in results if kind == "valid"} == {200}
    assert {status for kind, status, _ in results if kind == "malformed"} == {400}
    assert {status for kind, status, _ in results if kind == "slow"} == {503}


def well_formed(response: httpx.Response) -> bool:
    """The body is what its content type says."""
    kind = response.headers.get("content-type", "").split(";")[0]
    if kind == "application/sparql-results+json":
        json.loads(response.content)
    elif kind == "text/turtle":
        from rdflib import Graph

        Graph().parse(data=response.content, format="turtle")
    elif kind == "text/plain":
        response.content.decode("utf-8")
    else:
        return False
    return True


PARAMETER_NAMES = st.sampled_from(
    ["query", "update", "default-graph-uri", "named-graph-uri", "format", "other"]
)
TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["SELECT * { ?s ?p ?o } LIMIT 2", "ASK {}", "\\u0053ERVICE", "<>", "%%", ""]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.lists(st.tuples(PARAMETER_NAMES, TEXT), max_size=4),
    method=st.sampled_from(["GET", "POST-form", "POST-direct"]),
    accept=st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["*/*;q=x", "text/csv;q=0"])),
)
def test_get_post_fuzzed_parameters_never_500(
    strict_client: httpx.Client, params: list[tuple[str, str]], method: str, accept: str | None
) -> None:
    headers: dict[str, str | bytes] = {}
    if accept is not None and accept.strip() and accept.isprintable():
        headers["accept"] = accept.strip().encode("utf-8")  # as h11 lets a client send it
    if method == "GET":
        response = strict_client.get("/sparql", params=params, headers=headers)
    elif method == "POST-form":
        response = strict_client.post("/sparql", data=dict(params), headers=headers)
    else:
        body = "\n".join(value for _, value in params).encode("utf-8", "surrogatepass")
        headers["content-type"] = "application/sparql-query"
        response = strict_client.post("/sparql", content=body, headers=headers)
    assert response.status_code < 500, (response.status_code, response.text)
    assert response.headers["x-kg-release"]
