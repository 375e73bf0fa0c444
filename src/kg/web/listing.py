"""Pure: the listings of our id space, as queries and as what their HTML pages show.

`/id/` lists the kinds of resource (`/id/<kind>/`) with how many resources each has;
`/id/<kind>/` lists the resources of one kind, by label. Both are CONSTRUCT queries, so their
answers are RDF too: `<base>id/<kind>/ rdfs:member <resource>` with the members' labels, and
`<base>id/<kind>/ void:entities <count>` (https://www.w3.org/TR/void/#statistics).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, VOID

from kg.web.paths import KIND_PATTERN, path_of
from kg.web.resource import Labeller


@dataclass(frozen=True)
class Entry:
    """One line of a listing: a label, where it links, and (for kinds) a count."""

    label: str
    href: str
    count: int | None = None


def members_query(listing: str) -> str:
    """CONSTRUCT the members of `listing` (from `kg.web.paths.kind_iri`) and their labels."""
    prefix = Literal(listing).n3()
    return f"""CONSTRUCT {{ <{listing}> <{RDFS.member}> ?r . ?r <{RDFS.label}> ?l }} WHERE {{
  {{ SELECT DISTINCT ?r WHERE {{ ?r ?p ?o . FILTER(isIRI(?r) && STRSTARTS(STR(?r), {prefix})) }} }}
  OPTIONAL {{ ?r <{RDFS.label}> ?l }}
}}"""


def kinds_query(base: str) -> str:
    """CONSTRUCT each kind's listing IRI with how many resources of ours it has."""
    space = Literal(f"{base}id/").n3()
    return f"""CONSTRUCT {{ ?kind <{VOID.entities}> ?n }} WHERE {{
  {{ SELECT ?kind (COUNT(DISTINCT ?r) AS ?n) WHERE {{
    ?r ?p ?o . FILTER(isIRI(?r) && STRSTARTS(STR(?r), {space}))
    BIND(STRBEFORE(STRAFTER(STR(?r), {space}), "/") AS ?name)
    FILTER(STRLEN(?name) > 0)
    BIND(IRI(CONCAT({space}, ?name, "/")) AS ?kind)
  }} GROUP BY ?kind }}
}}"""


def members(answer: Graph, listing: str, language: str, base: str) -> list[Entry]:
    """The members of `listing` that have a page of ours, by label in `language`.

    Args:
        answer: the answer of `members_query(listing)`.
        listing: the listing's IRI.
        language: "en" or "fr" (the other is the fallback, then the prefixed name).
        base: `Settings.base_iri`.
    """
    labeller = Labeller(answer, language, base)
    entries = []
    for node in answer.objects(URIRef(listing), RDFS.member):
        href = path_of(str(node), base)
        if href is not None:
            entries.append(Entry(labeller.text(node), href))
    return sorted(entries, key=lambda entry: (entry.label.casefold(), entry.href))


def kinds(answer: Graph, base: str) -> list[Entry]:
    """The kinds of our id space, by name, each with its count.

    Args:
        answer: the answer of `kinds_query(base)`.
        base: `Settings.base_iri`.
    """
    space = f"{base}id/"
    entries = []
    for node, count in answer.subject_objects(VOID.entities):
        name = str(node).removeprefix(space).removesuffix("/")
        if str(node).startswith(space) and KIND_PATTERN.match(name):
            entries.append(Entry(name, f"/id/{name}/", int(str(count))))
    return sorted(entries, key=lambda entry: entry.label)
