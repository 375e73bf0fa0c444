"""`kg build | load | validate --store-url` against Oxigraph server and Virtuoso."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kg.cli import app
from kg.layout import read_manifest
from kg.remote.client import RemoteStore
from kg.remote.record import read_record

runner = CliRunner()
Engine = Any  # tests/remote/conftest.py's Engine: a server's settings and process


def kg(engine: Engine, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=engine.env)
    return result.exit_code, result.stdout, result.stderr


def live(engine: Engine) -> str | None:
    with RemoteStore.of(engine.settings()) as store:
        record = read_record(store)
    return record.content_hash if record else None


def test_build_store_url_publishes_and_writes_the_local_store(
    remote: Engine, project_copy: Path, tmp_path: Path
) -> None:
    code, out, err = kg(
        remote, "build", "--root", str(project_copy), "--store", str(tmp_path / "s")
    )
    assert code == 0, err
    assert live(remote) == read_manifest(tmp_path / "s").content_hash
    code, out, err = kg(remote, "validate", "--store-url", remote.env["KG_STORE_URL"])
    assert code == 0, out + err


def test_validate_store_url_reports_drift_and_missing_release(
    remote: Engine, project_copy: Path, tmp_path: Path
) -> None:
    url = remote.env["KG_STORE_URL"]
    code, _, err = kg(remote, "validate", "--store-url", url)
    assert code == 2 and "no release record" in err
    assert kg(remote, "build", "--root", str(project_copy), "--store", str(tmp_path / "s"))[0] == 0
    with RemoteStore.of(remote.settings()) as store:
        store.update("DROP SILENT GRAPH <https://w3id.org/partage/graph/validation-report>")
    code, _, err = kg(remote, "validate", "--store-url", url)
    assert code == 1 and "drift: <https://w3id.org/partage/graph/validation-report>" in err


def test_load_store_url_adds_to_the_release_and_refuses_a_stale_store(
    remote: Engine, project_copy: Path, tmp_path: Path
) -> None:
    store = tmp_path / "s"
    assert kg(remote, "build", "--root", str(project_copy), "--store", str(store))[0] == 0
    stale = Path(shutil.copytree(store, tmp_path / "stale"))
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "<https://w3id.org/partage/id/org-beta> <http://www.w3.org/2002/07/owl#sameAs>"
        " <http://www.wikidata.org/entity/Q9> .\n",
        encoding="utf-8",
    )
    graph = "https://w3id.org/partage/graph/links/extra"
    args = ("load", str(extra), "--graph", graph, "--root", str(project_copy))
    code, _, err = kg(remote, *args, "--store", str(store))
    assert code == 0, err
    assert live(remote) == read_manifest(store).content_hash
    code, _, err = kg(remote, *args, "--store", str(stale))
    assert code == 2 and "someone published meanwhile" in err
    # no files: publish the old store's release as it is (a roll-back)
    code, _, err = kg(remote, "load", "--root", str(project_copy), "--store", str(stale))
    assert code == 0, err
    assert live(remote) == read_manifest(stale).content_hash
