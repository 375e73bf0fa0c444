"""Summary-first pages for practices, legal forms (and families), findings and categories.

As an organisation's profile (`kg.web.views.profiles`): a summary box of the fields its kind
calls for, each value with the basis and passages of the claim that states it (or, for a fact
without a claim, the passage of the resource it rests on), then the evidence, each passage
once with every fact resting on it. Each kind's fields are the rows of its query,
`queries/<kind>_summary.rq`, one row per value: `?field ?value ?detail ?claim ?basis ?quote
?exact ?source ?rationale`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.namespaces import PV
from kg.web.resource import Labeller, Term
from kg.web.state import AppState
from kg.web.views.evidence import Quote, basis_of, quote_of, sourced_values
from kg.web.views.profiles import (
    Claimed,
    Evidence,
    Field,
    Profile,
    Value,
    labeller_of,
    values_in_language,
)
from kg.web.views.select import Row, bound, query_text, select


@dataclass(frozen=True)
class Kind:
    """A kind of resource with a summary: its classes, its query and its fields in order."""

    name: str
    classes: frozenset[URIRef]
    fields: tuple[str, ...]


KINDS: tuple[Kind, ...] = (
    Kind(
        "practice",
        frozenset({PV.Practice, PV.PowerSharingPractice, PV.ValueSharingPractice}),
        (
            "organisation",
            "dimension",
            "practice_kind",
            "status",
            "communities",
            "decides_on",
            "value_form",
        ),
    ),
    Kind(
        "legal_form",
        frozenset({PV.LegalForm, PV.LegalFamily}),
        (
            "full_name",
            "definition",
            "family",
            "forms",
            "insee",
            "elf",
            "share",
            "organisations",
            "findings",
            "matches",
        ),
    ),
    Kind(
        "finding",
        frozenset({PV.Finding}),
        ("comment", "concerns", "cases", "examples"),
    ),
    Kind(
        "category",
        frozenset({PV.PlatformCategory}),
        (
            "column",
            "power_model",
            "value_model",
            "sectors",
            "sector_description",
            "community_size",
            "traits",
            "maturity",
            "organisation_kind",
            "organisations",
        ),
    ),
)
"""The kinds, by the classes of the page's resource (the first that matches)."""


def kind_of(types: set[Node]) -> Kind | None:
    """The kind of a resource of classes `types`, if it has a summary."""
    for kind in KINDS:
        if kind.classes & types:
            return kind
    return None


async def summary(state: AppState, iri: str, kind: Kind, language: str) -> Profile:
    """The summary and evidence of `iri` (checked by `kg.web.paths`), of kind `kind`."""
    rows = await select(state, bound(query_text(f"{kind.name}_summary"), "resource", [iri]))
    found = await labeller_of(state, [iri], rows, language)
    return build(URIRef(iri), kind, rows, found)


def build(node: URIRef, kind: Kind, rows: list[Row], labels: Labeller) -> Profile:
    """The summary of `node` from its rows of the kind's query (pure)."""
    fields = []
    for key in kind.fields:
        values = _values([r for r in rows if str(r["field"]) == key], labels)
        fields.append(Field(key, tuple(values_in_language(values, labels.language))))
    return Profile(labels.term(node), tuple(fields), _evidence(rows, labels), kind.name)


def _values(rows: list[Row], labels: Labeller) -> list[Value]:
    details: dict[Node, list[tuple[str, str]]] = {}
    for row in rows:
        detail = row.get("detail")
        if detail is not None:
            item = (str(row["field"]), labels.text(detail))
            if item not in (found := details.setdefault(row["value"], [])):
                found.append(item)
    return [
        Value(labels.term(value), tuple(bases), tuple(quotes), tuple(details.get(value, ())))
        for value, (bases, quotes) in sourced_values(rows, labels.base).items()
    ]


def _evidence(rows: list[Row], labels: Labeller) -> tuple[Evidence, ...]:
    """Each passage once (then each source of a reference fact), with the facts on it."""
    grouped: dict[tuple[str, Node | None], tuple[Quote | None, list[Claimed]]] = {}
    for row in rows:
        quote = quote_of(row, labels.base)
        source = row.get("source")
        if quote is None and source is None:
            continue
        key = ("quote", row["quote"]) if quote is not None else ("source", source)
        claim = row.get("claim")
        rationale = row.get("rationale")
        claimed = Claimed(
            claim=labels.term(claim) if claim is not None else None,
            property=Term(str(row["field"])),
            field=str(row["field"]),
            value=labels.term(row["value"]),
            basis=basis_of(row.get("basis")),
            rationale=str(rationale) if isinstance(rationale, Literal) else None,
        )
        entry = grouped.setdefault(key, (quote, []))
        if claimed not in entry[1] and _shown(claimed, labels.language):
            entry[1].append(claimed)
    ordered = sorted(grouped.items(), key=lambda item: (item[0][0], str(item[0][1])))
    return tuple(
        Evidence(quote, labels.term(key[1]) if key[0] == "source" and key[1] else None, tuple(c))
        for key, (quote, c) in ordered
        if c
    )


def _shown(claimed: Claimed, language: str) -> bool:
    """A language-tagged value is listed in the evidence only in the page's language."""
    return not claimed.value.language or claimed.value.language == language
