"""The archive is read once per change, not once per request: what the cache must still see."""

from __future__ import annotations

import os
from pathlib import Path

from kg import releases
from kg.layout import archive_of


def _archive(store: Path, version: str, content_hash: str) -> None:
    """A release folder as `releases.archive` makes it: staged, then renamed into place."""
    root = archive_of(store)
    root.mkdir(exist_ok=True)
    staging = root / f".tmp-{version}"
    staging.mkdir()
    record = releases.Record(version, content_hash, None, {})
    (staging / releases.RECORD).write_text(record.to_json(), encoding="utf-8")
    staging.rename(root / version)


def test_a_release_archived_after_a_listing_is_listed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _archive(store, "0.1.0", "a")
    os.utime(archive_of(store), ns=(0, 0))  # an old archive: its listing is kept
    assert releases.versions(store) == ["0.1.0"]
    _archive(store, "0.2.0", "b")
    assert releases.versions(store) == ["0.2.0", "0.1.0"]


def test_a_record_put_in_place_of_another_is_read_anew(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _archive(store, "0.1.0", "a")
    assert releases.read_record(store, "0.1.0").content_hash == "a"
    path = archive_of(store) / "0.1.0" / releases.RECORD
    replacement = path.with_name("restored.json")
    replacement.write_text(releases.Record("0.1.0", "b", None, {}).to_json(), encoding="utf-8")
    replacement.replace(path)
    assert releases.read_record(store, "0.1.0").content_hash == "b"


def test_no_archive_lists_no_release(tmp_path: Path) -> None:
    assert releases.versions(tmp_path / "store") == []
