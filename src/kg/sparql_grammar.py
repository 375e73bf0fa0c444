"""The one way into rdflib's SPARQL grammar: each text parsed once, one parse at a time.

Two facts about rdflib's parser make this module necessary:

* It is pyparsing, which is not thread-safe (pyparsing/pyparsing#89). Two threads parsing at
  once (two SPARQL Updates reaching the endpoint together) can leave the grammar broken for the
  life of the process: every later parse fails with `postParse2() missing 1 required positional
  argument`. Every parse and translation therefore runs under one lock.
* pySHACL hands rdflib the text of a SHACL-SPARQL constraint once per focus node
  (https://www.w3.org/TR/shacl/#sparql-constraints-prebound); parsing it took ~20 ms, so 885
  focus nodes cost 18 of the 20 s `kg validate` took. A translated query is cached by its text.
  rdflib documents a prepared query as reusable with other `initBindings`
  (`rdflib.plugins.sparql.prepareQuery`), and `evalQuery` only reads its algebra, so the cached
  query is shared, not copied (tests/test_validation_reports.py holds the reports unchanged).
  Since `kg.shacl_queries`, Oxigraph answers those queries during validation, parsing them in
  Rust; this cache serves the ones it leaves to rdflib (data whose literals Oxigraph would
  rewrite, custom functions) and every other caller of `Graph.query`.

`install` registers `SPARQLProcessor` and `SPARQLUpdateProcessor` below under rdflib's plugin
name "sparql", so `Graph.query` and `Graph.update` with a string (as pySHACL calls them) take
this path too. The patch that would do the same upstream is a cache in pySHACL's
`SPARQLConstraintComponent`, which parses the same string for every focus node.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from rdflib import plugin
from rdflib.plugins.sparql import processor as rdflib_processor
from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.sparql import Query, Update
from rdflib.plugins.sparql.update import evalUpdate
from rdflib.query import Processor, UpdateProcessor
from rdflib.term import Identifier

_GRAMMAR = threading.Lock()
"""Held while pyparsing runs, and while rdflib translates what it parsed."""

CACHED_QUERIES = 256
"""Distinct query texts kept parsed: the shapes hold ten; the rest is room for callers."""

Namespaces = tuple[tuple[str, str], ...]


def prepare_query(
    text: str, base: str | None = None, namespaces: Mapping[str, Any] | None = None
) -> Query:
    """The translated query for `text`, parsed the first time only.

    Raises:
        pyparsing.ParseException: `text` is not a SPARQL query; rdflib's message has its place.
        Exception: rdflib raises a bare Exception for an unknown prefix.
    """
    return _translated_query(text, base, _frozen(namespaces))


def prepare_update(
    text: str, base: str | None = None, namespaces: Mapping[str, Any] | None = None
) -> Update:
    """The translated update for `text`; never cached, since each update is run once.

    Raises:
        pyparsing.ParseException: `text` is not a SPARQL update.
    """
    with _GRAMMAR:
        return translateUpdate(parseUpdate(text), base=base, initNs=dict(namespaces or {}))


@lru_cache(maxsize=CACHED_QUERIES)
def _translated_query(text: str, base: str | None, namespaces: Namespaces) -> Query:
    with _GRAMMAR:
        return translateQuery(parseQuery(text), base=base, initNs=dict(namespaces))


def _frozen(namespaces: Mapping[str, Any] | None) -> Namespaces:
    return tuple(sorted((str(k), str(v)) for k, v in (namespaces or {}).items()))


class SPARQLProcessor(rdflib_processor.SPARQLProcessor):
    """rdflib's query processor, with its strings parsed through `prepare_query`."""

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,  # noqa: N803 (rdflib's keyword names)
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Mapping[str, Any]:
        query = (
            prepare_query(strOrQuery, base, initNs) if isinstance(strOrQuery, str) else strOrQuery
        )
        return evalQuery(self.graph, query, initBindings, base)


class SPARQLUpdateProcessor(rdflib_processor.SPARQLUpdateProcessor):
    """rdflib's update processor, with its strings parsed under the grammar's lock."""

    def update(
        self,
        strOrQuery: str | Update,  # noqa: N803
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
    ) -> None:
        update = (
            prepare_update(strOrQuery, None, initNs) if isinstance(strOrQuery, str) else strOrQuery
        )
        evalUpdate(self.graph, update, initBindings)


def install() -> None:
    """Make rdflib's "sparql" processors these ones, for every graph in this process.

    Idempotent and cheap: `kg.validate` calls it before each validation rather than at import,
    so that importing a module changes nothing.
    """
    plugin.register("sparql", Processor, __name__, "SPARQLProcessor")
    plugin.register("sparql", UpdateProcessor, __name__, "SPARQLUpdateProcessor")
