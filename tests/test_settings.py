"""Settings: a bad KG_ variable or option is a usage error that names it, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.config import read_settings
from kg.errors import UsageError

runner = CliRunner()


@pytest.mark.parametrize("base", ["https://w3id.org/partage/", "https://example.org/kg#"])
def test_a_base_iri_ending_in_slash_or_hash_is_taken(base: str) -> None:
    assert read_settings(base_iri=base).base_iri == base


@pytest.mark.parametrize(
    "base",
    [
        "http://127.0.0.1:8000",
        "https://example.org/kg",
        "partage/",
        "https://a b/",
        "https://a/<b>/",
    ],
)
def test_a_base_iri_that_iris_cannot_be_appended_to_is_refused_naming_it(base: str) -> None:
    with pytest.raises(UsageError, match=r"KG_BASE_IRI \(--base-iri\): must be an absolute IRI"):
        read_settings(base_iri=base)


def test_a_bad_variable_stops_a_command_with_exit_2_and_its_name(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["build", "--store", str(tmp_path / "store")], env={"KG_PORT": "99999"}
    )
    assert result.exit_code == 2, result.output
    assert "error: KG_PORT (--port): Input should be less than or equal to 65535" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "store").exists()
