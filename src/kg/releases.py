"""The release archive: every published version of the graph, immutable, beside the store.

A store is replaced by every build and edit; what a reuser pins must not be. `kg build
--release` copies what the release published into `<store>.releases/<version>/`
(`kg.layout.archive_of`), once: the ontology in each syntax (`partage.ttl`, the file its
`owl:versionIRI` names, and `.jsonld`, `.nt`, `.rdf`, `.html`), the shapes, the dumps with their
SHA-256 and the release's VoID/DCAT description, its CHANGELOG section and, from the second
release on, what changed since the previous one: an RDF Patch of the triples added and removed
per named graph (https://afs.github.io/rdf-delta/rdf-patch.html) with counts and a summary
(`release.json`). A release is never rewritten: archiving a version again with the same content
does nothing; with other content it is refused (publish a new version instead). This is the
pattern of schema.org's and the OBO ontologies' release folders.

Archiving is explicit (`--release`), not done by every `kg build`: during development the same
version is rebuilt with changing data, and only a version published on purpose is frozen.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg import docs, dumps
from kg.errors import UsageError
from kg.layout import archive_of, read_manifest

RECORD = "release.json"
PATCH = "changes.rdfp"
CHANGELOG_FILE = "CHANGELOG.md"
DUMPS = dumps.DIRECTORY
NQUADS_DUMP = dumps.NQUADS_PATH
DOCUMENTS = {"ontology": "partage", "shapes": "shapes"}
"""The store's `docs/<name>.*` and the archive's name for them: `partage.ttl` is the file the
ontology's owl:versionIRI names (`kg.build.stamp_release`)."""

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
OWL = "http://www.w3.org/2002/07/owl#"
PV = "https://w3id.org/partage/ontology#"
TERM_TYPES = {f"<{OWL}{name}>" for name in ("Class", "ObjectProperty", "DatatypeProperty")} | {
    f"<{OWL}AnnotationProperty>",
    f"<{OWL}NamedIndividual>",
}
DEPRECATED = f"<{OWL}deprecated>"
RECENT_NS = 2_000_000_000
"""An archive directory changed this recently (ns) is listed again on every call."""
COUNTED = {"organisations": "Organisation", "claims": "Claim", "quotes": "Quote"}
"""Summary keys and the `pv:` class whose instances they count as added or changed."""


class ReleaseExistsError(UsageError):
    """The version is already archived with other content: releases are immutable."""


@dataclass(frozen=True)
class GraphChanges:
    """The triples one named graph gained and lost since the previous release (N-Quads lines)."""

    added: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Record:
    """`release.json`: what an archived release holds and how it differs from the one before.

    Attributes:
        files: every file of the release folder but this record (path: SHA-256).
        changes: per graph IRI, {"added": n, "removed": n}; {} for the first release.
        summary: terms added and deprecated, organisations, claims and quotes added or changed
            (IRIs, sorted), since the previous release.
    """

    version: str
    content_hash: str
    previous: str | None
    files: dict[str, str]
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    summary: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def folder(store: Path, version: str) -> Path:
    """The folder of the release `version` in the store's archive (it may not exist)."""
    return archive_of(store) / version


def versions(store: Path) -> list[str]:
    """The archived versions, newest first (numeric parts compared as numbers).

    Listed again only when the archive's directory changed: a release appears by a rename into
    it (`archive`), which changes the directory's mtime, so the routes that call this on every
    request read one `stat`, not the whole archive. An mtime is coarse (a clock tick), so two
    renames within one tick could share it: a directory changed in the last seconds is listed
    afresh rather than trusted (git's "racy" index entries are handled the same way).
    """
    archive = archive_of(store)
    try:
        stat = archive.stat()
    except FileNotFoundError:
        return []
    if time.time_ns() - stat.st_mtime_ns < RECENT_NS:
        return list(_listed.__wrapped__(archive, stat.st_ino, stat.st_mtime_ns))
    return list(_listed(archive, stat.st_ino, stat.st_mtime_ns))


@functools.lru_cache(maxsize=16)
def _listed(archive: Path, _inode: int, _mtime_ns: int) -> tuple[str, ...]:
    found = [d.name for d in archive.iterdir() if (d / RECORD).is_file()]
    return tuple(sorted(found, key=version_key, reverse=True))


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """An order on versions: 0.10.0 after 0.9.1; a pre-release tag after the number."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.+-]", version))


def read_record(store: Path, version: str) -> Record:
    """The record of an archived release.

    Raises:
        UsageError: the version is not archived.
    """
    path = archive_of(store) / version / RECORD
    try:
        stat = path.stat()
        return _parsed_record(path, stat.st_ino, stat.st_mtime_ns)
    except FileNotFoundError:
        raise UsageError(f"release {version} is not archived beside {store}") from None


@functools.lru_cache(maxsize=64)
def _parsed_record(path: Path, _inode: int, _mtime_ns: int) -> Record:
    """A record is parsed once: an archived release never changes, and a file put in its
    place (an operator's restore) has another inode or mtime, so it is read anew."""
    return Record(**json.loads(path.read_text(encoding="utf-8")))


def check_archivable(store: Path, version: str, content_hash: str) -> bool:
    """Whether archiving `version` with `content_hash` adds a release (False: already there).

    Raises:
        ReleaseExistsError: `version` is archived with another content hash.
    """
    if version not in versions(store):
        return True
    archived = read_record(store, version).content_hash
    if archived == content_hash:
        return False
    raise ReleaseExistsError(
        f"release {version} is already published with content hash {archived}: a release never"
        " changes; give the new content a new version (pyproject.toml) and build it with --release"
    )


def archive(store: Path, changelog: str | None = None) -> Record:
    """Archive the release the store at `store` holds, if its version is not archived yet.

    Call it holding the store's write lock, after the release is written. The folder is staged
    beside the archive and renamed into place, so it appears whole or not at all.

    Args:
        changelog: the project's CHANGELOG.md text; the release's section is kept with it.

    Raises:
        ReleaseExistsError: the version is archived with other content.
        UsageError: the store holds no release (no content hash, no dumps or docs).
    """
    manifest = read_manifest(store)
    if manifest.content_hash is None or NQUADS_DUMP not in manifest.files:
        raise UsageError(f"{store} holds no release to archive (no dumps): run `kg build` first")
    version = manifest.version
    if not check_archivable(store, version, manifest.content_hash):
        return read_record(store, version)
    older = [v for v in versions(store) if version_key(v) < version_key(version)]
    previous = older[0] if older else None
    root = archive_of(store)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".tmp-{version}-{secrets.token_hex(4)}"
    try:
        _copy_release(store, manifest.files, staging)
        if (section := changelog_section(changelog or "", version)) is not None:
            (staging / CHANGELOG_FILE).write_text(section, encoding="utf-8")
        changes: dict[str, GraphChanges] = {}
        summary: dict[str, list[str]] = {}
        if previous is not None:
            old = _lines((root / previous / NQUADS_DUMP).read_bytes())
            new = _lines((store / NQUADS_DUMP).read_bytes())
            changes = diff(old, new)
            summary = summarise(changes, [*old, *new])
            (staging / PATCH).write_text(rdf_patch(changes, previous, version), encoding="utf-8")
        record = Record(
            version,
            manifest.content_hash,
            previous,
            _digests(staging),
            {g: {"added": len(c.added), "removed": len(c.removed)} for g, c in changes.items()},
            summary,
        )
        (staging / RECORD).write_text(record.to_json(), encoding="utf-8")
        staging.rename(root / version)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return record


def _copy_release(store: Path, published: Mapping[str, str], into: Path) -> None:
    """The release's dumps and documents, under the archive's names."""
    (into / DUMPS).mkdir(parents=True)
    for name in sorted(published):
        source = store / name
        folder, _, file = name.partition("/")
        if folder == DUMPS:
            shutil.copy2(source, into / DUMPS / file)
        elif folder == docs.DIRECTORY:
            stem, dot, suffix = file.partition(".")
            shutil.copy2(source, into / f"{DOCUMENTS.get(stem, stem)}{dot}{suffix}")


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def changelog_section(changelog: str, version: str) -> str | None:
    """The `## <version>` section of a CHANGELOG (up to the next `## `), or None."""
    match = re.search(
        rf"^## {re.escape(version)}\b.*?(?=^## |\Z)", changelog, flags=re.MULTILINE | re.DOTALL
    )
    return match.group(0).rstrip() + "\n" if match else None


# --- What changed -----------------------------------------------------------------------------


def diff(old: Iterable[str], new: Iterable[str]) -> dict[str, GraphChanges]:
    """Per graph IRI, the N-Quads lines added and removed between the lines of two dumps.

    The dumps are canonical (sorted lines, canonical blank-node labels: `kg.dumps`), so equal
    triples are equal lines; a blank node whose surroundings changed gets a new label and shows
    as removed and added, which is what changed.
    """
    before, after = _by_graph(old), _by_graph(new)
    changes = {}
    for graph in sorted({*before, *after}):
        added = after.get(graph, frozenset()) - before.get(graph, frozenset())
        removed = before.get(graph, frozenset()) - after.get(graph, frozenset())
        if added or removed:
            changes[graph] = GraphChanges(frozenset(added), frozenset(removed))
    return changes


def _by_graph(dump: Iterable[str]) -> dict[str, frozenset[str]]:
    lines: dict[str, set[str]] = {}
    for line in dump:
        lines.setdefault(_graph_of(line), set()).add(line)
    return {graph: frozenset(found) for graph, found in lines.items()}


def _lines(dump: bytes) -> list[str]:
    """The lines of a gzipped N-Quads dump, decompressed once for the diff and the summary."""
    return [line for line in gzip.decompress(dump).decode("utf-8").splitlines() if line]


def _graph_of(line: str) -> str:
    """The graph IRI of an N-Quads line of our dumps (every quad is in a named graph)."""
    return line[line.rindex("<") + 1 : line.rindex(">")]


def rdf_patch(changes: Mapping[str, GraphChanges], previous: str, version: str) -> str:
    """The changes as one RDF Patch transaction: deletions first, then additions, sorted."""
    header = [f'H previous "{previous}" .', f'H version "{version}" .', "TX ."]
    removed = sorted(f"D {line}" for c in changes.values() for line in c.removed)
    added = sorted(f"A {line}" for c in changes.values() for line in c.added)
    return "\n".join([*header, *removed, *added, "TC ."]) + "\n"


def summarise(changes: Mapping[str, GraphChanges], both: Iterable[str]) -> dict[str, list[str]]:
    """Terms added and deprecated; organisations, claims and quotes added or changed.

    Args:
        both: the lines of both releases, which say what each subject is an instance of.

    A subject counts as added when a line typing it was added, as changed when another line
    about it was added or removed.
    """
    added = [_split(line) for c in changes.values() for line in c.added]
    removed = [_split(line) for c in changes.values() for line in c.removed]
    typed = {(s, o) for s, p, o in map(_split, both) if p == RDF_TYPE}
    typed_now = {(s, o) for s, p, o in added if p == RDF_TYPE}
    summary: dict[str, set[str]] = {
        "terms added": {s for s, kind in typed_now if kind in TERM_TYPES},
        "terms deprecated": {s for s, p, o in added if p == DEPRECATED and o.startswith('"true"')},
    }
    touched = {s for s, _p, _o in (*added, *removed)}
    for key, local in COUNTED.items():
        kind = f"<{PV}{local}>"
        new = {s for s, o in typed_now if o == kind}
        summary[f"{key} added"] = new
        summary[f"{key} changed"] = {s for s, o in typed if o == kind and s in touched} - new
    return {key: sorted(s.strip("<>") for s in found) for key, found in summary.items()}


def _split(line: str) -> tuple[str, str, str]:
    """(subject, predicate, object) of an N-Quads line, as written (the graph dropped)."""
    body = line[: line.rindex("<")].rstrip()
    subject, predicate, obj = body.split(" ", 2)
    return subject, predicate, obj
