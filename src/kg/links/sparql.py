"""A small SPARQL client for other datasets' endpoints: SELECT only, bounded in time and size.

Queries go by POST, URL-encoded (https://www.w3.org/TR/sparql11-protocol/#query-via-post-urlencoded),
answers are SPARQL JSON results (https://www.w3.org/TR/sparql11-results-json/). The User-Agent
names the project and where to find it, as Wikimedia's policy asks of every client
(https://meta.wikimedia.org/wiki/User-Agent_policy). The standard library is enough here.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg import __version__
from kg.errors import KGError, UsageError
from kg.namespaces import BASE

USER_AGENT = f"partage-kg/{__version__} ({BASE}; linked-data link maintenance) Python-urllib"
TIMEOUT = 30.0
"""Seconds an endpoint has to answer one request."""
BATCH = 50
"""IRIs asked about per request: keeps each query far below endpoints' size limits."""
MAX_ANSWER = 50_000_000
"""Bytes read from one answer at most."""

Row = dict[str, Node]
T = TypeVar("T")


class EndpointError(KGError):
    """An endpoint could not be reached, did not answer in time, or answered something else."""


def select(endpoint: str, query: str, timeout: float = TIMEOUT) -> list[Row]:
    """POST a SELECT query to `endpoint` and return its rows as rdflib terms.

    Raises:
        UsageError: `endpoint` is not an http(s) URL.
        EndpointError: unreachable, an error status, no answer within `timeout` seconds, or an
            answer that is not SPARQL JSON results.
    """
    check_endpoint(endpoint)
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode({"query": query}).encode("utf-8"),
        headers={
            "Accept": "application/sparql-results+json",
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": USER_AGENT,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_ANSWER)
    except urllib.error.HTTPError as error:
        raise EndpointError(f"{endpoint} answered {error.code} {error.reason}") from error
    except TimeoutError as error:
        raise EndpointError(f"{endpoint} did not answer within {timeout:g} s") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise EndpointError(f"{endpoint} did not answer within {timeout:g} s") from error
        raise EndpointError(f"cannot reach {endpoint}: {reason}") from error
    try:
        bindings = json.loads(body)["results"]["bindings"]
        return [{name: _term(value) for name, value in row.items()} for row in bindings]
    except (ValueError, KeyError, TypeError) as error:
        raise EndpointError(f"{endpoint} did not answer with SPARQL JSON results") from error


def check_endpoint(endpoint: str) -> str:
    """Return `endpoint` if it is an http(s) URL with a host.

    Raises:
        UsageError: it is not.
    """
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{endpoint!r} is not the http(s) URL of a SPARQL endpoint")
    return endpoint


def batches(items: Sequence[T]) -> Iterable[Sequence[T]]:
    """`items` in slices of BATCH."""
    return (items[start : start + BATCH] for start in range(0, len(items), BATCH))


def values(terms: Iterable[URIRef]) -> str:
    """Terms for a VALUES block, each written by rdflib (which escapes what must be)."""
    return " ".join(term.n3() for term in terms)


def _term(value: dict[str, Any]) -> Node:
    """An rdflib term from a binding (https://www.w3.org/TR/sparql11-results-json/#select-encode-terms)."""
    kind, text = value["type"], value["value"]
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if "xml:lang" in value:
        return Literal(text, lang=value["xml:lang"])
    datatype = value.get("datatype")
    return Literal(text, datatype=URIRef(datatype) if datatype else None)
