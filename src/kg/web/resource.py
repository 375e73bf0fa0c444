"""Pure: the description of one resource, as queries and as what its HTML page shows.

The description is CBD-like (https://www.w3.org/submission/CBD/): the resource's outgoing
triples in every graph, its incoming triples, blank nodes expanded two levels, and the claims
about it (https://www.w3.org/TR/rdf11-mt/#reification: `pv:Claim` rdf:subject/predicate/object)
with their quotes (`pv:evidence` -> `oa:hasTarget` -> `oa:hasSelector` -> `oa:exact`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from kg.namespaces import OA, ONTOLOGY_GRAPH, PREFIXES, PV
from kg.web.paths import path_of

LANGUAGES = ("en", "fr")
"""The languages of our labels; the first is the fallback."""

EXTERNAL_LINKS = (
    OWL.sameAs, FOAF.isPrimaryTopicOf, FOAF.homepage, SKOS.exactMatch, SKOS.closeMatch,
    SKOS.narrowMatch, SKOS.broadMatch, RDFS.seeAlso,
)  # fmt: skip
"""Properties whose values are links to other datasets and sites: listed in their section."""

BASIS_CLASSES = {
    PV.studyStatement: "study",
    PV.interpretation: "interpretation",
    PV.referenceFact: "reference",
}
"""The basis of a claim -> the CSS class that sets it apart on the page."""

_EXPAND = "OPTIONAL {{ ?{0} ?{0}p ?{0}o . FILTER(isBlank(?{0})) OPTIONAL {{ ?{0}o ?{0}q ?{0}v . FILTER(isBlank(?{0}o)) }} }}"  # noqa: E501


def description_query(iri: str) -> str:
    """CONSTRUCT the description of `iri` (an IRI checked by `kg.web.paths.RESOURCE_PATH`)."""
    claim = f"?c <{RDF.subject}> ?r ; ?cp ?co ."
    return f"""CONSTRUCT {{
  ?r ?p ?o . ?o ?op ?oo . ?oo ?oq ?ov .
  ?s ?ip ?r . ?s ?sp ?so . ?so ?sq ?sv .
  ?c ?cp ?co . ?e <{OA.hasTarget}> ?t . ?t ?tp ?to . ?to ?tq ?tv .
}} WHERE {{
  VALUES ?r {{ <{iri}> }}
  {{ ?r ?p ?o . {_EXPAND.format("o")} }}
  UNION {{ ?s ?ip ?r . {_EXPAND.format("s")} }}
  UNION {{ {claim} }}
  UNION {{ ?c <{RDF.subject}> ?r ; <{PV.evidence}> ?e . ?e <{OA.hasTarget}> ?t .
    ?t ?tp ?to . OPTIONAL {{ ?to ?tq ?tv . FILTER(isBlank(?to)) }} }}
}}"""


def labels_query(iri: str) -> str:
    """CONSTRUCT the labels the page of `iri` needs: its neighbours' and our ontology's terms."""
    label = f"<{RDFS.label}>"
    return f"""CONSTRUCT {{ ?x {label} ?l }} WHERE {{
  VALUES ?r {{ <{iri}> }}
  {{ ?r ?p ?x . ?x {label} ?l }}
  UNION {{ ?x ?p ?r . ?x {label} ?l }}
  UNION {{ ?c <{RDF.subject}> ?r ; ?p ?x . ?x {label} ?l }}
  UNION {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?x {label} ?l }} }}
}}"""


def select_query(iri: str) -> str:
    """The query the page offers to open in the query UI."""
    return (
        f"SELECT ?property ?value\nWHERE {{ <{iri}> ?property ?value }}\n"
        "ORDER BY ?property ?value\n"
    )


@dataclass(frozen=True)
class Term:
    """A node as the page shows it: a label, and where a link goes (none for a literal)."""

    text: str
    href: str | None = None
    external: bool = False
    language: str | None = None
    datatype: str | None = None
    details: tuple[tuple[Term, Term], ...] = ()
    """A blank node's own properties."""


@dataclass(frozen=True)
class Support:
    """A claim behind a fact: its basis, the quote or source, its rationale."""

    claim: Term
    basis: Term
    basis_class: str
    quotes: tuple[tuple[Term, str], ...]
    sources: tuple[Term, ...]
    rationale: str | None


@dataclass(frozen=True)
class Fact:
    """One value of a property, and the claims that support it."""

    value: Term
    supports: tuple[Support, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One SHACL result whose focus node is the resource."""

    severity: str
    message: str
    path: Term | None
    shape: Term | None


@dataclass
class Page:
    """What the HTML page of one resource shows."""

    iri: str
    label: str
    other_labels: list[tuple[str, str]]
    types: list[Term]
    properties: list[tuple[Term, list[Fact]]]
    external: list[tuple[Term, Term]]
    incoming: list[tuple[Term, Term]]
    findings: list[Finding] = field(default_factory=list)


class Labeller:
    """Labels in one language (falling back on the other), else prefixed names."""

    def __init__(self, labels: Graph, language: str, base: str) -> None:
        self.labels = labels
        self.language = language
        self.base = base

    def text(self, node: Node) -> str:
        """The label of `node` in the page's language, else in another, else its short name."""
        found = {lit.language: str(lit) for lit in self._literals(node)}
        for language in (self.language, *LANGUAGES, None):
            if language in found:
                return found[language]
        if found:
            return sorted(found.values())[0]
        return self.short(node)

    def others(self, node: Node) -> list[tuple[str, str]]:
        """The labels of `node` in the other languages, (language, text), if they differ."""
        main = self.text(node)
        return sorted(
            (lit.language or "", str(lit))
            for lit in self._literals(node)
            if lit.language != self.language and str(lit) != main
        )

    def short(self, node: Node) -> str:
        """A prefixed name (`pv:legalForm`), or the IRI as it is."""
        iri = str(node)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def term(self, node: Node, graph: Graph | None = None, depth: int = 0) -> Term:
        """`node` as the page shows it; a blank node of `graph` with its properties."""
        if isinstance(node, Literal):
            datatype = self.short(node.datatype) if node.datatype else None
            return Term(str(node), language=node.language, datatype=datatype)
        if isinstance(node, BNode):
            details: tuple[tuple[Term, Term], ...] = ()
            if graph is not None and depth < 3:
                details = tuple(
                    (self.term(p), self.term(o, graph, depth + 1))
                    for p, o in sorted(graph.predicate_objects(node))
                )
            return Term("(blank node)", details=details)
        local = path_of(str(node), self.base)
        if local is not None:
            return Term(self.text(node), href=local)
        return Term(self.text(node), href=str(node), external=True)

    def _literals(self, node: Node) -> list[Literal]:
        return [o for o in self.labels.objects(node, RDFS.label) if isinstance(o, Literal)]


def page(description: Graph, labels: Graph, iri: str, language: str, base: str) -> Page | None:
    """What the page of `iri` shows, in `language`; None if the description is empty.

    Args:
        description: the answer of `description_query(iri)`.
        labels: the answer of `labels_query(iri)`.
        iri: the resource.
        language: "en" or "fr".
        base: `Settings.base_iri`, to link our IRIs to their pages.
    """
    if len(description) == 0:
        return None
    node = URIRef(iri)
    names = Graph()
    names += labels
    names += description.triples((None, RDFS.label, None))
    labeller = Labeller(names, language, base)
    supports = _supports(description, node, labeller)
    properties: dict[URIRef, list[Fact]] = defaultdict(list)
    external: list[tuple[Term, Term]] = []
    for p, o in sorted(description.predicate_objects(node)):
        if p == RDF.type or not isinstance(p, URIRef):
            continue
        if p in EXTERNAL_LINKS and isinstance(o, URIRef):
            external.append((labeller.term(p), Term(str(o), href=str(o), external=True)))
            continue
        properties[p].append(Fact(labeller.term(o, description), tuple(supports.get((p, o), ()))))
    return Page(
        iri=iri,
        label=labeller.text(node),
        other_labels=labeller.others(node),
        types=[labeller.term(t) for t in sorted(description.objects(node, RDF.type), key=str)],
        properties=sorted(
            ((labeller.term(p), facts) for p, facts in properties.items()),
            key=lambda item: item[0].text.casefold(),
        ),
        external=external,
        incoming=_incoming(description, node, labeller),
        findings=_findings(description, node, labeller),
    )


def _supports(
    description: Graph, node: URIRef, labeller: Labeller
) -> dict[tuple[Node, Node], list[Support]]:
    """The claims about `node` by (predicate, object), each with its quotes and basis."""
    found: dict[tuple[Node, Node], list[Support]] = defaultdict(list)
    for claim in sorted(description.subjects(RDF.subject, node), key=str):
        predicate = description.value(claim, RDF.predicate)
        value = description.value(claim, RDF.object)
        if predicate is None or value is None:
            continue
        basis = description.value(claim, PV.basis)
        rationale = description.value(claim, PV.rationale)
        found[(predicate, value)].append(
            Support(
                claim=labeller.term(claim),
                basis=labeller.term(basis) if basis is not None else Term("(no basis)"),
                basis_class=BASIS_CLASSES.get(URIRef(str(basis)), "unknown"),
                quotes=tuple(
                    (labeller.term(quote), _exact(description, quote))
                    for quote in sorted(description.objects(claim, PV.evidence), key=str)
                ),
                sources=tuple(
                    labeller.term(source)
                    for source in sorted(description.objects(claim, DCTERMS.source), key=str)
                ),
                rationale=str(rationale) if rationale is not None else None,
            )
        )
    return found


def _exact(description: Graph, quote: Node) -> str:
    """The text a quote selects (its TextQuoteSelector's oa:exact), or "" if not given."""
    for target in description.objects(quote, OA.hasTarget):
        for selector in description.objects(target, OA.hasSelector):
            exact = description.value(selector, OA.exact)
            if exact is not None:
                return str(exact)
    return ""


def _incoming(description: Graph, node: URIRef, labeller: Labeller) -> list[tuple[Term, Term]]:
    """(subject, property) of the triples pointing to `node`, claims and reports left out."""
    hidden = (RDF.subject, RDF.object, SH.focusNode, SH.value)
    return sorted(
        (
            (labeller.term(s), labeller.term(p))
            for s, p in description.subject_predicates(node)
            if isinstance(s, URIRef) and p not in hidden
        ),
        key=lambda item: (item[1].text.casefold(), item[0].text.casefold()),
    )


def _findings(description: Graph, node: URIRef, labeller: Labeller) -> list[Finding]:
    """The SHACL results about `node` (https://www.w3.org/TR/shacl/#results-focus-node)."""
    findings = []
    for result in sorted(description.subjects(SH.focusNode, node), key=str):
        severity = description.value(result, SH.resultSeverity)
        path = description.value(result, SH.resultPath)
        shape = description.value(result, SH.sourceShape)
        messages = sorted(str(m) for m in description.objects(result, SH.resultMessage))
        findings.append(
            Finding(
                severity=labeller.short(severity).removeprefix("sh:") if severity else "Result",
                message="; ".join(messages),
                path=labeller.term(path) if isinstance(path, URIRef) else None,
                shape=labeller.term(shape) if isinstance(shape, URIRef) else None,
            )
        )
    return findings
