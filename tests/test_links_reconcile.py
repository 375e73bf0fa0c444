"""`kg links reconcile`, against a stand-in for Wikidata's query service on 127.0.0.1.

The stand-in (tests/data/links/standin.py) answers SPARQL over a Wikidata-shaped fixture whose
Q-ids are fake; no test leaves the machine, and no Q-id is written anywhere but in that fixture.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS
from typer.testing import CliRunner

from kg.build import assemble
from kg.cli import app
from kg.describe import describe
from kg.links.sparql import USER_AGENT
from kg.namespaces import GRAPH, ID, PV, VOID, WIKIDATA_ENTITY
from kg.sources import load_project

LINKS = Path(__file__).parent / "data" / "links"
STANDIN = LINKS / "standin.py"
FIXTURE = LINKS / "wikidata-standin.ttl"
EXPECTED = LINKS / "wikidata.expected.ttl"
AT = "2024-01-02T03:04:05+00:00"

runner = CliRunner()


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, request log) of a stand-in endpoint serving the Wikidata-shaped fixture."""
    log = tmp_path_factory.mktemp("standin") / "requests.jsonl"
    command = [sys.executable, str(STANDIN), str(FIXTURE), "--log", str(log), "--delay", "5"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(timeout=10)


def reconcile(store: Path, endpoint: str, output: Path, *extra: str) -> tuple[int, str, str]:
    arguments = ["links", "reconcile", "--store", str(store), "--endpoint", endpoint]
    arguments += ["--output", str(output), "--generated-at", AT, *extra]
    result = runner.invoke(app, arguments)
    return result.exit_code, result.stdout, result.stderr


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def written(
    standin: tuple[str, Path], built_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    output = tmp_path_factory.mktemp("links") / "wikidata.ttl"
    code, out, err = reconcile(built_store, f"{standin[0]}/sparql", output)
    assert code == 0, err
    return output, out


def test_reconcile_writes_one_claim_per_sitelinked_article(written: tuple[Path, str]) -> None:
    graph = Graph().parse(written[0])
    claims = sorted(graph.subjects(RDF.type, PV.Claim))
    assert claims == [ID["claim/la-louve-wikidata"], ID["claim/la-ruche-qui-dit-oui-wikidata"]]
    for claim in claims:
        assert (claim, PV.basis, PV.referenceFact) in graph
        assert (claim, RDF.predicate, OWL.sameAs) in graph
        (item,) = graph.objects(claim, RDF.object)
        assert str(item).startswith(str(WIKIDATA_ENTITY) + "Q999")  # the fixture's fake ids
        (source,) = graph.objects(claim, DCTERMS.source)
        assert str(source).startswith("https://")
        assert "wikipedia.org/wiki/" in str(source)
        (rationale,) = graph.objects(claim, PV.rationale)
        assert "Wikipedia sitelink via the Wikidata SPARQL endpoint" in rationale


def test_reconcile_output_is_the_expected_linkset(
    written: tuple[Path, str], standin: tuple[str, Path]
) -> None:
    graph = Graph().parse(written[0])
    expected = Graph().parse(
        data=EXPECTED.read_text(encoding="utf-8").replace(
            "http://standin.invalid/sparql", f"{standin[0]}/sparql"
        ),
        format="turtle",
    )
    if not isomorphic(graph, expected):
        _both, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(graph))
        pytest.fail(
            f"missing:\n{missing.serialize(format='nt')}\nextra:\n{extra.serialize(format='nt')}"
        )


def test_reconcile_records_each_item_label_in_the_article_language(
    written: tuple[Path, str],
) -> None:
    graph = Graph().parse(written[0])
    labels = {(item, label) for item, label in graph.subject_objects(RDFS.label)}
    assert labels == {
        (WIKIDATA_ENTITY.Q999000001, Literal("The Food Assembly (test)", lang="en")),
        (WIKIDATA_ENTITY.Q999000002, Literal("La Louve (test)", lang="fr")),
    }


def test_reconcile_reports_ambiguous_and_unmatched_articles(written: tuple[Path, str]) -> None:
    out = written[1]
    assert "wrote 2 link(s)" in out
    assert "several items, no link: https://fr.wikipedia.org/wiki/OuiShare" in out
    assert "no item: https://en.wikipedia.org/wiki/BlaBlaCar" in out  # not a Q item


def test_reconcile_stamps_the_time_on_the_linkset_graph(written: tuple[Path, str]) -> None:
    graph = Graph().parse(written[0])
    linkset = GRAPH["links/wikidata"]
    (stamp,) = graph.objects(linkset, URIRef("http://www.w3.org/ns/prov#generatedAtTime"))
    assert stamp.toPython().isoformat() == AT


def test_reconcile_sends_one_post_with_a_descriptive_user_agent(
    written: tuple[Path, str], standin: tuple[str, Path]
) -> None:
    requests = [json.loads(line) for line in standin[1].read_text(encoding="utf-8").splitlines()]
    first = requests[0]
    assert first["method"] == "POST" and first["path"] == "/sparql"
    assert first["user_agent"] == USER_AGENT
    assert USER_AGENT.startswith("partage-kg/") and "https://w3id.org/partage/" in USER_AGENT
    assert "<http://schema.org/about>" in first["query"]


def test_reconcile_is_deterministic(
    written: tuple[Path, str], standin: tuple[str, Path], built_store: Path, tmp_path: Path
) -> None:
    again = tmp_path / "wikidata.ttl"
    assert reconcile(built_store, f"{standin[0]}/sparql", again)[0] == 0
    assert again.read_bytes() == written[0].read_bytes()


def test_reconciled_linkset_passes_the_shapes(
    written: tuple[Path, str], project_root: Path
) -> None:
    result = runner.invoke(app, ["validate", str(written[0]), "--root", str(project_root)])
    assert result.exit_code == 0, result.stdout


def test_reconciled_linkset_builds_into_a_described_wikidata_linkset(
    written: tuple[Path, str], project_root: Path
) -> None:
    sources = load_project(project_root)
    sources.links["wikidata"] = Graph().parse(written[0])
    graphs = assemble(sources)
    assert (ID["organisation/la-louve"], OWL.sameAs, WIKIDATA_ENTITY.Q999000002) in graphs[
        GRAPH["links/wikidata"]
    ]
    description = describe(graphs, "9.9.9", "0" * 64)
    linksets = [
        linkset
        for linkset in description.subjects(RDF.type, VOID.Linkset)
        if str(linkset).endswith("/links/wikidata/wikidata/sameAs")
    ]
    assert len(linksets) == 1
    assert (linksets[0], VOID.triples, Literal(2)) in description


@pytest.mark.parametrize(
    ("path", "message"),
    [("/error/sparql", "answered 500"), ("/slow/sparql", "did not answer within 0.5 s")],
)
def test_reconcile_endpoint_failure_exits_1_and_writes_nothing(
    standin: tuple[str, Path], built_store: Path, tmp_path: Path, path: str, message: str
) -> None:
    output = tmp_path / "wikidata.ttl"
    output.write_text("# the previous linkset\n", encoding="utf-8")
    code, _out, err = reconcile(built_store, standin[0] + path, output, "--timeout", "0.5")
    assert code == 1
    assert message in err and "nothing written" in err
    assert output.read_text(encoding="utf-8") == "# the previous linkset\n"
    assert [p.name for p in tmp_path.iterdir()] == ["wikidata.ttl"]  # no temporary file left


def test_reconcile_unreachable_endpoint_exits_1_naming_it(
    built_store: Path, tmp_path: Path
) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}/sparql"
    code, _out, err = reconcile(built_store, endpoint, tmp_path / "wikidata.ttl")
    assert code == 1
    assert f"cannot reach {endpoint}" in err
    assert not (tmp_path / "wikidata.ttl").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--output": "links.txt"}, "not a Turtle (.ttl) file"),
        ({"--output": "missing/wikidata.ttl"}, "no directory"),
        ({"--endpoint": "ftp://127.0.0.1/sparql"}, "not the http(s) URL"),
        ({"--generated-at": "yesterday"}, "not an ISO 8601"),
        ({"--store": "no-store"}, "is not a store"),
    ],
)
def test_reconcile_bad_input_exits_2(
    standin: tuple[str, Path],
    built_store: Path,
    tmp_path: Path,
    change: dict[str, str],
    message: str,
) -> None:
    options = {
        "--store": str(built_store),
        "--endpoint": f"{standin[0]}/sparql",
        "--output": str(tmp_path / "wikidata.ttl"),
        "--generated-at": AT,
    }
    for option, value in change.items():
        options[option] = (
            value if option in ("--endpoint", "--generated-at") else str(tmp_path / value)
        )
    result = runner.invoke(app, ["links", "reconcile", *[x for kv in options.items() for x in kv]])
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert not list(tmp_path.glob("*.ttl"))
