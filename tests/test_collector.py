"""kg.collector: the cyclic garbage collector is off inside a block and as it was after."""

from __future__ import annotations

import gc

from kg.collector import paused


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with paused():
        inside = gc.isenabled()

    assert (inside, gc.isenabled()) == (False, True)


def test_a_nested_block_leaves_the_collector_off_for_the_outer_one() -> None:
    with paused():
        with paused():
            pass
        after_inner = gc.isenabled()

    assert (after_inner, gc.isenabled()) == (False, True)
