"""`kg links check`, against a stand-in endpoint on 127.0.0.1 with one present, one missing and
one relabelled DBpedia-shaped target (tests/data/links/check-linkset.ttl, targets-standin.ttl)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from typer.testing import CliRunner

from kg.cli import app
from kg.links.check import check, links
from kg.namespaces import EARL, GRAPH, ID, SCHEMA
from kg.store import write_store

LINKS = Path(__file__).parent / "data" / "links"
STANDIN = LINKS / "standin.py"
DBR = "http://dbpedia.org/resource/"
EXPECTED = {
    f"{DBR}Partage_Test_Present": "ok",
    f"{DBR}Partage_Test_Gone": "missing",
    f"{DBR}Partage_Test_Renamed": "label-changed",
    "http://www.wikidata.org/entity/Q999000010": "ok",
}

runner = CliRunner()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    command = [sys.executable, str(STANDIN), str(LINKS / "targets-standin.ttl"), "--delay", "5"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield f"http://127.0.0.1:{int(process.stdout.readline())}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def linkset_store(path: Path, keep: set[str] | None = None) -> Path:
    """A store whose one linkset graph is check-linkset.ttl, or only its links to `keep`."""
    graph = Graph().parse(LINKS / "check-linkset.ttl")
    if keep is not None:
        for target in set(graph.objects()):
            if str(target) in EXPECTED and str(target) not in keep:
                graph.remove((None, None, target))
    write_store({GRAPH["links/standin"]: graph}, path)
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return linkset_store(tmp_path_factory.mktemp("links") / "store")


def run(store: Path, *options: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["links", "check", "--store", str(store), *options])
    return result.exit_code, result.stdout, result.stderr


def stand_ins(endpoint: str) -> list[str]:
    url = f"{endpoint}/sparql"
    return ["--endpoint-for", f"dbpedia={url}", "--endpoint-for", f"wikidata={url}"]


def test_links_are_read_from_the_linkset_graphs_with_their_claims(store: Path) -> None:
    found = {str(link.target): link for link in links(store)}
    assert set(found) == {*EXPECTED, "https://example.org/"}
    assert found[f"{DBR}Partage_Test_Gone"].claim == ID["claim/gone"]
    assert [str(e) for e in found[f"{DBR}Partage_Test_Renamed"].expected] == [
        "Partage Test Renamed"
    ]
    recorded = found["http://www.wikidata.org/entity/Q999000010"].expected
    assert recorded == (Literal("Présent (test)", lang="fr"),)


def test_check_finds_one_present_one_missing_one_relabelled(store: Path, endpoint: str) -> None:
    url = f"{endpoint}/sparql"
    results, skipped = check(links(store), {"dbpedia": url, "wikidata": url}, timeout=5)
    assert {str(r.link.target): r.status for r in results} == EXPECTED
    assert [str(link.target) for link in skipped] == ["https://example.org/"]
    renamed = next(r for r in results if r.status == "label-changed")
    assert renamed.found == (Literal("Something Else Entirely", lang="en"),)


def test_check_json_report_and_exit_1_on_drift(store: Path, endpoint: str) -> None:
    code, out, _err = run(store, *stand_ins(endpoint), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"] == {
        "ok": 2,
        "missing": 1,
        "label-changed": 1,
        "unreachable": 0,
        "skipped": 1,
    }
    assert {entry["target"]: entry["status"] for entry in report["links"]} == EXPECTED


def test_check_turtle_report_is_earl(store: Path, endpoint: str) -> None:
    code, out, _err = run(store, *stand_ins(endpoint), "--format", "turtle")
    assert code == 1
    report = Graph().parse(data=out, format="turtle")
    outcomes = {}
    for assertion in report.subjects(RDF.type, EARL.Assertion):
        assert (assertion, EARL.assertedBy, None) in report
        assert (assertion, EARL.test, None) in report
        (target,) = report.objects(assertion, DCTERMS.references)
        (result,) = report.objects(assertion, EARL.result)
        (outcome,) = report.objects(result, EARL.outcome)
        outcomes[str(target)] = outcome
    assert outcomes == {
        f"{DBR}Partage_Test_Present": EARL.passed,
        f"{DBR}Partage_Test_Gone": EARL.failed,
        f"{DBR}Partage_Test_Renamed": EARL.failed,
        "http://www.wikidata.org/entity/Q999000010": EARL.passed,
    }
    (action,) = report.subjects(RDF.type, SCHEMA.CheckAction)
    counts = {
        str(report.value(value, SCHEMA.name)): report.value(value, SCHEMA.value).toPython()
        for value in report.objects(action, SCHEMA.result)
    }
    assert counts["missing"] == 1 and counts["skipped"] == 1


def test_check_text_report_names_each_link_and_the_counts(store: Path, endpoint: str) -> None:
    code, out, _err = run(store, *stand_ins(endpoint))
    assert code == 1
    assert f"missing       {ID['organisation/test-gone']}" in out
    assert 'expected "Partage Test Renamed", found "Something Else Entirely"@en' in out
    assert "4 link(s) checked: ok 2, missing 1, label-changed 1, unreachable 0; 1 skipped" in out


def test_check_exits_0_when_nothing_drifted(tmp_path: Path, endpoint: str) -> None:
    present = {f"{DBR}Partage_Test_Present", "http://www.wikidata.org/entity/Q999000010"}
    code, out, _err = run(linkset_store(tmp_path / "store", present), *stand_ins(endpoint))
    assert code == 0, out
    assert "2 link(s) checked: ok 2" in out


def test_check_reports_an_unreachable_dataset_as_data(store: Path, endpoint: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = ["--endpoint-for", f"dbpedia=http://127.0.0.1:{port}/sparql"]
    options += ["--endpoint-for", f"wikidata={endpoint}/slow/sparql", "--timeout", "0.5"]
    code, out, _err = run(store, *options, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["unreachable"] == 4
    messages = {entry["dataset"]: entry["message"] for entry in report["links"]}
    assert messages["dbpedia"].startswith(f"cannot reach http://127.0.0.1:{port}/sparql")
    assert "did not answer within 0.5 s" in messages["wikidata"]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("dbpedia", "expected KEY=URL"),
        ("nowhere=http://127.0.0.1/sparql", "expected KEY=URL"),
        ("dbpedia=file:///etc/passwd", "not the http(s) URL"),
    ],
)
def test_check_bad_endpoint_for_exits_2(store: Path, option: str, message: str) -> None:
    code, _out, err = run(store, "--endpoint-for", option)
    assert code == 2
    assert message in err


def test_check_without_a_store_exits_2(tmp_path: Path) -> None:
    code, _out, err = run(tmp_path / "none")
    assert code == 2
    assert "is not a store" in err


def test_project_links_default_to_public_endpoints_or_are_skipped(built_store: Path) -> None:
    """Offline: only which dataset each project link would be asked of, no request made."""
    by_dataset: dict[str, set[URIRef]] = {}
    for link in links(built_store):
        by_dataset.setdefault(link.dataset.key, set()).add(link.target)
    assert {"dbpedia", "dbpedia-fr", "wikipedia-en", "wikipedia-fr", "web"} <= set(by_dataset)
    assert "wikidata" not in by_dataset  # no data/links/wikidata.ttl is committed
