"""What the app holds while it runs: settings, the release on disk, the query worker, caches.

Built by `kg.web.app.create_app` and reached by handlers as `request.app.state.kg`; nothing here
happens at import time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kg.config import Settings
from kg.web.messages import MANIFEST, QueryReply, Stamp, release_of, stamp_of
from kg.web.pool import QueryPool

UpdateHandler = Callable[[Request, str, tuple[str, ...], tuple[str, ...]], Awaitable[Response]]
"""Runs a SPARQL Update POSTed to /sparql: (request, update text, using-graph-uri values,
using-named-graph-uri values) -> response. Set by `kg.web.update.make_router` when it exists."""


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
        """The build time as an HTTP date."""
        return formatdate(self.modified, usegmt=True)

    def etag(self, variant: str) -> str:
        """A weak validator for a representation of this release (`variant`: the media types)."""
        digest = hashlib.sha256(f"{self.content_hash} {variant}".encode()).hexdigest()[:20]
        return f'W/"{digest}"'


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
            except (OSError, ValueError):
                return self.release
            graphs = _manifest_graphs(data)
            self.release = Release(version, content_hash, info.st_mtime, graphs, stamp)
        return self.release


def _manifest_graphs(data: bytes) -> tuple[tuple[str, int], ...]:
    """The named graphs of a manifest (IRIs hold a colon; the default graph's key does not)."""
    triples = json.loads(data).get("triples", {})
    if not isinstance(triples, dict):
        return ()
    return tuple(sorted((name, int(n)) for name, n in triples.items() if ":" in name))


class ResponseCache:
    """Small answers of the current release, least recently used dropped first.

    The store is read-only and its answers are deterministic, so the same request on the same
    release gets the same bytes; the cache is emptied whenever the release changes.
    """

    def __init__(self, max_bytes: int, max_entry: int = 256 * 1024) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self.entries: OrderedDict[tuple[Any, ...], QueryReply] = OrderedDict()
        self.bytes = 0
        self.release: tuple[str, str] | None = None

    def get(self, release: tuple[str, str], key: tuple[Any, ...]) -> QueryReply | None:
        if release != self.release:
            return None
        reply = self.entries.get(key)
        if reply is not None:
            self.entries.move_to_end(key)
        return reply

    def put(self, key: tuple[Any, ...], reply: QueryReply) -> None:
        size = len(reply.body)
        if size > self.max_entry or size > self.max_bytes:
            return
        if reply.release != self.release:
            self.entries.clear()
            self.bytes = 0
            self.release = reply.release
        if key in self.entries:
            return
        self.entries[key] = reply
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.bytes -= len(dropped.body)


@dataclass
class AppState:
    """Everything a request handler needs, injected by the app factory."""

    settings: Settings
    watcher: ReleaseWatcher
    pool: QueryPool
    cache: ResponseCache
    services: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """SERVICE endpoints found in each query text checked so far (bounded, see `remember`)."""
    descriptions: dict[tuple[Any, ...], bytes] = field(default_factory=dict)
    """Serialised service descriptions by (release stamp, endpoint, media type, update)."""
    update_handler: UpdateHandler | None = None

    def remember_services(self, text: str, services: tuple[str, ...]) -> None:
        """Keep a query's SERVICE verdict; forget them all past 4096 texts (cheap, bounded)."""
        if len(self.services) >= 4096:
            self.services.clear()
        self.services[text] = services
