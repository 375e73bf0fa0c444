"""The layout of a store directory, and the only reader of its manifest.

Standard library only, so that every side can import it: the CLI and the release (which write
stores through `kg.store`), the HTTP process and the query worker (which must not load
Oxigraph or rdflib to learn which release is being served).

A store is a directory:

* `oxigraph/` (`DATABASE`): the Oxigraph database;
* `snapshot.nq` (`SNAPSHOT`): the same quads as N-Quads, which a query worker loads into memory
  faster than it could copy them out of the database;
* `sources.nq.gz` (`SOURCES`): the release's source graphs (ontology, study, linksets, shapes)
  before anything was derived from them, which an edit changes before making the release again;
* `manifest.json` (`MANIFEST`): what the store holds (`Manifest`), written last;
* the files a release publishes with it (`dumps/`, `docs/`), each listed in the manifest with
  its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import UsageError

DATABASE = "oxigraph"
MANIFEST = "manifest.json"
SNAPSHOT = "snapshot.nq"
SOURCES = "sources.nq.gz"
DEFAULT_GRAPH = "default"
"""Manifest key of the store's default graph (graph IRIs always hold a colon, this never does)."""
UNPUBLISHED = (DATABASE, SNAPSHOT, SOURCES)
"""What a store holds for itself: never listed as a published file, never served."""

Stamp = tuple[int, int, int]
"""A manifest file's identity (inode, modification time in ns, size): a swapped-in store has
another. The HTTP side and the query worker compare theirs, so both compute it with `stamp_of`."""


def stamp_of(info: os.stat_result) -> Stamp:
    """The stamp of a manifest, from its `stat`."""
    return (info.st_ino, info.st_mtime_ns, info.st_size)


@dataclass(frozen=True)
class Manifest:
    """What a store holds. No build time: two builds of the same sources are byte-identical.

    Attributes:
        version: the package version that made the release.
        content_hash: `kg.build.content_hash` of its graphs; None for a store `kg load` wrote
            without a release (its manifest's own digest then names it: `Manifest.release`).
        triples: triples per graph IRI (and `DEFAULT_GRAPH`).
        loaded: the files `kg load` added: name, SHA-256 and target graph.
        files: files published with the store (path relative to it: SHA-256).
    """

    version: str
    content_hash: str | None
    triples: dict[str, int]
    loaded: list[dict[str, str]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """Sorted keys and a fixed layout, so equal manifests are equal bytes."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def parse(cls, data: bytes) -> Manifest:
        """The manifest whose bytes are `data`.

        Raises:
            ValueError: `data` is not a store manifest.
        """
        parsed: Any = json.loads(data)
        if not isinstance(parsed, dict) or not isinstance(parsed.get("version"), str):
            raise ValueError("not a store manifest")
        try:
            manifest = cls(**parsed)
        except TypeError as error:
            raise ValueError(f"not a store manifest: {error}") from error
        if not isinstance(manifest.triples, dict) or not isinstance(manifest.files, dict):
            raise ValueError("not a store manifest: triples and files must be objects")
        return manifest

    @property
    def named_graphs(self) -> tuple[tuple[str, int], ...]:
        """The named graphs with their triple counts, in IRI order."""
        return tuple(sorted((name, int(n)) for name, n in self.triples.items() if ":" in name))

    @property
    def total(self) -> int:
        """Triples in all graphs."""
        return sum(int(count) for count in self.triples.values())


def read_manifest(store: Path) -> Manifest:
    """Read the manifest of the store at `store`.

    Raises:
        UsageError: `store` is not a store.
    """
    try:
        return Manifest.parse((store / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise UsageError(f"{store} is not a store (no {MANIFEST}): run `kg build`") from None
    except (OSError, ValueError) as error:
        raise UsageError(f"{store / MANIFEST} is not a store manifest: {error}") from error


def release_of(data: bytes) -> tuple[str, str]:
    """(version, content hash) named by a manifest's bytes: what `X-KG-Release` and
    `X-KG-Content-Hash` say. A store `kg load` wrote has no content hash; the manifest's own
    digest stands in for it, since that manifest lists the digest of every file loaded.

    Raises:
        ValueError: the bytes are not a store manifest.
    """
    manifest = Manifest.parse(data)
    return manifest.version, manifest.content_hash or hashlib.sha256(data).hexdigest()


def archive_of(store: Path) -> Path:
    """Where the releases published from the store at `store` are archived (`kg.releases`):
    beside it, since the store itself is replaced by every build and edit."""
    return store.with_name(f"{store.name}.releases")


def published_files(store: Path) -> dict[str, str]:
    """The files the store's manifest lists (path: SHA-256): the only ones served; {} when the
    manifest cannot be read (a swap in progress answers 404 rather than 500)."""
    try:
        return dict(read_manifest(store).files)
    except UsageError:
        return {}
