"""Organisation profiles: a summary of the same fields for every organisation, and its evidence.

The summary (kind, description, sector, legal form with its INSEE and ELF codes, approvals,
communities with their counts, practices, the typology's category, founding date, links) is
read from the claims about the organisation (`queries/organisation_claims.rq`), so each value
keeps its basis and passages, and from `queries/organisation_details.rq`. The evidence lists
each passage once, with every claim that rests on it (issue #13: one quote, not four). The
comparison (`kg.web.views.compare`) shows the same fields side by side.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, OWL, RDF, RDFS
from rdflib.term import Node

from kg.namespaces import PV, SCHEMA
from kg.web.resource import Labeller, Term
from kg.web.state import AppState
from kg.web.views.evidence import Quote, basis_of, quote_of, sourced_values
from kg.web.views.select import Row, bound, query_text, select

FIELDS: tuple[tuple[str, tuple[URIRef, ...]], ...] = (
    ("kind", (RDF.type,)),
    ("description", (PV.studyDescription,)),
    ("sector", (PV.sector,)),
    ("legal_form", (PV.legalForm,)),
    ("approvals", (PV.statusMark,)),
    ("communities", (PV.hasCommunity,)),
    ("practices_short", ()),
    ("category", (PV.inCategory,)),
    ("founded", (SCHEMA.foundingDate,)),
    ("links", (OWL.sameAs, FOAF.homepage, FOAF.isPrimaryTopicOf)),
)
"""The summary's fields, in order: the key of their heading (`texts.TEXTS`) and the properties
of the claims that fill them; practices come from `pv:practisedBy`, not from claims."""


@dataclass(frozen=True)
class Value:
    """A value of a field, with the bases and passages of the claims that give it."""

    term: Term
    bases: tuple[str, ...]
    quotes: tuple[Quote, ...]
    details: tuple[tuple[str, str], ...] = ()
    """(kind, text): `insee`, `elf` codes of a legal form; `count` of a community."""


@dataclass(frozen=True)
class Field:
    """One line of the summary: its heading key and its values."""

    key: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Claimed:
    """A claim as the evidence lists it under its passage."""

    claim: Term | None
    """The claim, or None for a fact stated without one (it rests on its subject's passage)."""
    property: Term
    value: Term
    basis: str | None
    rationale: str | None
    field: str | None = None
    """The summary field it fills (its heading key), where the property is not shown."""


@dataclass(frozen=True)
class Evidence:
    """One passage (or the source of a reference fact) and the claims resting on it."""

    quote: Quote | None
    source: Term | None
    claims: tuple[Claimed, ...]


@dataclass(frozen=True)
class Profile:
    """What an organisation's summary and evidence show."""

    organisation: Term
    """The resource summarised (an organisation, or one of `kg.web.views.kinds.KINDS`)."""
    fields: tuple[Field, ...]
    evidence: tuple[Evidence, ...]
    kind: str = "organisation"


async def profiles(state: AppState, iris: Sequence[str], language: str) -> list[Profile]:
    """The profiles of the organisations `iris` (checked by `kg.web.paths`), in that order."""
    claims, details = await asyncio.gather(
        select(state, bound(query_text("organisation_claims"), "organisation", iris)),
        select(state, bound(query_text("organisation_details"), "organisation", iris)),
    )
    labels = await labeller_of(state, iris, [*claims, *details], language)
    base = state.settings.base_iri
    return [
        profile(
            URIRef(iri),
            [r for r in claims if r["organisation"] == URIRef(iri)],
            [r for r in details if r["organisation"] == URIRef(iri)],
            labels,
            base,
        )
        for iri in iris
    ]


async def labeller_of(
    state: AppState, iris: Sequence[str], rows: list[Row], language: str
) -> Labeller:
    """A labeller for `iris` and every IRI of `rows`, with their labels asked of the graph."""
    nodes = {URIRef(iri) for iri in iris}
    for row in rows:
        nodes.update(v for v in row.values() if isinstance(v, URIRef))
    labels = Graph()
    if nodes:
        text = bound(query_text("labels"), "node", sorted(nodes))
        for row in await select(state, text):
            labels.add((row["node"], RDFS.label, row["label"]))
    return Labeller(labels, language, state.settings.base_iri)


def profile(
    node: URIRef, claims: list[Row], details: list[Row], labeller: Labeller, base: str
) -> Profile:
    """One organisation's profile from its rows of the two queries (pure)."""
    extra = _details(details, labeller)
    fields = []
    for key, properties in FIELDS:
        if key == "practices_short":
            values = _practices(details, labeller, base)
        else:
            values = _values([r for r in claims if r["predicate"] in properties], extra, labeller)
        fields.append(Field(key, tuple(values_in_language(values, labeller.language))))
    return Profile(labeller.term(node), tuple(fields), _evidence(claims, labeller, base))


def _values(
    rows: list[Row], extra: dict[Node, list[tuple[str, str]]], labeller: Labeller
) -> list[Value]:
    return [
        Value(labeller.term(value), tuple(bases), tuple(quotes), tuple(extra.get(value, ())))
        for value, (bases, quotes) in sourced_values(rows, labeller.base).items()
    ]


def _details(rows: list[Row], labeller: Labeller) -> dict[Node, list[tuple[str, str]]]:
    """Codes of legal forms and counts of communities, by the value they detail."""
    found: dict[Node, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        kind = str(row["kind"])
        if kind in ("insee", "elf"):
            item = (kind, str(row["detail"]))
        elif kind == "count":
            item = ("count", labeller.text(row["detail"]))
        else:
            continue
        if item not in found[row["value"]]:
            found[row["value"]].append(item)
    return found


def _practices(rows: list[Row], labeller: Labeller, base: str) -> list[Value]:
    found: dict[Node, list[Quote]] = {}
    for row in rows:
        if str(row["kind"]) != "practice":
            continue
        quotes = found.setdefault(row["value"], [])
        quote = quote_of(row, base)
        if quote is not None and quote not in quotes:
            quotes.append(quote)
    return [Value(labeller.term(value), (), tuple(quotes)) for value, quotes in found.items()]


def values_in_language(values: list[Value], language: str) -> list[Value]:
    """The values, but of language-tagged text only those in `language` if there are any."""
    tagged = [v for v in values if v.term.language]
    if any(v.term.language == language for v in tagged):
        return [v for v in values if not v.term.language or v.term.language == language]
    return values


def _evidence(claims: list[Row], labeller: Labeller, base: str) -> tuple[Evidence, ...]:
    """Each passage once (then each source of a reference fact), with its claims."""
    grouped: dict[tuple[str, Node | None], tuple[Quote | None, list[Claimed]]] = {}
    for row in claims:
        quote = quote_of(row, base)
        source = row.get("source")
        key = ("quote", row["quote"]) if quote is not None else ("source", source)
        rationale = row.get("rationale")
        claimed = Claimed(
            claim=labeller.term(row["claim"]),
            property=labeller.term(row["predicate"]),
            value=labeller.term(row["value"]),
            basis=basis_of(row.get("basis")),
            rationale=str(rationale) if isinstance(rationale, Literal) else None,
        )
        entry = grouped.setdefault(key, (quote, []))
        if claimed not in entry[1]:
            entry[1].append(claimed)
    ordered = sorted(grouped.items(), key=lambda item: (item[0][0], str(item[0][1])))
    return tuple(
        Evidence(quote, labeller.term(key[1]) if key[0] == "source" and key[1] else None, tuple(c))
        for key, (quote, c) in ordered
    )
