"""Reading parameters: the fast decoder gives what `urllib.parse.parse_qsl` gives, always."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.web.protocol import parse_pairs

URL_CHARACTERS = st.text(alphabet=st.sampled_from("%+&=\\aZ09-_.~ /xXcCfF"), max_size=40)


def reference(text: str) -> list[tuple[str, str]]:
    return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")


@given(URL_CHARACTERS)
def test_parse_pairs_same_as_parse_qsl_for_any_ascii(text: str) -> None:
    try:
        expected = reference(text)
    except UnicodeDecodeError:
        with pytest.raises(UnicodeDecodeError):
            parse_pairs(text)
        return
    assert parse_pairs(text) == expected


@given(st.dictionaries(st.text(max_size=10), st.text(max_size=60), max_size=4))
def test_parse_pairs_decodes_what_a_client_encodes(params: dict[str, str]) -> None:
    text = "&".join(f"{quote_plus(name)}={quote_plus(value)}" for name, value in params.items())
    assert parse_pairs(text) == reference(text)


@pytest.mark.parametrize(
    "text",
    ["query=%zz", "query=%4", "query=a%", "query=caf%C3%A9", "query=%5C%5Cx41", "q=caf\u00e9"],
)
def test_parse_pairs_odd_escapes_as_parse_qsl(text: str) -> None:
    assert parse_pairs(text) == reference(text)


def test_parse_pairs_invalid_utf8_is_an_error() -> None:
    with pytest.raises(UnicodeDecodeError):
        parse_pairs("query=%C3")
