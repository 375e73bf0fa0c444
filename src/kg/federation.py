"""SERVICE calls (SPARQL 1.1 Federated Query, https://www.w3.org/TR/sparql11-federated-query/):
only to the endpoints of `--service-allow`.

Oxigraph evaluates SERVICE by fetching the endpoint itself, with no switch to turn that off, so
a query is checked before it runs. Core, not web code: the query engine checks queries with it,
`kg.sparql_update` names an update's endpoints with `SERVICE_VARIABLE`, and the HTTP layer
refuses by `forbidden`. A text match could be fooled (`\\u0053ERVICE` is the keyword
SERVICE, https://www.w3.org/TR/sparql11-query/#codepointEscape), so the check reads the query's
algebra from rdflib's parser. That parser is slow, but sound to skip: once codepoint escapes are
expanded, a query whose lower-cased text does not contain "service" cannot hold the keyword.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from kg.query_text import expand_codepoints

SERVICE_VARIABLE = "?"
"""Stands for `SERVICE ?var`: an endpoint chosen at run time, which no allowlist can admit."""


class ServiceCheckError(ValueError):
    """rdflib could not read the query, so its SERVICE calls cannot be known."""


def may_call_services(text: str) -> bool:
    """False when the query cannot contain SERVICE: the sound, fast half of the check."""
    return "service" in expand_codepoints(text).lower()


def services_in(
    text: str, prefixes: Mapping[str, str], base_iri: str | None = None
) -> tuple[str, ...]:
    """The endpoints of the query's SERVICE patterns (`SERVICE_VARIABLE` for `SERVICE ?x`).

    Args:
        text: the query as sent (rdflib expands its codepoint escapes itself).
        prefixes: prefixes the endpoint predeclares, so queries that rely on them parse.
        base_iri: the base the endpoint resolves relative IRIs against, as Oxigraph will.

    Raises:
        ServiceCheckError: rdflib cannot parse or translate the query.
    """
    # Imported here: only queries that mention "service" pay for rdflib's parser.
    from kg.sparql_grammar import prepare_query

    try:
        query = prepare_query(text, base_iri, prefixes)
        algebra = query.algebra
    except Exception as error:  # fail closed: whatever rdflib chokes on cannot be let through
        raise ServiceCheckError(f"cannot check the query's SERVICE calls: {error}") from error
    return tuple(sorted(set(_service_terms(algebra))))


def fetches_in_update(
    text: str, prefixes: Mapping[str, str], base_iri: str | None = None
) -> tuple[str, ...]:
    """What an update would make Oxigraph fetch: its SERVICE endpoints and `LOAD` sources.

    For the SPARQL Update handler: `LOAD <url>` fetches too, so it needs the same check.

    Raises:
        ServiceCheckError: rdflib cannot parse or translate the update.
    """
    from kg.sparql_grammar import prepare_update

    try:
        update = prepare_update(text, base_iri, prefixes)
    except Exception as error:  # fail closed, as for queries
        raise ServiceCheckError(f"cannot check the update's SERVICE and LOAD: {error}") from error
    loads = [str(op["iri"]) for op in update.algebra if getattr(op, "name", None) == "Load"]
    return tuple(sorted({*_service_terms(list(update.algebra)), *loads}))


def forbidden(services: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """The endpoints of `services` that `allowed` does not list (a variable never is)."""
    admitted = set(allowed)
    return [iri for iri in services if iri == SERVICE_VARIABLE or iri not in admitted]


def _service_terms(node: Any) -> Iterator[str]:
    """Walk rdflib's algebra (CompValue dicts, lists) for ServiceGraphPattern terms."""
    from rdflib.term import URIRef

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):  # CompValue is an OrderedDict
            if getattr(current, "name", None) == "ServiceGraphPattern":
                term = current.get("term")
                yield str(term) if isinstance(term, URIRef) else SERVICE_VARIABLE
            stack.extend(current.values())
        elif isinstance(current, list | tuple):
            stack.extend(current)
