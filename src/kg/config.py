"""Settings: one object, read from `KG_*` environment variables, passed to whoever needs it.

Nothing imports a settings instance: the CLI (or the web app factory) builds one and hands it
down, so tests build their own without touching the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_STORE = Path(".kg/store")


class Settings(BaseSettings):
    """Where the project and its built store are.

    Attributes:
        root: the project directory (ontology/, data/, shapes/); KG_ROOT, default the cwd.
        store: the store directory; KG_STORE. A relative path is relative to `root`, so the
            default `.kg/store` lives inside the project whatever the cwd.
    """

    model_config = SettingsConfigDict(env_prefix="KG_", frozen=True)

    root: Path = Field(default_factory=Path.cwd)
    store: Path = DEFAULT_STORE

    @model_validator(mode="after")
    def _anchor_store(self) -> Settings:
        """Resolve a relative store against the root once, so every reader sees the same path."""
        if not self.store.is_absolute():
            object.__setattr__(self, "store", self.root / self.store)
        return self
