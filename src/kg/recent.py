"""A bounded, thread-safe memo of the values computed last: what `kg.canonical` and `kg.jsonld`
keep per graph's content, so that a release computes again only what changed.

A server makes releases from several threads (edits through both write protocols), so the memo
is guarded by a lock; the values are computed outside it, and two threads that compute the
same value at once both get a correct one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The last `size` values by key, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The value kept for `key`, or `compute()`'s, kept from now on."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()
        self.put(key, value)
        return value

    def peek(self, key: K) -> V | None:
        """The value kept for `key`, or None; computes nothing."""
        with self._lock:
            return self._values.get(key)

    def values(self) -> list[V]:
        """The values kept, least recently used first."""
        with self._lock:
            return list(self._values.values())

    def clear(self) -> None:
        """Forget every value (a test that needs a process with no memo)."""
        with self._lock:
            self._values.clear()

    def put(self, key: K, value: V) -> None:
        """Keep `value` for `key`, dropping the least recently used beyond `size`."""
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)
