"""The release being served: the store's manifest, as the engine's callers see it.

The HTTP side names the release in every response and compares it with the worker's, so it
reads the manifest itself, through `kg.layout` (the only reader of that file), cheaply: a
`stat` at most every `interval`, a read only when the file changed.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

from kg.layout import MANIFEST, Manifest, Stamp, release_of, stamp_of


@dataclass(frozen=True)
class Release:
    """The store release being served, as its manifest names it.

    Attributes:
        version: the package version that built it (`X-KG-Release`).
        content_hash: the content hash of its graphs (`X-KG-Content-Hash`), or the manifest's
            digest for a store written by `kg load`.
        modified: when the manifest was written (the build time): Last-Modified.
        graphs: the named graphs the manifest lists, with their triple counts.
        stamp: identity of the manifest file, to notice a swap cheaply.
    """

    version: str
    content_hash: str
    modified: float
    graphs: tuple[tuple[str, int], ...]
    stamp: Stamp

    @functools.cached_property
    def last_modified(self) -> str:
        """The build time as an HTTP date (computed once: it is in every answer's headers)."""
        return formatdate(self.modified, usegmt=True)


class ReleaseWatcher:
    """The release of the store at a path, re-read when its manifest file changes.

    The manifest is looked at most every `interval` seconds: headers may name the previous
    release for that long after a swap (query answers name the release they came from).
    """

    def __init__(self, store: Path, interval: float = 0.2) -> None:
        self.manifest = store / MANIFEST
        self.release: Release | None = None
        self.interval = interval
        self.checked = -interval

    def current(self) -> Release | None:
        """The release now on disk; the last one seen while a swap leaves no manifest."""
        now = time.monotonic()
        if self.release is not None and now - self.checked < self.interval:
            return self.release
        self.checked = now
        try:
            info = self.manifest.stat()
        except OSError:
            return self.release
        stamp = stamp_of(info)
        if self.release is None or stamp != self.release.stamp:
            try:
                data = self.manifest.read_bytes()
                version, content_hash = release_of(data)
                graphs = Manifest.parse(data).named_graphs
            except (OSError, ValueError, TypeError):  # TypeError: a count is not a number
                return self.release
            self.release = Release(version, content_hash, info.st_mtime, graphs, stamp)
        return self.release

    def look_again(self) -> None:
        """Look at the manifest on the next `current`, however recent the last look."""
        self.checked = float("-inf")
