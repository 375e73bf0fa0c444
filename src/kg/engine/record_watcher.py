"""The release a remote store serves, from its release record (`kg.remote.record`).

What `kg.engine.watcher.ReleaseWatcher` is to the manifest of a local store: every response
names the release (`X-KG-Release`, `X-KG-Content-Hash`, ETag, Last-Modified), so it must be at
hand without a request to the store per response. A task of the engine reads the record every
`interval` seconds, on a thread (the record is two small SELECTs); `current` never waits for
the network once there is a release. An edit through this server looks at once (`look_again`),
so its next answers name the release it published.

On an engine with atomic updates the record changes in the same transaction as the data, so
answers may name the previous release for at most `interval` after a swap, as on a local store.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from pathlib import Path

from kg.config import Settings
from kg.engine.watcher import Release
from kg.errors import UsageError
from kg.layout import MANIFEST, read_manifest
from kg.remote.client import RemoteError, RemoteStore
from kg.remote.record import ReleaseRecord, read_record

log = logging.getLogger("kg.web")
RECORD_TIMEOUT = 5.0
"""Seconds a look at the record may take: a slow store delays the next look, not answers."""


class RecordWatcher:
    """The release record of the store `settings.store_url` names, looked at regularly.

    Args:
        settings: the store's URLs, profile and credentials; `settings.store` is the local
            release directory, whose manifest gives Last-Modified for a record without one.
        interval: seconds between looks.
    """

    def __init__(self, settings: Settings, interval: float = 1.0) -> None:
        timeout = min(settings.store_timeout, RECORD_TIMEOUT)
        self.store = RemoteStore.of(settings.model_copy(update={"store_timeout": timeout}))
        self.local_manifest = settings.store / MANIFEST
        self.interval = interval
        self.release: Release | None = None
        self.record: ReleaseRecord | None = None
        self.checked = -interval
        self.problem: str | None = None  # the last failure, logged once
        self.lock = threading.Lock()  # one look at a time: the poller and `look_again`

    def current(self) -> Release | None:
        """The release last seen; before there is one, looked for (at most every interval)."""
        if self.release is None and time.monotonic() - self.checked >= self.interval:
            self.refresh()
        return self.release

    def look_again(self) -> None:
        """Read the record now: this server just published a release."""
        self.refresh()

    def refresh(self) -> None:
        """Read the record; on failure keep the release last seen, and log why once."""
        with self.lock:
            self.checked = time.monotonic()
            try:
                record = read_record(self.store)
            except RemoteError as error:
                self._trouble(f"cannot read the release record: {error}")
                return
            if record is None:
                self._trouble(f"{self.store.location} holds no release record")
                return
            if self.problem is not None:
                log.info("the release record of %s is readable again", self.store.location)
                self.problem = None
            seen = self.record
            if seen is None or record != seen or record.modified != seen.modified:
                self.record, self.release = record, self.release_of(record)

    def release_of(self, record: ReleaseRecord) -> Release:
        """The release `record` names; Last-Modified is when it was published (else when the
        local manifest was written, else now)."""
        modified = record.modified
        if modified is None:
            try:
                modified = self.local_manifest.stat().st_mtime
            except OSError:
                modified = time.time()
        digest = hashlib.sha256(f"{record.content_hash} {modified}".encode()).digest()
        stamp = (0, 0, int.from_bytes(digest[:8], "big"))  # tells releases apart, as a file's
        graphs = tuple(sorted(record.triples.items()))
        return Release(record.version, record.content_hash, modified, graphs, stamp)

    async def watch(self) -> None:
        """Look at the record every `interval` until cancelled (the engine's task)."""
        while True:
            await asyncio.sleep(self.interval)
            await asyncio.to_thread(self.refresh)

    def close(self) -> None:
        self.store.close()

    def _trouble(self, problem: str) -> None:
        if problem != self.problem:
            log.warning("%s; answers name the release last seen", problem)
            self.problem = problem


def local_release_differs(watcher: RecordWatcher, store: Path) -> str | None:
    """Why the local release directory (pages, dumps, docs) is not the release the remote store
    serves, or None when it is."""
    record = watcher.record
    if record is None:
        return None
    try:
        local = read_manifest(store).content_hash
    except UsageError as error:
        return str(error)
    if local != record.content_hash:
        return f"{store} holds {str(local)[:12]}, the remote store serves {record.label}"
    return None
