"""The benchmark's query mix: ten SPARQL templates a reader of the graph would send, and how a
server's answer is checked against the reference server's.

Each template is filled with several parameter values drawn (seeded) from the data set's
catalogue; the load generator rotates through all the filled queries, template by template, so
every template weighs the same in the mix.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from generate import COUNTED, ID, LEGAL_FORMS, SECTORS, TEXT_WORDS
from rdflib import Graph

PREFIXES = """\
PREFIX pv: <https://w3id.org/partage/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <https://schema.org/>
"""

SELECT_ACCEPT = "application/sparql-results+json"
CONSTRUCT_ACCEPT = "application/n-triples"


@dataclass(frozen=True)
class Template:
    name: str
    kind: str
    """lookup | join | aggregate | text filter | property path | construct"""
    sparql: str
    parameter: str | None = None
    """The placeholder the template takes, None for a fixed query."""

    @property
    def accept(self) -> str:
        return CONSTRUCT_ACCEPT if self.kind == "construct" else SELECT_ACCEPT


MIX = (
    Template("lookup-organisation", "lookup", "SELECT ?p ?o WHERE { <{org}> ?p ?o }", "org"),
    Template(
        "lookup-by-label",
        "lookup",
        """
SELECT ?org ?sector ?form WHERE {
  ?org rdfs:label "{label}"@fr ; pv:sector ?sector ; pv:legalForm ?form .
}""",
        "label",
    ),
    Template(
        "join-communities",
        "join",
        """
SELECT ?community ?counted ?size ?prospective WHERE {
  <{org}> pv:hasCommunity ?community .
  ?community pv:size ?count .
  ?count schema:value ?size ; pv:counts ?counted ; pv:prospective ?prospective .
} ORDER BY DESC(?size) ?community""",
        "org",
    ),
    Template(
        "join-sector-practices",
        "join",
        """
SELECT ?org ?practice ?kind ?status WHERE {
  ?org pv:sector <{sector}> .
  ?practice pv:practisedBy ?org ; pv:practiceKind ?kind ; pv:practiceStatus ?status .
} ORDER BY ?practice ?kind LIMIT 50""",
        "sector",
    ),
    Template(
        "aggregate-statistics",
        "aggregate",
        """
SELECT ?structure (SUM(?n) AS ?organisations) (AVG(?percentage) AS ?meanPercentage)
       (COUNT(?statistic) AS ?surveys) WHERE {
  ?statistic a pv:Statistic ; pv:legalStructure ?structure ;
      pv:organisationCount ?n ; pv:percentage ?percentage .
} GROUP BY ?structure ORDER BY DESC(?organisations) ?structure""",
    ),
    Template(
        "aggregate-community-sizes",
        "aggregate",
        """
SELECT ?sector (COUNT(DISTINCT ?org) AS ?organisations) (SUM(?size) AS ?people) WHERE {
  ?org pv:sector ?sector ; pv:hasCommunity/pv:size ?count .
  ?count schema:value ?size ; pv:counts <{counted}> ; pv:prospective false .
} GROUP BY ?sector ORDER BY DESC(?people)""",
        "counted",
    ),
    Template(
        "text-filter-quotes",
        "text filter",
        """
SELECT ?quote ?text WHERE {
  ?quote a pv:Quote ; oa:hasTarget/oa:hasSelector/oa:exact ?text .
  FILTER(CONTAINS(LCASE(?text), "{word}"))
} ORDER BY ?quote LIMIT 20""",
        "word",
    ),
    Template(
        "path-legal-family",
        "property path",
        """
SELECT ?form (COUNT(DISTINCT ?org) AS ?organisations) WHERE {
  ?org pv:legalForm ?form . ?form skos:broader* <{family}> .
} GROUP BY ?form ORDER BY ?form""",
        "family",
    ),
    Template(
        "path-subclass",
        "property path",
        """
SELECT DISTINCT ?org ?label WHERE {
  ?org pv:sector <{sector}> ; a/rdfs:subClassOf* pv:Platform ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
} ORDER BY ?label LIMIT 50""",
        "sector",
    ),
    Template(
        "construct-evidence",
        "construct",
        """
CONSTRUCT {
  ?claim rdf:predicate ?p ; rdf:object ?o ; pv:basis ?basis ; pv:evidence ?quote .
  ?quote oa:exact ?text .
} WHERE {
  ?claim rdf:subject <{org}> ; rdf:predicate ?p ; rdf:object ?o ; pv:basis ?basis ;
      pv:evidence ?quote .
  ?quote oa:hasTarget/oa:hasSelector/oa:exact ?text .
}""",
        "org",
    ),
)


@dataclass(frozen=True)
class Query:
    """One filled template: what is sent."""

    template: Template
    value: str
    sparql: str


def parameters(catalogue: dict[str, Any], seed: int) -> dict[str, list[str]]:
    """Values for each placeholder, in a seeded order."""
    rng = random.Random(seed)
    orgs = list(catalogue["organisation_labels"].items())
    rng.shuffle(orgs)
    families = sorted({family for family, _ in LEGAL_FORMS.values()})
    values = {
        "org": [org for org, _ in orgs],
        "label": [label for _, label in orgs],
        "sector": [f"{ID}sector/{s}" for s in SECTORS],
        "counted": [f"{ID}counted/{c}" for c in COUNTED],
        "word": list(TEXT_WORDS),
        "family": [f"{ID}legal-family/{f}" for f in families],
    }
    for key in ("sector", "counted", "word", "family"):
        rng.shuffle(values[key])
    return values


def fill(catalogue: dict[str, Any], per_template: int, seed: int) -> list[Query]:
    """The rotation: round after round, one filled query per template (fixed ones repeat)."""
    values = parameters(catalogue, seed)
    rotation: list[Query] = []
    for round_ in range(per_template):
        for template in MIX:
            if template.parameter is None:
                value = ""
            else:
                pool = values[template.parameter]
                value = pool[round_ % len(pool)]
            sparql = PREFIXES + template.sparql.strip().replace(f"{{{template.parameter}}}", value)
            rotation.append(Query(template, value, sparql))
    return rotation


def distinct(rotation: list[Query]) -> Iterator[Query]:
    """Each different query of the rotation once, for validation."""
    seen: set[str] = set()
    for query in rotation:
        if query.sparql not in seen:
            seen.add(query.sparql)
            yield query


def canonical(template: Template, content_type: str, body: bytes) -> tuple[Any, ...]:
    """An answer reduced to what must agree across servers: rows of normalised terms (as a
    sorted tuple: ties of ORDER BY may come in any order), or the set of triples.

    Raises:
        ValueError: the body is not a well-formed answer of the expected kind.
    """
    if template.kind == "construct":
        graph = Graph()
        fmt = "turtle" if "turtle" in content_type else "nt"
        graph.parse(data=body.decode("utf-8"), format=fmt)
        return tuple(sorted(tuple(_term(t.n3()) for t in triple) for triple in graph))
    data = json.loads(body)
    variables = data["head"]["vars"]
    rows = [tuple(_binding(row.get(v)) for v in variables) for row in data["results"]["bindings"]]
    return tuple(sorted(rows, key=repr))


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
NUMERIC = ("integer", "decimal", "double", "float", "int", "long", "short", "byte")


def _binding(binding: dict[str, str] | None) -> tuple[str, ...]:
    if binding is None:
        return ()
    if binding["type"] == "bnode":
        return ("bnode",)
    value, datatype = binding["value"], binding.get("datatype", "")
    if any(datatype.endswith(suffix) for suffix in NUMERIC) or "Integer" in datatype:
        return ("number", _number(value))
    if datatype == XSD_STRING:  # RDF 1.1: a simple literal is an xsd:string
        datatype = ""
    kind = "literal" if binding["type"] == "typed-literal" else binding["type"]
    return (kind, value, binding.get("xml:lang", ""), datatype)


def _number(text: str) -> str:
    """Numbers compared by value (AVG is a decimal in one server, a double in another)."""
    try:
        return f"{float(Decimal(text)):.6g}"
    except InvalidOperation:
        return text


def _term(n3: str) -> str:
    return "bnode" if n3.startswith("_:") else n3
