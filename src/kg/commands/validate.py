"""`kg validate`: check our graph, or anyone's RDF files, against the project's SHACL shapes.

Exit status, the contract scripts and CI rely on (kg.commands.exit_codes maps errors to them):
    0  no result at or above --fail-on;
    1  at least one result at or above --fail-on (violation by default);
    2  unreadable input or bad usage: a missing file, a parse error (`file:line[:col]: message`),
       an unknown option value, no shapes to be found;
    3  internal error: validation itself broke down (e.g. a shape pySHACL cannot run).

With --store-url, what is live in that remote SPARQL store is validated instead (pulled into
memory, checked against the live release's shapes or --shapes), and any drift from its release
record (a graph missing or with another count, staging graphs a failed swap left) is reported
on stderr and fails the check (exit 1) as a violation does; a store with no release record is
bad input (exit 2).

Without FILES, the project at --root (or KG_ROOT, or the current directory) is assembled as
`kg build` does and checked against its own shapes (or --shapes). With FILES, the shapes are,
in order: --shapes; --root's shapes/; those of the source tree this package was installed
from. That last one is how the pre-commit hook finds them: pre-commit clones our repository
and `pip install`s it, and pip records the clone in the distribution's `direct_url.json`
(PEP 610), so `<clone>/shapes` and `<clone>/ontology` are at hand.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote, urlparse

import typer
from rdflib import Dataset, Graph

from kg import DISTRIBUTION
from kg.build import assemble, source_graphs
from kg.commands import EXIT_NOT_CONFORMING, EXIT_OK, exit_codes, settings
from kg.errors import SourceError, UsageError
from kg.project import installed_project
from kg.release import check, data_of
from kg.report import load_baseline, render, subtract_baseline
from kg.sources import RDF_FORMATS, ProjectSources, load_project, parse_rdf
from kg.validate import Severity, ValidationReport
from kg.validate import validate as run_validation


class OutputFormat(enum.StrEnum):
    """The report formats of kg.report."""

    text = "text"
    turtle = "turtle"
    json = "json"
    junit = "junit"
    sarif = "sarif"
    github = "github"


class FailOn(enum.StrEnum):
    """The lowest severity that makes the command fail."""

    violation = "violation"
    warning = "warning"
    info = "info"


def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="RDF files or directories. Without any, the project graph is checked."),
    ] = None,
    shapes: Annotated[
        Path | None,
        typer.Option(help="Shapes file or directory. Default: the project's shapes/."),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Report format.")] = (
        OutputFormat.text
    ),
    fail_on: Annotated[
        FailOn, typer.Option(help="Fail (exit 1) on results of this severity or worse.")
    ] = FailOn.violation,
    baseline: Annotated[
        Path | None,
        typer.Option(help="An earlier report (json or turtle) whose results are accepted."),
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(help="Project root (ontology/, data/, shapes/). Default: KG_ROOT or cwd."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write the report to this file instead of stdout.")
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option(
            help="Validate what is live in this remote SPARQL store (KG_STORE_URL is not read"
            " here: name the store) and report its drift from its release record."
        ),
    ] = None,
) -> None:
    """Validate RDF against the project's SHACL shapes; exit 0 conforms, 1 fails, 2 bad input."""
    threshold = Severity[fail_on.value.upper()]
    drift: list[str] = []
    with exit_codes():
        if store_url is not None:
            if files:
                raise UsageError("--store-url validates the remote store: give no FILES")
            report, sources, drift = _validate_remote(store_url, shapes, root)
        else:
            report, sources = _validate(files or [], shapes, root)
        if baseline is not None:
            report = subtract_baseline(report, load_baseline(baseline))
        _write(render(report, fmt.value, sources, threshold), output)
    for problem in drift:
        typer.echo(f"drift: {problem}", err=True)
    conforms = report.conforms_at(threshold) and not drift
    raise typer.Exit(EXIT_OK if conforms else EXIT_NOT_CONFORMING)


def _validate_remote(
    store_url: str, shapes: Path | None, root: Path | None
) -> tuple[ValidationReport, list[Path], list[str]]:
    """Pull the live release of the store at `store_url` and validate it (`kg.remote.check`),
    with its own shapes unless --shapes names others; returns the drift from its record too."""
    from kg.remote.check import pull, validate_live  # httpx: only for a remote store
    from kg.remote.client import RemoteStore

    config = settings(root).model_copy(update={"store_url": store_url})
    with RemoteStore.of(config) as remote:
        live = pull(remote)
    report = validate_live(live, read_rdf_tree(shapes) if shapes is not None else None)
    return report, [], live.drift


def _validate(
    files: Sequence[Path], shapes: Path | None, root: Path | None
) -> tuple[ValidationReport, list[Path]]:
    """Run the validation; returns the report and the files to locate focus nodes in."""
    if not files:
        return _validate_project(settings(root).root, shapes)
    files = [path for given in files for path in _expand(_existing(given))]
    data = _merge(parse_rdf(path) for path in files)
    home = root or installed_source_tree()
    if shapes is None:
        if home is None:
            raise UsageError("no shapes found: pass --shapes PATH or --root PROJECT")
        shapes = home / "shapes"
    ontology_dir = home / "ontology" if home is not None else None
    ontology_files = rdf_files(ontology_dir) if ontology_dir and ontology_dir.is_dir() else []
    # A user's files get the verdict they would get inside the project: the same assembly
    # (claims asserted, provenance derived, sub-class and sub-property entailments, the whole
    # ontology beside them), not pySHACL's ont_graph, which copies only the axioms and so fails
    # the ontology-term shapes, nor RDFS inference, which would add domain/range typing.
    ontology = _merge(parse_rdf(path) for path in ontology_files)
    graphs = assemble(ProjectSources(ontology=ontology, data=data, shapes=Graph()))
    report = run_validation(data_of(graphs), read_rdf_tree(shapes))
    return report, [*files, *ontology_files]


def _validate_project(root: Path, shapes: Path | None) -> tuple[ValidationReport, list[Path]]:
    """Validate the project as `kg build` does (`kg.release.check`), or against other shapes.

    The graph already holds the build's entailments, so no inference is asked of pySHACL.
    """
    project = load_project(root)
    if shapes is None:
        _graphs, report = check(source_graphs(project))
    else:
        report = run_validation(data_of(assemble(project)), read_rdf_tree(shapes))
    return report, list(project.files)


def read_rdf_tree(path: Path) -> Graph:
    """Parse a file, or every RDF file (by suffix) under a directory, into one graph.

    Raises:
        SourceError: `path` is missing, holds no RDF file, or a file does not parse.
    """
    paths = [_existing(path)] if path.is_file() else rdf_files(_existing(path))
    if not paths:
        raise SourceError(path, "no RDF files in this directory")
    return _merge(parse_rdf(p) for p in paths)


def rdf_files(directory: Path) -> list[Path]:
    """The files under `directory` with an RDF suffix, sorted so every run reads one order."""
    return sorted(
        p for p in directory.rglob("*") if p.suffix.lower() in RDF_FORMATS and p.is_file()
    )


def installed_source_tree() -> Path | None:
    """The source tree holding shapes/ that this package runs from or was installed with.

    A regular `pip install <dir>` (as pre-commit does) is found through PEP 610's
    direct_url.json; a checkout or a wheel by `kg.project.installed_project`.
    """
    try:
        direct_url = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct_url = None
    if direct_url:
        url = urlparse(str(json.loads(direct_url).get("url", "")))
        tree = Path(unquote(url.path))
        if url.scheme == "file" and (tree / "shapes").is_dir():
            return tree
    return installed_project()


def _expand(path: Path) -> list[Path]:
    """A directory stands for the RDF files under it."""
    return rdf_files(path) if path.is_dir() else [path]


def _existing(path: Path) -> Path:
    if not path.exists():
        raise SourceError(path, "no such file or directory")
    return path


def _merge(graphs: Iterable[Graph]) -> Graph:
    """Union of graphs as one plain Graph; a Dataset contributes all of its named graphs."""
    merged = Graph()
    for graph in graphs:
        for prefix, namespace in graph.namespaces():
            merged.bind(prefix, namespace, override=False)
        if isinstance(graph, Dataset):
            merged.addN((s, p, o, merged) for s, p, o, _ in graph.quads((None, None, None, None)))
        else:
            merged += graph
    return merged


def _write(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{output}: cannot write the report: {error.strerror}") from error
