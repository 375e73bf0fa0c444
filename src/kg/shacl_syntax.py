"""pySHACL's check of SHACL-SPARQL syntax rules, made once per query text.

Before each evaluation of a SPARQL-based constraint, pySHACL checks its text against SHACL's
syntax rules (no MINUS, VALUES or SERVICE; pre-bound variables projected by subqueries:
https://www.w3.org/TR/shacl/#sparql-constraints-prebound) with regular expressions, once per
focus node: ~0.2 s of the project's validation, for a verdict that depends on the text alone.
`install` makes pySHACL remember the texts that passed; one that fails is checked, and fails,
every time. The patch that would do this upstream is a check made once, in
`SPARQLQueryHelper.__init__`, where pySHACL reads the text.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib.term import Node

CHECKED_TEXTS = 1024
"""Texts remembered as valid SHACL-SPARQL; the shapes hold a few dozen. Past this, forgotten."""

_checked: set[tuple[str, bool, frozenset[str]]] = set()


def install() -> None:
    """Make pySHACL check each SHACL-SPARQL text once, not once per focus node.

    Idempotent; `kg.validate` calls it before each validation rather than at import.
    """
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    check = SPARQLQueryHelper.check_invalid_sparql
    if getattr(check, "checks_once", False):
        return

    def check_once(
        helper: SPARQLQueryHelper,
        sparql_text: str,
        valuenode: Node | None = None,
        extravars: Iterable[str] | None = None,
    ) -> bool:
        # pySHACL's check reads nothing but its arguments (and class-level patterns).
        key = (sparql_text, valuenode is not None, frozenset(extravars or ()))
        if key not in _checked:  # a text that fails raises ValidationFailure, every time
            check(helper, sparql_text, valuenode, extravars)  # type: ignore[no-untyped-call]
            if len(_checked) >= CHECKED_TEXTS:
                _checked.clear()
            _checked.add(key)
        return True

    check_once.checks_once = True  # type: ignore[attr-defined]
    SPARQLQueryHelper.check_invalid_sparql = check_once  # type: ignore[method-assign]
