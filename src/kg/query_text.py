"""What can be read from a query's text without parsing it, shared by `kg query` and the
endpoint's workers (which import nothing heavier than the standard library and pyoxigraph).

Both must agree on when a query names its own dataset: Oxigraph's union-default-graph option
would silently override FROM and FROM NAMED (https://www.w3.org/TR/sparql11-query/#specifyingDataset).
"""

from __future__ import annotations

import functools
import re

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# Strings, IRIs and comments, blanked out before looking for a keyword.
_NOT_KEYWORDS = re.compile(
    r'"""[\s\S]*?"""|'
    r"'''[\s\S]*?'''|"
    r'"(?:[^"\\\n]|\\.)*"|'
    r"'(?:[^'\\\n]|\\.)*'|"
    r'<[^<>"\s]*>|#[^\n]*'
)
_FROM = re.compile(r"(?<![\w:?$])FROM\s", re.IGNORECASE)


def expand_codepoints(text: str) -> str:
    r"""The query as the SPARQL grammar reads it: `\uXXXX` and `\UXXXXXXXX` replaced.

    https://www.w3.org/TR/sparql11-query/#codepointEscape. An escape beyond U+10FFFF is left
    as it is (the parser rejects it).
    """
    if "\\" not in text:
        return text
    return _CODEPOINT.sub(_codepoint, text)


def _codepoint(match: re.Match[str]) -> str:
    value = int(match[1] or match[2], 16)
    return chr(value) if value <= 0x10FFFF else match[0]


@functools.lru_cache(maxsize=1024)
def names_dataset(query: str) -> bool:
    """Whether the query has a FROM or FROM NAMED clause (cached: queries repeat).

    With FROM NAMED alone the default graph is empty, as the specification says; only a query
    naming no dataset gets the union of the named graphs as its default graph.
    """
    return bool(_FROM.search(_NOT_KEYWORDS.sub(" ", expand_codepoints(query))))
