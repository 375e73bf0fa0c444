"""Validating an edited graph again: only the shapes the edit can change are run.

An accepted edit must be validated before it is published (`kg.updates`), and validating the
whole graph costs more than the rest of the edit. But an edit changes a handful of triples, and
most shapes cannot see them: a shape reads only triples whose predicate its description or its
SPARQL queries name. So a shape is run again only if the edit added or removed

* a triple whose predicate the shape names (its paths, its targets' predicates, anything its
  SHACL-SPARQL queries name), or
* an `rdf:type` triple whose class the shape names or is a sub-class of one it names (targets,
  `sh:class`, `EXISTS { $this a C }`), or any `rdfs:subClassOf` triple, or
* for a shape that reads every triple about its focus nodes (`sh:closed`, or a query pattern
  `$this ?p ?o`), a triple about one of them;

and a shape that may read anything (a variable predicate elsewhere, a negated property path, a
closed shape checked on value nodes) always runs. The results of every other shape are the
previous run's, which is sound because pySHACL's evaluation of a shape is deterministic in the
triples it reads. Results that point into the data graph's blank nodes are never reused (their
labels belong to the previous graph), nor is anything when the shapes changed.

The hook is pySHACL's own: each top-level shape's `validate` (the call `Validator.run` makes with
no focus) is wrapped on the instance, so the run and its report are pySHACL's, with some shapes'
results taken from the memo. Upstream, the same would be a `Validator` option taking the
previous results and the changed triples. `tests/test_revalidation.py` checks the report after
edits against a full validation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.paths import NegatedPath, Path
from rdflib.term import Node

from kg import sparql_grammar

Triple = tuple[Node, Node, Node]
THIS = Variable("this")
QUERY_TEXTS = (SH.select, SH.ask, SH.construct)
NAMING = (
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH["class"],
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
)
"""Parameters whose IRI value the evaluation reads: a predicate, or a class (`rdf:type`)."""
LINKS = frozenset(
    {SH.property, SH.sparql, SH.node, SH["or"], SH["and"], SH["not"], SH.xone}
    | {SH.qualifiedValueShape, RDF.first, RDF.rest}
)
"""Links to the parts of a shape, each read in turn."""
TESTS_VALUES = frozenset(
    SH[name]
    for name in (
        *("minCount", "maxCount", "datatype", "nodeKind", "pattern", "flags", "in", "hasValue"),
        *("languageIn", "uniqueLang", "minLength", "maxLength", "minInclusive", "maxInclusive"),
        *("minExclusive", "maxExclusive", "message", "severity", "name", "description"),
        *("order", "group", "deactivated", "ignoredProperties", "prefixes", "declare"),
        *("targetNode", "qualifiedMinCount", "qualifiedMaxCount", "defaultValue"),
    )
)
"""SHACL parameters that test the value nodes found, or say nothing about the data."""
SAME_FOCUS = (SH.property, SH.sparql)
"""Links from a shape to parts checked on the same focus nodes (a property shape's `$this` is
its parent's focus node); any other link (sh:node, sh:or, sh:qualifiedValueShape...) leads to
parts checked on other nodes."""
UNREPEATABLE = frozenset(
    {"ServiceGraphPattern", "Builtin_NOW", "Builtin_RAND", "Builtin_UUID", "Builtin_STRUUID"}
    | {"Builtin_BNODE"}
)
"""Query parts whose answer may change with no change of the data: such a shape always runs."""


@dataclass(frozen=True)
class Reads:
    """What a shape's evaluation can read in the data graph."""

    names: frozenset[URIRef]
    """Every IRI in the shape's description and its queries: predicates and classes."""
    about_focus: bool = False
    """Reads every triple whose subject is one of its focus nodes."""
    any_type: bool = False
    """Reads `rdf:type` triples of any class."""
    about_reached: bool = False
    """Reads every triple about the nodes its named predicates reach from its focus nodes (a
    closed shape checked on value nodes)."""
    everything: bool = False


@dataclass(frozen=True)
class Change:
    """What an edit added or removed, as the shapes' reads see it."""

    predicates: frozenset[Node]
    subjects: frozenset[Node]
    classes: frozenset[Node]
    """Objects of the `rdf:type` triples added or removed."""

    @classmethod
    def between(cls, before: frozenset[Triple], after: frozenset[Triple]) -> Change:
        changed = before ^ after
        return cls(
            frozenset(p for _s, p, _o in changed),
            frozenset(s for s, _p, _o in changed),
            frozenset(o for _s, p, o in changed if p == RDF.type),
        )


@dataclass(frozen=True)
class ShapeRun:
    """One top-level shape's results in a run, as pySHACL returned them."""

    conforms: bool
    reports: tuple[Any, ...]
    focus: frozenset[Node]
    reusable: bool
    """False when a result points to a blank node of the data graph."""


@dataclass(frozen=True)
class Memo:
    """A validation's results per shape, and what it validated: the next edit's starting point."""

    shapes_digest: str
    triples: frozenset[Triple]
    runs: Mapping[Node, ShapeRun]
    reads: Mapping[Node, Reads]
    ran: frozenset[Node] = frozenset()
    """The shapes this run evaluated (the rest came from the memo before it)."""


def shapes_digest(shapes: Graph) -> str:
    """A digest of the shapes graph's triples, blank-node labels included.

    Canonical labelling would cost seconds on the shapes' many blank nodes; labels come free.
    The same shapes read again from a store's N-Quads keep their labels (Oxigraph's parser keeps
    them), so an edit finds its memo; shapes parsed from Turtle get new labels, and a new digest
    only means a full validation.
    """
    lines = sorted(" ".join(term.n3() for term in triple) for triple in shapes)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def reads_of(shapes: Graph, shape: Node) -> Reads:
    """What `shape` can read, from its description in `shapes` (pure).

    Only some parameters make pySHACL read the data graph: paths, targets, `sh:class` (with
    `rdf:type` and `rdfs:subClassOf`), the property pairs (`sh:equals`...), `sh:closed` and
    SHACL-SPARQL queries. The others (`sh:minCount`, `sh:pattern`, `sh:in`...) test the value
    nodes a path found. An unknown SHACL parameter, or a custom constraint component's, is
    assumed to read anything.
    """
    names: set[URIRef] = set()
    about_focus = any_type = about_reached = everything = False
    namespaces = _declared_prefixes(shapes)
    custom = {
        path
        for parameter in shapes.objects(None, SH.parameter)
        for path in shapes.objects(parameter, SH.path)
    }
    if isinstance(shape, URIRef) and (
        (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes
    ):
        names.add(shape)  # implicit class target
    pending: list[tuple[Node, bool]] = [(shape, True)]
    seen: set[Node] = set()
    while pending:
        node, same_focus = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, value in shapes.predicate_objects(node):
            if predicate == SH.path:
                names |= _iris_under(shapes, value)
            elif predicate in NAMING:
                if isinstance(value, URIRef):
                    names.add(value)
            elif predicate == SH.closed:
                if value == Literal(True):
                    about_focus = about_focus or same_focus
                    about_reached = about_reached or not same_focus
            elif predicate in QUERY_TEXTS:
                query = _query_reads(str(value), namespaces)
                names |= query.names
                any_type = any_type or query.any_type
                everything = (
                    everything or query.everything or (query.about_focus and not same_focus)
                )
                about_focus = about_focus or (query.about_focus and same_focus)
            elif predicate in LINKS:
                if isinstance(value, BNode) or (value, None, None) in shapes:
                    pending.append((value, same_focus and predicate in SAME_FOCUS))
            elif predicate in custom or (
                str(predicate).startswith(str(SH)) and predicate not in TESTS_VALUES
            ):
                everything = True
    return Reads(frozenset(names), about_focus, any_type, about_reached, everything=everything)


def _iris_under(shapes: Graph, path: Node) -> set[URIRef]:
    """The predicates a SHACL property path names (a list, `sh:inversePath`, ...)."""
    if isinstance(path, URIRef):
        return {path}
    found: set[URIRef] = set()
    for _p, value in shapes.predicate_objects(path):
        if value != RDF.nil:
            found |= _iris_under(shapes, value)
    return found


def _declared_prefixes(shapes: Graph) -> dict[str, str]:
    """The sh:declare prefixes of the shapes graph, as pySHACL gives them to each query."""
    found = {}
    for declaration in shapes.objects(None, SH.declare):
        prefix, namespace = (
            shapes.value(declaration, SH.prefix),
            shapes.value(declaration, SH.namespace),
        )
        if prefix is not None and namespace is not None:
            found[str(prefix)] = str(namespace)
    return found


def _query_reads(text: str, namespaces: Mapping[str, str]) -> Reads:
    """The IRIs a SHACL-SPARQL query names, and whether a pattern reads more than those."""
    try:
        query = sparql_grammar.prepare_query(text, namespaces=namespaces)
    except Exception:
        return Reads(frozenset(), everything=True)
    names: set[URIRef] = set()
    about_focus = any_type = False
    # A SERVICE reads data no edit changes; NOW, RAND, UUID... answer otherwise each time.
    everything = bool(_operators(query.algebra) & UNREPEATABLE)
    for subject, predicate, obj in _patterns(query.algebra):
        for term in (subject, obj):
            if isinstance(term, URIRef):
                names.add(term)
        if isinstance(predicate, URIRef):
            names.add(predicate)
            any_type = any_type or (predicate == RDF.type and isinstance(obj, Variable))
        elif isinstance(predicate, Path):
            names |= _path_iris(predicate)
            everything = everything or _has_negation(predicate)
        elif subject in (THIS, Variable("PATH")) or predicate == Variable("PATH"):
            about_focus = True
        else:
            everything = True
    return Reads(frozenset(names), about_focus, any_type, everything=everything)


def _patterns(node: Any) -> Iterable[tuple[Node, Any, Node]]:
    """Every triple pattern of an rdflib algebra expression, subqueries and EXISTS included."""
    yield from (t for t in _walk(node) if isinstance(t, tuple) and len(t) == 3)


def _operators(node: Any) -> set[str]:
    """The names of the algebra's operators and functions (rdflib's CompValue names)."""
    found: set[str] = set()
    pending, seen = [node], set()
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            found.add(str(getattr(item, "name", "")))
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _walk(node: Any) -> Iterable[Any]:
    pending = [node]
    seen: set[int] = set()
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):  # CompValue is a dict
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif (isinstance(item, tuple) and len(item) == 3) or isinstance(item, Node | Path):
            yield item


def _path_iris(path: Path) -> set[URIRef]:
    found: set[URIRef] = set()
    for part in vars(path).values():
        for item in part if isinstance(part, list) else [part]:
            if isinstance(item, URIRef):
                found.add(item)
            elif isinstance(item, Path):
                found |= _path_iris(item)
    return found


def _has_negation(path: Path) -> bool:
    if isinstance(path, NegatedPath):
        return True
    return any(
        isinstance(item, Path) and _has_negation(item)
        for part in vars(path).values()
        for item in (part if isinstance(part, list) else [part])
    )


def affects(change: Change, reads: Reads, focus: frozenset[Node], data: Graph) -> bool:
    """Whether `change` can alter the results of a shape with `reads` and `focus` nodes, the
    data being `data` after the change."""
    if reads.everything or RDFS.subClassOf in change.predicates:
        return True
    if (change.predicates - {RDF.type}) & reads.names:
        return True
    if change.classes and (reads.any_type or change.classes & sub_classes(data, reads.names)):
        return True
    if reads.about_focus and change.subjects & focus:
        return True
    return reads.about_reached and bool(change.subjects & reached(data, focus, reads.names))


def reached(data: Graph, start: Iterable[Node], predicates: Iterable[Node]) -> set[Node]:
    """The nodes linked to `start` by triples of `predicates`, either way, transitively: every
    node a path of those predicates can reach (an over-approximation of the value nodes); a
    start node only if a path leads back to it."""
    named = set(predicates)
    found: set[Node] = set()
    visited = set(start)
    pending = list(visited)
    while pending:
        node = pending.pop()
        for predicate in named:
            for other in (*data.objects(node, predicate), *data.subjects(predicate, node)):
                found.add(other)
                if other not in visited:
                    visited.add(other)
                    pending.append(other)
    return found


def sub_classes(data: Graph, names: Iterable[Node]) -> set[Node]:
    """`names` and every class below one of them by `rdfs:subClassOf` in `data`."""
    found: set[Node] = set()
    for name in names:
        if name not in found:
            found |= {node for node in data.transitive_subjects(RDFS.subClassOf, name) if node}
    return found


def learned(memo: Memo, shapes: Graph) -> Memo:
    """`memo` with what each of its named shapes reads worked out now (`reads_of` parses their
    SHACL-SPARQL queries: ~0.2 s on the project), which the first incremental validation after
    it would otherwise do while someone waits on an edit."""
    reads = dict(memo.reads)
    for node in memo.runs:
        if isinstance(node, URIRef) and node not in reads:
            reads[node] = reads_of(shapes, node)
    return replace(memo, reads=reads)


def hook(validator: Any, data: Graph, memo: Memo | None, digest: str) -> Callable[[], Memo]:
    """Set up a pySHACL `Validator` so that `run()` re-runs only the shapes the change since
    `memo` can affect; returns what makes the next memo, to call after `run()`.

    pySHACL's shapes are `__slots__` objects, so each top-level shape is put in the shapes
    graph's cache behind a proxy (`_Memoised`) whose `validate` answers from the memo or
    delegates; every other attribute and every nested call go to the shape itself.
    """
    triples = frozenset(data)
    usable = memo if memo is not None and memo.shapes_digest == digest else None
    change = Change.between(usable.triples, triples) if usable is not None else None
    sg = validator.shacl_graph
    runs: dict[Node, ShapeRun] = {}
    reads: dict[Node, Reads] = {}
    ran: set[Node] = set()
    cache = sg._node_shape_cache
    for shape in list(sg.shapes):
        node = shape.node
        previous = usable.runs.get(node) if usable is not None else None
        reuse = False
        # What a shape reads: asked when needed, and only of named shapes (a blank-node shape
        # always runs: nothing ties it to the same shape in the next shapes graph).
        if usable is not None and change is not None and isinstance(node, URIRef):
            known = usable.reads.get(node)
            shape_reads = known if known is not None else reads_of(sg.graph, node)
            reads[node] = shape_reads
            reuse = (
                previous is not None
                and previous.reusable
                and not affects(change, shape_reads, previous.focus, data)
            )
        cache[node] = _Memoised(shape, previous if reuse else None, runs, ran)

    def next_memo() -> Memo:
        return Memo(digest, triples, runs, reads, frozenset(ran))

    return next_memo


class _Memoised:
    """A top-level shape whose own run is answered from the memo, or recorded for the next."""

    def __init__(
        self, shape: Any, reused: ShapeRun | None, runs: dict[Node, ShapeRun], ran: set[Node]
    ) -> None:
        self._shape, self._reused, self._runs, self._ran = shape, reused, runs, ran

    def __getattr__(self, name: str) -> Any:
        return getattr(self._shape, name)

    def validate(
        self, executor: Any, target_graph: Any, focus: Any = None, _evaluation_path: Any = None
    ) -> Any:
        shape = self._shape
        if focus is not None or _evaluation_path is not None:  # nested: part of another shape
            return shape.validate(executor, target_graph, focus, _evaluation_path)
        if self._reused is not None:
            self._runs[shape.node] = self._reused
            return self._reused.conforms, list(self._reused.reports)
        conforms, reports = shape.validate(executor, target_graph)
        focus_nodes = frozenset(shape.focus_nodes(target_graph))
        self._runs[shape.node] = ShapeRun(
            conforms, tuple(reports), focus_nodes, _reusable(reports, shape.sg.graph)
        )
        self._ran.add(shape.node)
        return conforms, reports


def _reusable(reports: Iterable[Any], shapes: Graph) -> bool:
    """No result points to a blank node of the data graph (pySHACL writes nodes as `(graph,
    node)` pairs, cloned into the report when it is made; `shapes` is the shapes graph's)."""
    for _text, _node, triples in reports:
        for _s, _p, value in triples:
            if isinstance(value, tuple) and isinstance(value[1], BNode) and value[0] is not shapes:
                return False
    return True


def run(
    target: Graph, shapes: Graph, digest: str, memo: Memo | None, inplace: bool
) -> tuple[Graph, Memo]:
    """Run pySHACL on `target` as `pyshacl.validate` would (SHACL-SPARQL on, no inference),
    with only the shapes the change since `memo` can affect evaluated; the report graph and
    the next memo.

    Args:
        shapes: the shapes graph pySHACL may add to (a copy), whose digest is `digest`.
        inplace: pySHACL works on `target` itself rather than on its own clone.
    """
    from pyshacl import Validator
    from pyshacl.graph_abstraction import DataGraph
    from pyshacl.monkey import apply_patches
    from pyshacl.validator import assign_baked_in

    # What pyshacl.validate does before it makes its Validator.
    apply_patches()  # type: ignore[no-untyped-call]
    assign_baked_in()  # type: ignore[no-untyped-call]
    options = {"advanced": True, "inference": "none", "abort_on_first": False, "inplace": inplace}
    validator = Validator(DataGraph.from_rdflib(target), shacl_graph=shapes, options=options)
    next_memo = hook(validator, target, memo, digest)
    _conforms, report, _text = validator.run()  # type: ignore[no-untyped-call]
    return report, next_memo()
