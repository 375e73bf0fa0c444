"""`kg links reconcile` and `kg links check`: find links to Wikidata, and watch every link.

Exit codes, beyond the common ones (kg.commands):
    reconcile  0 written; 1 the endpoint failed (unreachable, too slow, an error answer), nothing
               written; 2 bad input (no store, an output that is not a .ttl file, a bad URL).
    check      0 every link checked is as expected; 1 drift (a target missing, relabelled, or
               its dataset unreachable); 2 bad usage.
"""

from __future__ import annotations

import enum
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rdflib import Graph
from rdflib.term import Node

from kg.commands import console, exit_codes, namespace_manager, settings, show_term
from kg.errors import UsageError
from kg.links.check import Result, check, links, report_graph, summary
from kg.links.reconcile import articles, linkset_turtle, reconcile
from kg.links.sparql import TIMEOUT, EndpointError, check_endpoint
from kg.links.targets import TARGETS
from kg.namespaces import GRAPH

EXIT_DRIFT = 1
EXIT_ENDPOINT = 1
WIKIDATA = next(target for target in TARGETS if target.key == "wikidata")
DEFAULT_OUTPUT = Path("data") / "links" / "wikidata.ttl"

app = typer.Typer(
    name="links",
    help="Find links to other datasets, and check the ones we have.",
    no_args_is_help=True,
)

StoreOption = Annotated[Path | None, typer.Option(help="Store directory. Default: KG_STORE.")]
RootOption = Annotated[Path | None, typer.Option(help="Project root. Default: cwd.")]
TimeoutOption = Annotated[
    float, typer.Option(min=0.1, help="Seconds each request to an endpoint may take.")
]


class ReportFormat(enum.StrEnum):
    """How `kg links check` prints its report."""

    text = "text"
    turtle = "turtle"
    json = "json"


@app.command("reconcile")
def reconcile_command(
    endpoint: Annotated[
        str, typer.Option(help="Wikidata's SPARQL endpoint, or a stand-in.")
    ] = WIKIDATA.endpoint or "",
    output: Annotated[
        Path | None, typer.Option(help=f"Linkset file to write. Default: ROOT/{DEFAULT_OUTPUT}.")
    ] = None,
    generated_at: Annotated[
        str | None, typer.Option(help="ISO 8601 time stamped on the linkset. Default: now.")
    ] = None,
    timeout: TimeoutOption = TIMEOUT,
    store: StoreOption = None,
    root: RootOption = None,
) -> None:
    """Link organisations to Wikidata through their Wikipedia articles' sitelinks."""
    config = settings(root, store)
    with exit_codes():
        target = _output(output or config.root / DEFAULT_OUTPUT)
        at = _time(generated_at)
        pairs = articles(config.store)
        if not pairs:
            raise UsageError("no organisation of the store has a Wikipedia article to start from")
        try:
            found = reconcile(pairs, check_endpoint(endpoint), timeout)
        except EndpointError as error:
            typer.echo(f"error: {error}; nothing written", err=True)
            raise typer.Exit(EXIT_ENDPOINT) from error
        text = linkset_turtle(found, endpoint, GRAPH[f"links/{target.stem}"], at)
        Graph().parse(data=text, format="turtle")  # never write a file the build cannot read
        _replace(target, text)
    out = console()
    out.print(f"wrote {len(found.matches)} link(s) to {target}")
    for article in found.unmatched:
        out.print(f"no item: {article}")
    for article in found.ambiguous:
        out.print(f"several items, no link: {article}")


@app.command("check")
def check_command(
    endpoint_for: Annotated[
        list[str] | None,
        typer.Option(help="KEY=URL: ask this endpoint for the dataset KEY (e.g. dbpedia)."),
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Report format.")] = (
        ReportFormat.text
    ),
    timeout: TimeoutOption = TIMEOUT,
    store: StoreOption = None,
    root: RootOption = None,
) -> None:
    """Check that every link target still exists and carries its label; exit 1 on drift."""
    config = settings(root, store)
    with exit_codes():
        endpoints = _endpoints(endpoint_for or [])
        results, skipped = check(links(config.store), endpoints, timeout)
    if fmt is ReportFormat.turtle:
        typer.echo(report_graph(results, len(skipped)).serialize(format="turtle"), nl=False)
    elif fmt is ReportFormat.json:
        typer.echo(json.dumps(_json(results, len(skipped)), indent=2, ensure_ascii=False))
    else:
        _print_text(results, len(skipped))
    if any(result.status != "ok" for result in results):
        raise typer.Exit(EXIT_DRIFT)


def _output(path: Path) -> Path:
    if path.suffix != ".ttl":
        raise UsageError(f"--output {path} is not a Turtle (.ttl) file")
    if not path.parent.is_dir():
        raise UsageError(f"--output {path}: no directory {path.parent}")
    return path


def _time(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--generated-at {text!r} is not an ISO 8601 date and time") from None


def _endpoints(pairs: list[str]) -> dict[str, str]:
    keys = {target.key for target in TARGETS}
    endpoints: dict[str, str] = {}
    for pair in pairs:
        key, _, url = pair.partition("=")
        if key not in keys or not url:
            known = ", ".join(sorted(keys))
            raise UsageError(f"--endpoint-for {pair!r}: expected KEY=URL with KEY one of {known}")
        endpoints[key] = check_endpoint(url)
    return endpoints


def _replace(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file renamed over it: all or nothing."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    finally:
        Path(temporary).unlink(missing_ok=True)  # only left if something failed


def _json(results: list[Result], skipped: int) -> dict[str, Any]:
    return {
        "summary": {**summary(results), "skipped": skipped},
        "links": [
            {
                "graph": str(r.link.graph),
                "claim": str(r.link.claim) if r.link.claim else None,
                "subject": str(r.link.subject),
                "predicate": str(r.link.predicate),
                "target": str(r.link.target),
                "dataset": r.link.dataset.key,
                "endpoint": r.endpoint,
                "status": r.status,
                "expected": [_label(label) for label in r.link.expected],
                "found": [_label(label) for label in r.found],
                "message": r.message,
            }
            for r in results
        ],
    }


def _label(label: Node) -> dict[str, str | None]:
    return {"value": str(label), "language": getattr(label, "language", None)}


def _print_text(results: list[Result], skipped: int) -> None:
    names = namespace_manager()
    out = console()
    for r in results:
        predicate = show_term(r.link.predicate, names)
        line = f"{r.status:<13} {r.link.subject} {predicate} {r.link.target}"
        out.print(f"{line}  ({r.message})" if r.message else line, markup=False)
    counts = ", ".join(f"{status} {count}" for status, count in summary(results).items())
    out.print(f"{len(results)} link(s) checked: {counts}; {skipped} skipped (no SPARQL endpoint)")
