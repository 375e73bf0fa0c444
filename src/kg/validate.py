"""SHACL validation through pySHACL, turned into plain results a CLI can rank and render.

Implements the validation report of SHACL, https://www.w3.org/TR/shacl/#validation-report,
and checks shapes graphs against SHACL-for-SHACL, https://www.w3.org/TR/shacl/#shacl-shacl.
Rendering lives in `kg.report`; this module only runs pySHACL and reads its report graph.

Speed: pySHACL's core constraints read the data through rdflib's Memory store, and its
SHACL-SPARQL constraints (one query per focus node) are answered by Oxigraph through
`kg.shacl_queries`, which leaves to rdflib's engine any query Oxigraph might answer otherwise;
pySHACL checks each query text's syntax once (`kg.shacl_syntax`), and what rdflib still answers
it parses once per text (`kg.sparql_grammar`). That took `validate` on the project's graph from
~1.9 to ~0.65 s of CPU time, most of what is left being pySHACL's core constraints.
"""

from __future__ import annotations

import enum
import hashlib
import threading
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace

from pyshacl import validate as pyshacl_validate
from pyshacl.entrypoints import meta_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg import revalidation, shacl_queries, shacl_syntax, sparql_grammar
from kg.locate import SourceLocation
from kg.recent import Recent

MEMOS: Recent[str, revalidation.Memo] = Recent(2)
"""The last incremental validation's results, per shapes digest: the next one's start."""
VALIDATING: Recent[str, threading.Lock] = Recent(4)
"""Per shapes digest, held while an incremental validation runs."""
ResultKey = tuple[str, str, str, str, str]
"""(focus node, result path, constraint component, source shape, value), each as `term_key`."""


class Severity(enum.IntEnum):
    """SHACL severities, ordered so that `--fail-on` is a simple comparison."""

    INFO = 1
    WARNING = 2
    VIOLATION = 3

    @property
    def iri(self) -> URIRef:
        """The sh:Info / sh:Warning / sh:Violation IRI of this severity."""
        return SEVERITY_IRIS[self]

    @property
    def label(self) -> str:
        """Lower-case name, as used on the command line and in JSON."""
        return self.name.lower()

    @classmethod
    def from_iri(cls, iri: Node | None) -> Severity:
        """Map a sh:resultSeverity; SHACL allows custom severities, treated as violations."""
        return next((sev for sev, known in SEVERITY_IRIS.items() if known == iri), cls.VIOLATION)


SEVERITY_IRIS: dict[Severity, URIRef] = {
    Severity.INFO: SH.Info,
    Severity.WARNING: SH.Warning,
    Severity.VIOLATION: SH.Violation,
}


@dataclass(frozen=True)
class ValidationResult:
    """One sh:ValidationResult, with the source position of its focus node when known."""

    focus_node: Node
    result_path: Node | None
    value: Node | None
    message: str
    severity: Severity
    source_shape: Node
    constraint_component: Node
    location: SourceLocation | None = None
    key: ResultKey = field(default=("", "", "", "", ""), compare=False)
    """Identity across runs, computed from the report graph (see `result_key`)."""
    node: Node | None = field(default=None, compare=False)
    """The result's own node in the report graph, to find its path expression or drop it."""


@dataclass(frozen=True)
class ValidationReport:
    """Results sorted worst first, and the sh:ValidationReport graph they were read from."""

    results: list[ValidationResult]
    graph: Graph

    def failing(self, threshold: Severity) -> list[ValidationResult]:
        """Results whose severity is at or above `threshold`."""
        return [result for result in self.results if result.severity >= threshold]

    def conforms_at(self, threshold: Severity) -> bool:
        """True when no result reaches `threshold` (SHACL's sh:conforms is `threshold=INFO`)."""
        return not self.failing(threshold)

    def counts(self) -> dict[Severity, int]:
        """Number of results per severity, every severity present, worst first."""
        return {sev: sum(r.severity is sev for r in self.results) for sev in reversed(Severity)}

    def without(self, keys: Collection[ResultKey]) -> ValidationReport:
        """A copy without the results whose key is in `keys`, graph and sh:conforms agreeing.

        A result's description (its blank nodes) is dropped unless a kept result shares it.
        """
        kept = [r for r in self.results if r.key not in keys]
        dropped = {r.node for r in self.results if r.key in keys}
        every = reachable(self.graph, [r.node for r in self.results if r.node is not None])
        keep = reachable(self.graph, [r.node for r in kept if r.node is not None])
        graph = Graph(namespace_manager=self.graph.namespace_manager)
        for s, p, o in self.graph:
            if (s not in every or s in keep) and not (p == SH.result and o in dropped):
                graph.add((s, p, o))
        for report in graph.subjects(RDF.type, SH.ValidationReport):
            graph.set((report, SH.conforms, Literal(not kept)))
        return ValidationReport(kept, graph)

    def with_locations(self, locations: dict[Node, SourceLocation | None]) -> ValidationReport:
        """A copy whose results carry the location found for their focus node."""
        return ValidationReport(
            [replace(r, location=locations.get(r.focus_node, r.location)) for r in self.results],
            self.graph,
        )


def learn(shapes: Graph) -> None:
    """Work out what each shape reads for the memo of the last validation against `shapes`, so
    that the next incremental one (an edit's) does not (`revalidation.learned`); nothing when
    this process has not validated against them."""
    digest = revalidation.shapes_digest(shapes)
    with VALIDATING.get(digest, threading.Lock):
        memo = MEMOS.peek(digest)
        if memo is not None:
            MEMOS.put(digest, revalidation.learned(memo, shapes))


def validate(
    data: Graph,
    shapes: Graph,
    ontology: Graph | None = None,
    inference: str = "none",
    incremental: bool = False,
    in_place: bool = False,
) -> ValidationReport:
    """Validate `data` against `shapes` with SHACL Advanced Features (SHACL-SPARQL) enabled.

    Args:
        data: the graph to check; pySHACL works on a copy (ours, whose SHACL-SPARQL queries
            Oxigraph answers: `kg.shacl_queries.queryable_copy`), so it is left untouched.
        shapes: the shapes graph, left untouched too.
        ontology: pySHACL's ont_graph, mixed into the copy before inference so that e.g. a
            subclass instance is a target of its superclass's shapes. pySHACL copies only
            its RDFS/OWL axioms (declarations, sub-class...), not labels or definitions.
        inference: "none", "rdfs", "owlrl" or "both", as pySHACL names them.
        incremental: run only the shapes that the change since this process last validated
            against the same shapes can affect (`kg.revalidation`), the others keeping their
            results; the same report. What an edit asks for: the server validates one release
            after another.
        in_place: `data` is the caller's to give away (a `shacl_queries.queryable_graph`
            filled for this validation), so pySHACL works on it rather than on a copy; shapes
            with SHACL rules would add to it.

    Returns:
        Every result, whatever its severity: callers pick the failing threshold.

    Raises:
        pyshacl.errors.ReportableRuntimeError: the shapes cannot be loaded (see `check_shapes`).
    """
    sparql_grammar.install()  # what rdflib still answers is parsed once, not once per focus node
    shacl_syntax.install()  # and pySHACL checks each SHACL-SPARQL text once
    shapes_copy = Graph()  # pySHACL adds triples to the shapes graph it is given
    shapes_copy += shapes
    # pySHACL clones the data graph (into rdflib's Memory store) unless told to work in place:
    # it is given our own copy to work on in place, so that the copy's store answers queries.
    owned = in_place and isinstance(data.store, shacl_queries.OxigraphQueryStore)
    copy = data if owned else shacl_queries.queryable_copy(data)
    target = data if copy is None else copy
    if incremental and ontology is None and inference == "none":
        digest = revalidation.shapes_digest(shapes)
        # One at a time per shapes: an edit that comes while the server prepares its first
        # (kg.updates.prepare_edits) waits for those results rather than validating all beside it.
        with VALIDATING.get(digest, threading.Lock):
            memo = MEMOS.peek(digest)
            graph, memo = revalidation.run(target, shapes_copy, digest, memo, copy is not None)
            MEMOS.put(digest, memo)
        return read_report(graph)
    _, graph, _ = pyshacl_validate(
        target,
        inplace=copy is not None,
        shacl_graph=shapes_copy,
        ont_graph=ontology,
        inference=inference,
        advanced=True,
        abort_on_first=False,
    )
    return read_report(_as_graph(graph))


def check_shapes(shapes: Graph) -> ValidationReport:
    """Validate a shapes graph against SHACL-for-SHACL, the meta-shapes pySHACL bundles.

    pySHACL's `meta_shacl=True` only raises on failure; calling its meta validation directly
    keeps the results, so malformed shapes (e.g. `sh:minCount "x"`) are reported like data.
    """
    _, graph, _ = meta_validate(shapes, inference="rdfs")
    return read_report(_as_graph(graph))


def read_report(graph: Graph) -> ValidationReport:
    """Read the results of a sh:ValidationReport graph (ours, pySHACL's or a saved one)."""
    results = [_read_result(graph, node) for node in _result_nodes(graph)]
    results.sort(key=lambda r: (-r.severity, r.key, r.message))
    return ValidationReport(results, graph)


def result_key(graph: Graph, node: Node) -> ResultKey:
    """The identity of the result `node` in `graph`, equal across runs on the same input.

    Blank nodes (property shapes, path expressions, blank focus nodes) get a fresh label on
    every parse, so they are keyed by a digest of their description instead. A SPARQL
    constraint's shape key also names its sh:sourceConstraint, since one shape may hold many.
    """
    shape = term_key(graph, graph.value(node, SH.sourceShape))
    constraint = graph.value(node, SH.sourceConstraint)
    if constraint is not None:
        shape += " " + term_key(graph, constraint)
    return (
        term_key(graph, graph.value(node, SH.focusNode)),
        term_key(graph, graph.value(node, SH.resultPath)),
        term_key(graph, graph.value(node, SH.sourceConstraintComponent)),
        shape,
        term_key(graph, graph.value(node, SH.value)),
    )


def term_key(graph: Graph, term: Node | None) -> str:
    """N-Triples form of an IRI or literal; `_:` and a description digest for a blank node."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "_:" + _describe_digest(graph, term)
    if isinstance(term, URIRef | Literal):
        return term.n3()
    return str(term)


def _describe_digest(graph: Graph, root: BNode) -> str:
    """Digest of the triples reachable from `root` through blank nodes, labels canonicalised.

    Every node of this subgraph is reachable from `root`, so its canonical form identifies
    `root` up to nodes that are indistinguishable anyway.
    """
    description = Graph()
    for node in reachable(graph, [root]):
        for triple in graph.triples((node, None, None)):
            description.add(triple)
    lines = sorted(to_canonical_graph(description).serialize(format="nt").splitlines())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def reachable(graph: Graph, roots: Iterable[Node]) -> set[Node]:
    """The roots and every blank node reachable from them: the description they own."""
    seen: set[Node] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        if node not in seen:
            seen.add(node)
            pending.extend(o for o in graph.objects(node, None) if isinstance(o, BNode))
    return seen


def _result_nodes(graph: Graph) -> Iterator[Node]:
    """Top-level results only: nested sh:detail results belong to their parent."""
    for report in graph.subjects(RDF.type, SH.ValidationReport):
        yield from graph.objects(report, SH.result)


def _read_result(graph: Graph, node: Node) -> ValidationResult:
    messages = sorted(str(m) for m in graph.objects(node, SH.resultMessage))
    component = graph.value(node, SH.sourceConstraintComponent) or SH.ConstraintComponent
    return ValidationResult(
        focus_node=_required(graph.value(node, SH.focusNode)),
        result_path=graph.value(node, SH.resultPath),
        value=graph.value(node, SH.value),
        message="; ".join(messages) or _default_message(component),
        severity=Severity.from_iri(graph.value(node, SH.resultSeverity)),
        source_shape=_required(graph.value(node, SH.sourceShape)),
        constraint_component=component,
        key=result_key(graph, node),
        node=node,
    )


def _default_message(component: Node) -> str:
    name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    return f"{name} constraint not satisfied"


def _required(term: Node | None) -> Node:
    # SHACL requires these on every result; a report missing them still deserves rendering.
    return term if term is not None else BNode()


def _as_graph(graph: object) -> Graph:
    """pySHACL returns the failure itself in place of a graph when validation broke down."""
    if isinstance(graph, BaseException):
        raise graph
    if not isinstance(graph, Graph):
        raise TypeError(f"pySHACL returned {type(graph).__name__}, not a report graph")
    return graph
