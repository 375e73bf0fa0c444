"""Python's cyclic garbage collector, paused while a release is made.

Making a release allocates hundreds of thousands of rdflib terms, tuples and dicts that stay
alive until it is written, so the collector's generation thresholds trip over and over, and each
full collection walks every object of the process (the server's too) to free almost nothing:
measured on the project, a third of an edit's non-validation time. Reference counting still frees
what is dropped; whatever cycles a release leaves are collected at the next collection after it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, then turn it back on if it was on.

    Nested or concurrent blocks are safe: only the block that turned it off turns it on, and
    the worst a concurrent block sees is the collector running again before it ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
