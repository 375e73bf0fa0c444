"""Pure: the pieces every view shows, built from SELECT rows: links, quotes, bases, groups.

A group is what a chart of counts draws (organisations by sector, practices by status): its
label, its count as the query counted it, and its members, each with the basis and the quote
of the claim that puts it there, so that every number leads to its passages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.web.paths import path_of
from kg.web.resource import BASIS_CLASSES, Term
from kg.web.views.select import Row


@dataclass(frozen=True)
class Quote:
    """A passage of the study: its page and the words it selects."""

    href: str | None
    exact: str


@dataclass(frozen=True)
class Member:
    """One member of a group, with the basis and the quotes of the claim behind it."""

    term: Term
    basis: str | None
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class Group:
    """A labelled count (one bar) and the members counted."""

    labels: tuple[Term, ...]
    count: int
    members: tuple[Member, ...]
    notation: str | None = None


def link(node: Node | None, label: Node | None, base: str) -> Term:
    """`node` as a link to its page (or to where it is, if not ours), labelled `label`."""
    text = str(label) if label is not None else str(node)
    if not isinstance(node, URIRef):
        return Term(text)
    local = path_of(str(node), base)
    if local is not None:
        return Term(text, href=local)
    return Term(text, href=str(node), external=True)


def quote_of(row: Row, base: str, name: str = "quote", exact: str = "exact") -> Quote | None:
    """The quote a row names in `?quote` (with its words in `?exact`), or None."""
    node = row.get(name)
    if node is None:
        return None
    return Quote(path_of(str(node), base), str(row.get(exact, "")))


def sourced_values(rows: Iterable[Row], base: str) -> dict[Node, tuple[list[str], list[Quote]]]:
    """Per `?value` of `rows` (in their order), the bases and quotes of the claims behind it,
    each once: what a summary's field shows beside each value."""
    found: dict[Node, tuple[list[str], list[Quote]]] = {}
    for row in rows:
        bases, quotes = found.setdefault(row["value"], ([], []))
        basis = basis_of(row.get("basis"))
        if basis is not None and basis not in bases:
            bases.append(basis)
        quote = quote_of(row, base)
        if quote is not None and quote not in quotes:
            quotes.append(quote)
    return found


def basis_of(node: Node | None) -> str | None:
    """The CSS class (and text key) of a claim's basis: study, interpretation or reference."""
    if node is None:
        return None
    return BASIS_CLASSES.get(URIRef(str(node)))


def number(node: Node | None) -> int | None:
    """An integer literal's value, or None."""
    if isinstance(node, Literal):
        return int(str(node))
    return None


def groups(rows: Iterable[Row], keys: tuple[str, ...], base: str) -> list[Group]:
    """Rows of `?group ?count ?member ?memberLabel ?basis ?quote` as groups, in row order.

    Args:
        rows: one language's rows; `keys` names the grouping variables, each with its
            `<key>Label`.
        base: `Settings.base_iri`.
    """
    found: dict[tuple[Node, ...], tuple[tuple[Term, ...], int, str | None, dict[Node, Member]]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key not in found:
            labels = tuple(link(row[k], row.get(f"{k}Label"), base) for k in keys)
            notation = str(row["notation"]) if "notation" in row else None
            found[key] = (labels, number(row.get("count")) or 0, notation, {})
        members = found[key][3]
        member = row["member"]
        quote = quote_of(row, base)
        old = members.get(member)
        quotes = old.quotes if old is not None else ()
        if quote is not None and quote not in quotes:
            quotes = (*quotes, quote)
        basis = basis_of(row.get("basis"))
        members[member] = Member(link(member, row.get("memberLabel"), base), basis, quotes)
    return [
        Group(labels, count, tuple(members.values()), notation)
        for labels, count, notation, members in found.values()
    ]
