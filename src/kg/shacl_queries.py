"""The data graph pySHACL validates, with its SHACL-SPARQL queries answered by Oxigraph.

pySHACL evaluates a SPARQL-based constraint (https://www.w3.org/TR/shacl/#sparql-constraints)
once per focus node, as `Graph.query(text, initBindings={"this": focus})`, and rdflib's SPARQL
engine took ~3.8 of the ~5 s `kg validate` spent in pySHACL (1,226 evaluations, mostly FILTER
and EXISTS). rdflib's `Graph.query` first asks the graph's store and falls back to its own
processor only when the store raises NotImplementedError, so `OxigraphQueryStore` keeps rdflib's
Memory store for `triples()` (which pySHACL's core constraints call thousands of times, and
which is faster in Python than converting Oxigraph's terms) and answers `query()` from a
pyoxigraph in-memory copy of the same triples. pyoxigraph's `substitutions` implement SEP-0007,
the substitution SHACL's pre-binding (https://www.w3.org/TR/shacl/#pre-binding) describes, so
`$this` and `$currentShape` are bound the way rdflib's `initBindings` bind them, inside EXISTS
too. pySHACL pastes `$PATH` and its PREFIX declarations into the text itself.

Every query the copy cannot answer as rdflib would goes to rdflib, by NotImplementedError:

* the copy is not faithful: Oxigraph stores some literals in canonical form ("01"^^xsd:integer
  comes back as "1", "+5"^^xsd:positiveInteger as "5"^^xsd:integer, a language tag in lower
  case), so STR, DATATYPE or LANG could differ, and two terms rdflib keeps apart can become one.
  The copy is read back once and compared with the graph; any difference sends every query to
  rdflib;
* the text does not parse for Oxigraph, or binds a variable it does not project (Oxigraph
  refuses the substitution), or is a prepared rdflib Query, or asks for a CONSTRUCT/DESCRIBE;
* custom SPARQL functions are registered with rdflib (pySHACL registers a shapes graph's
  sh:SPARQLFunction there), which Oxigraph does not know;
* a REGEX or REPLACE whose pattern Rust's regex crate may read otherwise than Python's `re`
  (`kg.sparql_regex`).

What is left are the engines' arithmetic (Oxigraph's xsd:decimal keeps 18 fractional digits,
rdflib's Python Decimal 28 significant ones) and `\\s`, which in Python also matches the
control characters U+001C to U+001F: the project's shapes compare no such values.

Answers are mapped back to the data's own terms (an Oxigraph xsd:string literal is rdflib's plain
literal, a blank node keeps its label), so a report names exactly the nodes it named before.
Terms a query computes (BIND, STR...) are converted as they come. The Oxigraph copy is rebuilt
from Memory before the first query that follows any change (pySHACL's rules or inference write
to the graph it validates), so it is never stale.

The patch that would do this upstream is a pySHACL data graph backed by both stores: pySHACL's
own `OxigraphDataGraph` (a pyoxigraph Store given as the data graph) runs everything, `triples()`
included, on Oxigraph, which took 12 s of CPU time on the project's graph instead of 0.6 s, and
reports Oxigraph's canonical literals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, Variable
from rdflib.graph import ConjunctiveGraph
from rdflib.plugins.sparql import operators
from rdflib.plugins.stores.memory import Memory
from rdflib.query import Result
from rdflib.term import Identifier, Node

from kg import sparql_regex
from kg.oxigraph_terms import OxTerm, from_oxigraph, to_oxigraph

ANY = (None, None, None)

OXIGRAPH_ERRORS = (SyntaxError, RuntimeError, ValueError, TypeError)
"""What pyoxigraph raises for a query it will not run (a syntax it lacks, a substitution of a
variable it does not project) or a term it cannot hold (a blank node label it rejects)."""


class NotFaithfulError(ValueError):
    """The Oxigraph copy would not hold the same terms as the graph."""


class OxigraphQueryStore(Memory):
    """rdflib's Memory store, whose SELECT and ASK queries an Oxigraph copy answers."""

    def __init__(self) -> None:
        super().__init__()
        self._copy: Copy | None = None
        self._changed = True

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        """Add to Memory; the Oxigraph copy is rebuilt before the next query."""
        super().add(triple, context, quoted)
        self._changed = True

    def remove(self, triple: Any, context: Any = None) -> None:
        """Remove from Memory; the Oxigraph copy is rebuilt before the next query."""
        super().remove(triple, context)
        self._changed = True

    def query(
        self,
        query: Any,
        initNs: Mapping[str, Any],  # noqa: N803 (rdflib's keyword names)
        initBindings: Mapping[str, Identifier],  # noqa: N803
        queryGraph: Any,  # noqa: N803
        **kwargs: Any,
    ) -> Result:
        """The answer of Oxigraph's copy, or NotImplementedError to let rdflib answer.

        Raises:
            NotImplementedError: rdflib's processor must answer (see the module docstring).
        """
        if not isinstance(query, str) or kwargs:
            raise NotImplementedError("answered by rdflib: a prepared query or options")
        if custom_functions_registered():
            raise NotImplementedError("answered by rdflib: custom functions are registered")
        if not sparql_regex.portable(query):
            raise NotImplementedError("answered by rdflib: a regex Oxigraph may read otherwise")
        copy = self._current_copy()
        if copy is None:
            raise NotImplementedError("answered by rdflib: the Oxigraph copy is not faithful")
        if queryGraph != copy.graph:
            raise NotImplementedError("answered by rdflib: not the graph Oxigraph holds")
        try:
            return copy.answer(query, initNs, initBindings)
        except OXIGRAPH_ERRORS as error:
            raise NotImplementedError(f"answered by rdflib: {error}") from error

    def _current_copy(self) -> Copy | None:
        if self._changed:
            self._changed = False
            try:
                self._copy = Copy.of(self)
            except OXIGRAPH_ERRORS:  # NotFaithfulError among them
                self._copy = None
        return self._copy


@dataclass(frozen=True)
class Copy:
    """An Oxigraph store holding a graph's triples, and the graph's terms for its answers."""

    store: ox.Store
    graph: Node
    """The identifier of the rdflib graph copied, the one whose queries the copy answers."""
    terms: dict[OxTerm, Identifier]

    @classmethod
    def of(cls, memory: Memory) -> Copy:
        """Oxigraph's copy of the one graph in `memory`, in its default graph.

        Raises:
            NotFaithfulError: not one graph, or a term would not come back as it went in.
            ValueError, TypeError: a term pyoxigraph refuses (a blank node label, a literal
                subject).
        """
        graphs = [graph.identifier for graph in memory.contexts()]
        if len(graphs) != 1:
            raise NotFaithfulError(f"{len(graphs)} graphs in the store, not one")
        terms: dict[OxTerm, Identifier] = {}
        converted: dict[Node, OxTerm] = {}

        def term(node: Node) -> OxTerm:
            found = converted.get(node)
            if found is None:
                if not isinstance(node, Identifier):
                    raise NotFaithfulError(f"{node!r} is not an RDF term")
                found = converted[node] = to_oxigraph(node)
                tag = node.language if isinstance(node, Literal) else None
                if isinstance(found, ox.Literal) and found.language != tag:
                    raise NotFaithfulError(f"{node.n3()}: Oxigraph lower-cases language tags")
                if terms.setdefault(found, node) != node:  # e.g. "a" and "a"^^xsd:string
                    raise NotFaithfulError(f"{node.n3()} and {terms[found].n3()} are one term")
            return found

        quads = {quad(term(s), term(p), term(o)) for (s, p, o), _ in memory.triples(ANY)}
        store = ox.Store()
        store.extend(quads)
        if set(store) != quads:
            raise NotFaithfulError("Oxigraph keeps some literal in another form")
        return cls(store, graphs[0], terms)

    def answer(
        self, text: str, namespaces: Mapping[str, Any], bindings: Mapping[str, Identifier]
    ) -> Result:
        """The answer to `text` with `bindings` pre-bound, as rdflib's processor gives it.

        Raises:
            NotImplementedError: a CONSTRUCT or DESCRIBE query, left to rdflib.
        """
        answer = self.store.query(
            text,
            prefixes={str(prefix): str(namespace) for prefix, namespace in namespaces.items()},
            substitutions={ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()},
        )
        if isinstance(answer, ox.QueryBoolean):
            result = Result("ASK")
            result.askAnswer = bool(answer)
            return result
        if not isinstance(answer, ox.QuerySolutions):
            raise NotImplementedError("only SELECT and ASK are answered by Oxigraph")
        result = Result("SELECT")
        result.vars = [Variable(v.value) for v in answer.variables]
        result.bindings = [
            {
                name: self.rdflib_term(value)
                for name, value in zip(result.vars, solution, strict=True)
                if value is not None
            }
            for solution in answer
        ]
        return result

    def rdflib_term(self, value: Any) -> Identifier:
        """The graph's own term for `value`, or a conversion of a term the query made."""
        known = self.terms.get(value)  # not `or`: an empty literal is false
        return known if known is not None else from_oxigraph(value)


def quad(subject: OxTerm, predicate: OxTerm, value: OxTerm) -> ox.Quad:
    """A quad of Oxigraph's default graph.

    Raises:
        NotFaithfulError: a literal subject or a predicate that is not an IRI (rdflib allows
            them, RDF does not).
    """
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise NotFaithfulError(f"({subject}, {predicate}, {value}) is not an RDF triple")
    return ox.Quad(subject, predicate, value)


def custom_functions_registered() -> bool:
    """Whether a SPARQL function beyond rdflib's own XSD casts is registered with rdflib.

    rdflib keeps no public list: its casts (xsd:integer(...)) share `_CUSTOM_FUNCTIONS` with
    the functions pySHACL registers from a shapes graph.
    """
    registered = getattr(operators, "_CUSTOM_FUNCTIONS", None)
    cast = getattr(operators, "default_cast", None)
    if registered is None or cast is None:
        return True  # another rdflib: assume the worst, rdflib answers
    return any(function is not cast for function, _ in registered.values())


def queryable_graph() -> Graph:
    """An empty graph whose queries Oxigraph answers: to fill, and validate in place."""
    return Graph(store=OxigraphQueryStore(), bind_namespaces="core")


def queryable_copy(data: Graph) -> Graph | None:
    """A copy of `data` whose queries Oxigraph answers, or None for a dataset.

    The copy has `data`'s identifier and prefixes, as pySHACL's own clone would.
    """
    if isinstance(data, ConjunctiveGraph):
        return None  # pySHACL validates a dataset's graphs apart: left to it
    copy = Graph(store=OxigraphQueryStore(), identifier=data.identifier, bind_namespaces="core")
    for prefix, namespace in data.namespace_manager.namespaces():
        copy.namespace_manager.bind(prefix, namespace, override=True, replace=True)
    copy += data
    return copy
