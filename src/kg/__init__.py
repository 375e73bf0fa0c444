"""Partage KG: build, validate and query the knowledge graph of the Partage study.

Importing `kg` stays cheap: `open_dataset` (which pulls in rdflib and Oxigraph) is imported on
first use, and the version is read from the installed distribution's metadata, whose single
source is pyproject.toml.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.dataset import open_dataset

DISTRIBUTION = "partage-kg"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__", "open_dataset"]


def __getattr__(name: str) -> object:
    """Import `open_dataset` lazily so `import kg` loads no RDF machinery."""
    if name == "open_dataset":
        from kg.dataset import open_dataset

        return open_dataset
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
