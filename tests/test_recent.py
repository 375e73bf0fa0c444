"""kg.recent: the memo keeps the last values by key and drops the least recently used."""

from __future__ import annotations

from kg.recent import Recent


def test_a_kept_value_is_not_computed_again() -> None:
    recent: Recent[str, int] = Recent(2)
    recent.put("a", 1)

    assert recent.get("a", lambda: 2) == 1


def test_the_least_recently_used_value_is_dropped_first() -> None:
    recent: Recent[str, int] = Recent(2)
    recent.put("a", 1)
    recent.put("b", 2)
    recent.get("a", lambda: 0)  # "a" used again: "b" is now the oldest
    recent.put("c", 3)

    # read "b" last: computing it again drops another
    assert [recent.get(key, lambda: 0) for key in ("a", "c", "b")] == [1, 3, 0]
