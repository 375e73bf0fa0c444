"""`kg serve` on the command line: its options, their environment variables, its failures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from kg.cli import app

KG = str(Path(sys.executable).parent / "kg")
ROOT = Path(__file__).resolve().parents[2]
OPTIONS = {
    "--host": "KG_HOST",
    "--port": "KG_PORT",
    "--store": "KG_STORE",
    "--workers": "KG_WORKERS",
    "--timeout": "KG_TIMEOUT",
    "--max-results": "KG_MAX_RESULTS",
    "--max-query-length": "KG_MAX_QUERY_LENGTH",
    "--max-body-bytes": "KG_MAX_BODY_BYTES",
    "--memory-limit-mb": "KG_MEMORY_LIMIT_MB",
    "--in-memory-triples": "KG_IN_MEMORY_TRIPLES",
    "--cache-mb": "KG_CACHE_MB",
    "--admin-token": "KG_ADMIN_TOKEN",
    "--service-allow": "KG_SERVICE_ALLOW",
    "--base-iri": "KG_BASE_IRI",
}


def kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    return subprocess.run(
        [KG, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**environment, "COLUMNS": "200", **(env or {})},
    )


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """`kg` run in this process (Typer's CliRunner): for failures before anything is served,
    without paying an interpreter's start-up each time; `kg` below runs the real script."""
    cleared: dict[str, str | None] = {k: None for k in os.environ if k.startswith("KG_")}
    return CliRunner().invoke(app, list(args), env={**cleared, "COLUMNS": "200", **(env or {})})


def test_serve_help_lists_every_option_and_its_variable() -> None:
    run = invoke("serve", "--help")
    assert run.exit_code == 0
    for option, variable in OPTIONS.items():
        assert option in run.stdout
        assert variable in run.stdout


def test_serve_without_a_store_exits_2(tmp_path: Path) -> None:
    run = kg("serve", "--store", str(tmp_path / "nothing"), "--port", "0")
    assert run.returncode == 2
    assert "not a store" in run.stderr


@pytest.mark.parametrize("option", [("--workers", "0"), ("--timeout", "-1"), ("--port", "70000")])
def test_serve_bad_option_value_exits_2(built_store: Path, option: tuple[str, str]) -> None:
    run = invoke("serve", "--store", str(built_store), *option)
    assert run.exit_code == 2


def test_serve_bad_environment_value_exits_2(built_store: Path) -> None:
    run = invoke("serve", "--store", str(built_store), env={"KG_MAX_RESULTS": "lots"})
    assert run.exit_code == 2


def test_serve_reads_settings_from_environment(client: httpx.Client, server: object) -> None:
    # The session server was given KG_WORKERS=2 and KG_MAX_RESULTS=500 in its environment.
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.headers["x-kg-result-limit"] == "500"
    assert len(response.json()["results"]["bindings"]) == 500
    assert "2 cores for queries" in server.log_text()  # type: ignore[attr-defined]


@pytest.mark.parametrize("in_memory_triples", ["0", "10000000"], ids=["on disk", "in memory"])
def test_serve_same_answer_on_disk_and_in_memory(
    built_store: Path, launch: object, client: httpx.Client, in_memory_triples: str
) -> None:
    query = "SELECT ?o WHERE { ?o a pv:Platform } ORDER BY ?o"
    server = launch(built_store, "--in-memory-triples", in_memory_triples)  # type: ignore[operator]
    with httpx.Client(base_url=server.url, timeout=30) as other:
        answer = other.get("/sparql", params={"query": query})
    assert answer.status_code == 200
    assert answer.json() == client.get("/sparql", params={"query": query}).json()


def test_serve_in_memory_triples_decides_where_the_worker_reads(
    small_store: Path, launch_with_worker: object, tmp_path: Path
) -> None:
    damaged = tmp_path / "store"
    shutil.copytree(small_store, damaged)
    (damaged / "snapshot.nq").write_text("not N-Quads\n", encoding="utf-8")
    query = {"query": "ASK { ?s ?p ?o }"}
    on_disk = launch_with_worker(damaged, "--in-memory-triples", "0")  # type: ignore[operator]
    in_memory = launch_with_worker(damaged)  # type: ignore[operator]
    with httpx.Client(timeout=30) as http:
        assert http.get(f"{on_disk.url}/sparql", params=query).status_code == 200
        refused = http.get(f"{in_memory.url}/sparql", params=query)
    assert refused.status_code == 503
    assert "snapshot.nq" in refused.text


def test_make_serve_builds_then_serves() -> None:
    run = subprocess.run(
        ["make", "-n", "serve"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0
    lines = run.stdout.splitlines()
    build = next(i for i, line in enumerate(lines) if "kg build" in line)
    serve = next(i for i, line in enumerate(lines) if "kg serve" in line)
    assert build < serve
