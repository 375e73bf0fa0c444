"""Render a ValidationReport for people, RDF tools, test dashboards and code-scanning UIs.

Formats: text; turtle (the SHACL report, https://www.w3.org/TR/shacl/#validation-report);
json (ours, described in `render_json`); junit (the XML of Ant/Jenkins/pytest); sarif
(https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html#_Toc34317478); github
(https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions#setting-an-error-message).
A baseline is an earlier report in json or turtle whose results are no longer reported.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, NamespaceManager
from rdflib.term import Node

from kg import __version__
from kg.errors import SourceError
from kg.locate import SourceLocation, locate
from kg.namespaces import PREFIXES
from kg.validate import ResultKey, Severity, ValidationReport, ValidationResult, read_report

JSON_FORMAT = "partage-kg/validation-report/1"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
GITHUB_COMMANDS = {
    Severity.VIOLATION: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}
NOWHERE = SourceLocation(Path(), 0)
PATH_OPERATORS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


def render(
    report: ValidationReport,
    fmt: str,
    sources: Sequence[Path] = (),
    threshold: Severity = Severity.VIOLATION,
) -> str:
    """Render `report` as `fmt`, locating focus nodes in `sources` where not yet located.

    Args:
        report: the results to show.
        fmt: one of FORMATS.
        sources: the RDF files the data came from, searched for `file:line` (see kg.locate).
        threshold: results at or above it are failures (junit) or errors (text summary).
    """
    located = locate_results(report, sources)
    return FORMATS[fmt](located, threshold)


def locate_results(report: ValidationReport, sources: Sequence[Path]) -> ValidationReport:
    """A copy of `report` whose results carry the location of their focus node.

    Within a severity, results are put in file and line order, as a reader goes through them.
    """
    nodes = {r.focus_node for r in report.results if r.location is None}
    located = report.with_locations({node: locate(node, sources) for node in nodes})
    order = sorted(
        located.results,
        key=lambda r: (-r.severity, r.location is None, r.location or NOWHERE, r.key),
    )
    return ValidationReport(order, located.graph)


def render_text(report: ValidationReport, threshold: Severity) -> str:
    """Plain text, one block per result headed `file:line: severity: message`, then counts."""
    names = _namespaces(report.graph)
    lines: list[str] = []
    for result in report.results:
        where = str(result.location) if result.location else "(no source)"
        lines.append(f"{where}: {result.severity.label}: {result.message}")
        lines.append(f"    focus node: {_show(report.graph, result.focus_node, names)}")
        if result.result_path is not None:
            lines.append(f"    path: {path_text(report.graph, result.result_path, names)}")
        if result.value is not None:
            lines.append(f"    value: {_show(report.graph, result.value, names)}")
        shape = _show(report.graph, result.source_shape, names)
        component = _show(report.graph, result.constraint_component, names)
        lines.append(f"    shape: {shape} ({component})")
    counts = ", ".join(_plural(n, sev.label) for sev, n in report.counts().items())
    failing = len(report.failing(threshold))
    verdict = f"{'fails' if failing else 'passes'}: {failing} at or above {threshold.label}"
    lines.append(f"{_plural(len(report.results), 'result')} ({counts}); {verdict}")
    return "\n".join(lines) + "\n"


def render_turtle(report: ValidationReport, threshold: Severity) -> str:
    """The SHACL report graph; a located result also gets `dcterms:source <file:...#line=a,b>`.

    The fragment is an RFC 5147 text/plain line range selecting the focus node's line.
    """
    graph = Graph(namespace_manager=_namespaces(report.graph))
    graph += report.graph
    for result in report.results:
        if result.location is not None and result.node is not None:
            graph.add((result.node, DCTERMS.source, _line_iri(result.location)))
    return graph.serialize(format="turtle")


def render_json(report: ValidationReport, threshold: Severity) -> str:
    """Our JSON: {format, conforms, counts{severity: n}, results[...]}, keys sorted.

    Each result: severity, message, focusNode, resultPath (SPARQL property path syntax),
    value, sourceShape, sourceConstraintComponent (terms in N-Triples syntax, blank nodes as
    `_:` + a digest of their description), location {file, line} or null, and key (the five
    strings `kg.validate.result_key` gives, read back by `load_baseline`).
    """
    document = {
        "format": JSON_FORMAT,
        "conforms": not report.results,
        "counts": {sev.label: n for sev, n in report.counts().items()},
        "results": [_json_result(report.graph, r) for r in report.results],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_junit(report: ValidationReport, threshold: Severity) -> str:
    """JUnit XML: one testcase per result, a <failure> when at or above `threshold`."""
    names = _namespaces(report.graph)
    failures = len(report.failing(threshold))
    cases = max(len(report.results), 1)
    attrs = {"name": "kg validate", "tests": str(cases), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", {**attrs, "name": "shacl", "skipped": "0"})
    if not report.results:
        ET.SubElement(suite, "testcase", {"classname": "shacl", "name": "conforms"})
    for result in report.results:
        case = ET.SubElement(suite, "testcase", _junit_case(report.graph, result, names))
        detail = _detail(report.graph, result, names)
        if result.severity >= threshold:
            kind = _show(report.graph, result.severity.iri, names)
            failure = ET.SubElement(case, "failure", {"message": result.message, "type": kind})
            failure.text = detail
        else:
            ET.SubElement(case, "system-out").text = f"{result.severity.label}: {detail}"
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def render_sarif(report: ValidationReport, threshold: Severity) -> str:
    """SARIF 2.1.0: one rule per (source shape, constraint component), one result each."""
    names = _namespaces(report.graph)
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for result in report.results:
        shape = _show(report.graph, result.source_shape, names)
        component = _show(report.graph, result.constraint_component, names)
        rule_id = f"{component} {shape}"
        if isinstance(result.source_shape, BNode) or " " in result.key[3]:
            # A blank shape's compact form is not unique: add a digest of its description.
            rule_id += " " + _digest(result.key[2:4])[:8]
        rules.setdefault(rule_id, {"id": rule_id, "shortDescription": {"text": rule_id}})
        entry: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": list(rules).index(rule_id),
            "level": SARIF_LEVELS[result.severity],
            "message": {"text": f"{result.message} ({_detail(report.graph, result, names)})"},
            "partialFingerprints": {"kgResultKey/v1": _digest(result.key)},
        }
        if result.location is not None:
            region = {"startLine": result.location.line}
            artifact = {"uri": _uri(result.location.path)}
            entry["locations"] = [
                {"physicalLocation": {"artifactLocation": artifact, "region": region}}
            ]
        results.append(entry)
    driver = {"name": "kg validate", "version": __version__, "rules": list(rules.values())}
    run = {"tool": {"driver": driver}, "results": results}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def render_github(report: ValidationReport, threshold: Severity) -> str:
    """GitHub Actions workflow commands, one line per result, shown as annotations."""
    names = _namespaces(report.graph)
    lines = []
    for result in report.results:
        focus = _show(report.graph, result.focus_node, names)
        props = {"title": f"{result.severity.label}: {focus}"}
        if result.location is not None:
            where = _relative(result.location.path).as_posix()
            props = {"file": where, "line": str(result.location.line)} | props
        joined = ",".join(f"{k}={_escape(v, in_property=True)}" for k, v in props.items())
        message = f"{result.message} ({_detail(report.graph, result, names)})"
        command = GITHUB_COMMANDS[result.severity]
        lines.append(f"::{command} {joined}::{_escape(message, in_property=False)}")
    return "".join(line + "\n" for line in lines)


FORMATS: dict[str, Callable[[ValidationReport, Severity], str]] = {
    "text": render_text,
    "turtle": render_turtle,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
    "github": render_github,
}


def load_baseline(path: Path) -> set[ResultKey]:
    """The keys of the results in an earlier report, saved as our json or as turtle.

    Raises:
        SourceError: the file cannot be read or parsed (with its line when known).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SourceError(path, f"cannot read baseline: {error.strerror or error}") from error
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return _json_keys(path, text)
    try:
        graph = Graph().parse(data=text, format="nt" if path.suffix == ".nt" else "turtle")
    except SyntaxError as error:
        raise SourceError(path, f"not a report in turtle: {error}") from error
    return {result.key for result in read_report(graph).results}


def subtract_baseline(report: ValidationReport, keys: Iterable[ResultKey]) -> ValidationReport:
    """`report` without the results whose key is in `keys` (see `ValidationReport.without`)."""
    return report.without(set(keys))


def path_text(graph: Graph, path: Node, names: NamespaceManager | None = None) -> str:
    """A SHACL property path (https://www.w3.org/TR/shacl/#property-paths) in SPARQL syntax."""
    if not isinstance(path, BNode):
        return _show(graph, path, names)
    if graph.value(path, RDF.first) is not None:
        return "(" + " / ".join(path_text(graph, p, names) for p in graph.items(path)) + ")"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = (path_text(graph, p, names) for p in graph.items(alternatives))
        return "(" + " | ".join(parts) + ")"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(graph, inverse, names)
    for predicate, operator in PATH_OPERATORS.items():
        inner = graph.value(path, predicate)
        if inner is not None:
            return path_text(graph, inner, names) + operator
    return "[]"


def _json_result(graph: Graph, result: ValidationResult) -> dict[str, Any]:
    where = result.location
    return {
        "severity": result.severity.label,
        "message": result.message,
        "focusNode": result.key[0],
        "resultPath": None if result.result_path is None else path_text(graph, result.result_path),
        "value": result.key[4] or None,
        "sourceShape": result.key[3],
        "sourceConstraintComponent": result.key[2],
        "location": where and {"file": str(where.path), "line": where.line},
        "key": list(result.key),
    }


def _json_keys(path: Path, text: str) -> set[ResultKey]:
    try:
        document = json.loads(text)
        keys = {tuple(result["key"]) for result in document["results"]}
    except json.JSONDecodeError as error:
        raise SourceError(path, error.msg, error.lineno, error.colno) from error
    except (KeyError, TypeError) as error:
        raise SourceError(path, f"not a {JSON_FORMAT} report: missing {error}") from error
    if any(len(key) != 5 or not all(isinstance(k, str) for k in key) for key in keys):
        raise SourceError(path, f"not a {JSON_FORMAT} report: a key is not five strings")
    return {(k[0], k[1], k[2], k[3], k[4]) for k in keys}


def _junit_case(graph: Graph, result: ValidationResult, names: NamespaceManager) -> dict[str, str]:
    focus = _show(graph, result.focus_node, names)
    component = _show(graph, result.constraint_component, names)
    case = {"classname": focus, "name": f"{component} {_show(graph, result.source_shape, names)}"}
    if result.location is not None:
        case |= {"file": str(result.location.path), "line": str(result.location.line)}
    return case


def _detail(graph: Graph, result: ValidationResult, names: NamespaceManager) -> str:
    parts = [f"focus node {_show(graph, result.focus_node, names)}"]
    if result.result_path is not None:
        parts.append(f"path {path_text(graph, result.result_path, names)}")
    if result.value is not None:
        parts.append(f"value {_show(graph, result.value, names)}")
    parts.append(f"shape {_show(graph, result.source_shape, names)}")
    if result.location is not None:
        parts.append(f"at {result.location}")
    return ", ".join(parts)


def _show(graph: Graph, term: Node, names: NamespaceManager | None) -> str:
    """Compact form of a term; a blank shape is shown by its path, others as `[]`."""
    if isinstance(term, BNode):
        path = graph.value(term, SH.path)
        return "[]" if path is None else f"[sh:path {path_text(graph, path, names)}]"
    if isinstance(term, URIRef | Literal):
        return term.n3(names)
    return str(term)


def _namespaces(graph: Graph) -> NamespaceManager:
    names = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        names.bind(prefix, namespace, override=False)
    for prefix, iri in PREFIXES.items():
        names.bind(prefix, iri, override=True, replace=True)
    return names


def _line_iri(location: SourceLocation) -> URIRef:
    return URIRef(f"{location.path.resolve().as_uri()}#line={location.line - 1},{location.line}")


def _uri(path: Path) -> str:
    """SARIF's artifact URI: relative to the working directory (the repository) if inside it."""
    relative = _relative(path)
    return relative.as_posix() if not relative.is_absolute() else relative.as_uri()


def _relative(path: Path) -> Path:
    resolved, here = path.resolve(), Path.cwd().resolve()
    return resolved.relative_to(here) if resolved.is_relative_to(here) else resolved


def _escape(value: str, *, in_property: bool) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if in_property else value


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _digest(key: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:32]
