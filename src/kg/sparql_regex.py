"""Which SPARQL REGEX and REPLACE calls Oxigraph and rdflib evaluate alike.

SPARQL defines its regular expressions as XPath's (https://www.w3.org/TR/sparql11-query/#func-regex,
https://www.w3.org/TR/xpath-functions/#regex-syntax), but each engine hands the pattern to its
own library: Oxigraph to Rust's `regex` crate, rdflib to Python's `re`. They disagree, silently:
`a(?=b)` and `(a)\\1` match in Python and are errors (no match) in Rust; `$` matches before a
final newline in Python only; `[[a]` is a nested class in Rust, and `{` alone an error there.
A query's calls are `portable` when every pattern, flag and replacement is a string literal in a
small common subset: plain ASCII, `\\s \\S \\d \\D`, escaped metacharacters, `.`, `^`,
`*`, `+`, `?`, `|`, groups without `(?`, simple classes; flags among i, m, s; replacements with
neither `$` nor a backslash. Anything else (a pattern from a variable too) is left to rdflib.

The check reads the query text, not its algebra, so that a query with no such call costs one
regular-expression search; a call it cannot read is not portable.
"""

from __future__ import annotations

import re
from functools import lru_cache

CALL = re.compile(r"\b(REGEX|REPLACE)\s*\(", re.IGNORECASE)
"""Where a call to one of the two functions begins; an IRI or string that happens to contain
the word only sends the query to rdflib."""

STRING = re.compile(r"""\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')\s*""", re.DOTALL)
"""One short SPARQL string literal as a whole argument (a long `\"\"\"` one does not match)."""

ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
"""SPARQL's string escapes (https://www.w3.org/TR/sparql11-query/#grammarEscapes)."""

PATTERN = re.compile(
    r"""(?:
        [A-Za-z0-9\ _,:;/#@%&=~!<>"'`-]    # literal characters
      | [.^*+?|)]                          # metacharacters read alike
      | \((?!\?)                           # a group, not an extension
      | \\[sSdD.^$*+?|()\[\]{}\\/-]        # classes and escaped metacharacters
      | \[\^?(?:                           # a simple class:
            [A-Za-z0-9\ _,:;/#@%&=~!<>"'`.]  # its characters,
          | \\[sSdD.\\\]\[^-]                # escapes,
          | (?<=[A-Za-z0-9])-(?=[A-Za-z0-9]) # ranges,
          | -(?=\])                          # a last, literal, hyphen
        )+\]
    )*""",
    re.VERBOSE,
)
"""The common subset of XPath, Rust and Python regular expressions that both engines accept."""

FLAGS = re.compile(r"[ims]*")
REPLACEMENT = re.compile(r"[^$\\]*")


@lru_cache(maxsize=256)
def portable(text: str) -> bool:
    """Whether every REGEX and REPLACE call in `text` reads the same in Oxigraph and rdflib."""
    for call in CALL.finditer(text):
        arguments = _arguments(text, call.end())
        if arguments is None:
            return False
        strings = [_string(argument) for argument in arguments[1:]]
        if call.group(1).upper() == "REGEX":
            checks = [PATTERN, FLAGS]
        else:
            checks = [PATTERN, REPLACEMENT, FLAGS]
        if len(strings) > len(checks) or len(strings) < len(checks) - 1:
            return False
        for string, check in zip(strings, checks, strict=False):
            if string is None or not string.isascii() or not check.fullmatch(string):
                return False
    return True


def _arguments(text: str, start: int) -> list[str] | None:
    """The top-level arguments of the call whose `(` ends at `start`, or None if unreadable."""
    arguments: list[str] = []
    depth, begun, index = 1, start, start
    while index < len(text):
        char = text[index]
        if char in "\"'":
            end = _string_end(text, index)
            if end is None:
                return None
            index = end
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                arguments.append(text[begun:index])
                return arguments
        elif char == "," and depth == 1:
            arguments.append(text[begun:index])
            begun = index + 1
        index += 1
    return None


def _string_end(text: str, start: int) -> int | None:
    """The index just past the string literal opening at `start`."""
    quote, index = text[start], start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
        elif text[index] == quote:
            return index + 1
        else:
            index += 1
    return None


def _string(argument: str) -> str | None:
    """The value of an argument that is one short string literal, escapes decoded."""
    found = STRING.fullmatch(argument)
    if found is None:
        return None
    body = found.group(1) if found.group(1) is not None else found.group(2)
    decoded, index = [], 0
    while index < len(body):
        if body[index] == "\\":
            escaped = ESCAPES.get(body[index + 1])
            if escaped is None:
                return None  # \u escapes and the like: not worth reading
            decoded.append(escaped)
            index += 2
        else:
            decoded.append(body[index])
            index += 1
    return "".join(decoded)
