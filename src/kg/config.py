"""Settings: one object, read from `KG_*` environment variables, passed to whoever needs it.

Nothing imports a settings instance: the CLI (or the web app factory) builds one and hands it
down, so tests build their own without touching the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from kg.errors import UsageError
from kg.project import PACKAGED, default_root

DEFAULT_STORE = Path(".kg/store")
NOT_IN_IRIS = ' <>"{}|^`\\'
"""Characters an IRI may not hold (RFC 3987's IRI production; N-Triples refuses them)."""


class Settings(BaseSettings):
    """Where the project and its built store are.

    Attributes:
        root: the project directory (ontology/, data/, shapes/); KG_ROOT, default the cwd if
            it is a project, else the project installed with the package (`kg.project`).
        store: the store directory; KG_STORE. A relative path is relative to `root`, so the
            default `.kg/store` lives inside the project whatever the cwd; with the installed
            project (read-only, inside site-packages) it is relative to the cwd.
    """

    model_config = SettingsConfigDict(env_prefix="KG_", frozen=True)

    root: Path = Field(default_factory=default_root)
    store: Path = DEFAULT_STORE

    # The server (`kg serve`); each is also KG_<NAME>, e.g. KG_PORT=8080 (KG_ENGINE has no
    # command-line option: only tests choose the in-process engine).
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="cores for queries"
    )
    timeout: float = Field(default=30.0, gt=0, description="query time limit, seconds")
    max_results: int = Field(default=10_000, ge=1, description="rows or triples per answer")
    max_query_length: int = Field(default=100_000, ge=1, description="characters")
    max_body_bytes: int = Field(default=1_000_000, ge=1, description="request body size cap")
    memory_limit_mb: int = Field(
        default=2048, ge=768, description="address space (RLIMIT_AS) of the query worker"
    )
    in_memory_triples: int = Field(
        default=2_000_000, ge=0, description="a store up to this size is queried in memory"
    )
    cache_mb: int = Field(default=64, ge=0, description="cache of small answers; 0: none")
    admin_token: SecretStr | None = None
    service_allow: Annotated[tuple[str, ...], NoDecode] = ()
    base_iri: str = Field(
        default="https://w3id.org/partage/", description="base of relative IRIs in queries"
    )
    engine: Literal["process", "inline"] = Field(
        default="process",
        description="where queries run: a worker process that a runaway query gets killed "
        "with (production), or threads of the server (tests that are not about processes)",
    )

    # A remote SPARQL store to publish releases to and validate (kg.remote); the store
    # directory above still holds the release's files. Credentials come from the environment
    # only (KG_STORE_USER + KG_STORE_PASSWORD, or KG_STORE_TOKEN), never from an option, so
    # they stay out of shell histories and process lists.
    store_url: str | None = Field(default=None, description="SPARQL query endpoint")
    store_update_url: str | None = Field(
        default=None, description="SPARQL update endpoint; default: the profile's, or store_url"
    )
    store_gsp_url: str | None = Field(
        default=None, description="Graph Store HTTP Protocol endpoint; default: the profile's"
    )
    store_profile: Literal["oxigraph", "virtuoso", "generic"] = Field(
        default="generic", description="what the engine can do (kg.remote.profiles)"
    )
    store_auth: Literal["basic", "digest", "bearer"] | None = Field(
        default=None, description="HTTP auth scheme; default: the profile's, bearer with a token"
    )
    store_user: str | None = None
    store_password: SecretStr | None = None
    store_token: SecretStr | None = None
    store_timeout: float = Field(default=60.0, gt=0, description="seconds per remote request")
    store_record_interval: float = Field(
        default=1.0, gt=0, description="seconds between looks at the remote release record"
    )

    @field_validator("service_allow", mode="before")
    @classmethod
    def _split_endpoints(cls, value: Any) -> Any:
        """KG_SERVICE_ALLOW is a list of endpoint URLs separated by spaces or commas."""
        if isinstance(value, str):
            return tuple(part for part in value.replace(",", " ").split() if part)
        return value

    @field_validator("base_iri")
    @classmethod
    def _base_ends_a_path(cls, value: str) -> str:
        """IRIs are made by appending to the base (`<base>sparql`, `<base>id/...`): without a
        final `/` or `#` they run into its last segment, or its port, and Oxigraph rejects them
        when the release is written."""
        parts = urlsplit(value)
        unsafe = set(value) & set(NOT_IN_IRIS)
        if not (parts.scheme and parts.netloc) or not value.endswith(("/", "#")) or unsafe:
            raise ValueError(
                "must be an absolute IRI ending in / or #, e.g. https://w3id.org/partage/"
            )
        return value

    @model_validator(mode="after")
    def _anchor_store(self) -> Settings:
        """Resolve a relative store against the root once, so every reader sees the same path."""
        if not self.store.is_absolute():
            anchor = Path.cwd() if self.root == PACKAGED else self.root
            object.__setattr__(self, "store", anchor / self.store)
        return self


def read_settings(**given: Any) -> Settings:
    """`Settings(**given)`, a bad value reported as the option or variable that gave it.

    Raises:
        UsageError: a value is not valid, named with its KG_ variable, e.g. `KG_PORT (--port):
            Input should be less than or equal to 65535, not '99999'`.
    """
    try:
        return Settings(**given)
    except ValidationError as error:
        raise UsageError("; ".join(_described(problem) for problem in error.errors())) from None


def _described(problem: Any) -> str:
    name = str(problem["loc"][0]) if problem["loc"] else ""
    where = f"KG_{name.upper()} (--{name.replace('_', '-')})" if name else "settings"
    message = str(problem["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}, not {problem['input']!r}"
