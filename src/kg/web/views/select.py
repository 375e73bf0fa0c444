"""The views' SELECT queries: read from `queries/*.rq`, run through the app, rows as RDF terms.

A view that is about one resource binds it with a trailing VALUES clause
(https://www.w3.org/TR/sparql11-query/#inline-data, the query's `ValuesClause`), so the file
stays a query that runs as it is (for every resource) in the query UI and in `kg query`. Only
IRIs checked by `kg.web.paths.RESOURCE_PATH` are bound, which admits nothing that could end
the IRI; labels come in every language, one row per language, and the view picks its own.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.engine.messages import QueryRequest
from kg.formats import RESULTS_JSON
from kg.web.resource import LANGUAGES
from kg.web.state import AppState

QUERIES = Path(__file__).resolve().parent / "queries"

Row = dict[str, Node]
"""One solution: variable name (without `?`) -> RDF term; unbound variables are absent."""


@functools.cache
def query_text(name: str) -> str:
    """The text of `queries/<name>.rq`, read once."""
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def bound(text: str, variable: str, iris: Sequence[str]) -> str:
    """`text` with `?variable` bound to `iris` by a trailing VALUES clause.

    Raises:
        ValueError: an IRI holds a character that would end it inside `<...>`.
    """
    for iri in iris:
        if any(c in iri for c in '<>"{}|^`\\ \n'):
            raise ValueError(f"not an IRI to bind: {iri!r}")
    values = " ".join(f"<{iri}>" for iri in iris)
    return f"{text.rstrip()}\nVALUES ?{variable} {{ {values} }}\n"


async def select(state: AppState, text: str) -> list[Row]:
    """The rows of the SELECT `text`, run like any query of /sparql (same cache and limits)."""
    request = QueryRequest(
        text, None, None, RESULTS_JSON.media_type, None, state.settings.max_results, False, ()
    )
    reply = await state.query(request)
    return rows_of(json.loads(reply.body))


def rows_of(results: dict[str, object]) -> list[Row]:
    """SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/) as rows."""
    bindings = results["results"]["bindings"]  # type: ignore[index]
    return [{name: term_of(value) for name, value in row.items()} for row in bindings]


def term_of(value: dict[str, str]) -> Node:
    """One RDF term of the JSON format (#select-encode-terms)."""
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    return Literal(value["value"], lang=value.get("xml:lang"), datatype=value.get("datatype"))


def in_language(rows: Iterable[Row], language: str) -> list[Row]:
    """The rows whose `?language` is `language`, else those of the fallback language."""
    rows = list(rows)
    for candidate in (language, *LANGUAGES):
        chosen = [row for row in rows if str(row.get("language", "")) == candidate]
        if chosen:
            return chosen
    return rows
