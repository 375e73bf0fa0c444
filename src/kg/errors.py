"""One hierarchy of errors, so the CLI and the web layer map each kind to one exit or status."""

from __future__ import annotations

from pathlib import Path


class KGError(Exception):
    """Base of every error the core raises on purpose."""


class UsageError(KGError):
    """The caller asked for something that cannot be done as asked (bad option, missing file)."""


class SourceError(KGError):
    """An RDF source could not be read; keeps the position so the user can go straight to it."""

    def __init__(
        self, path: Path | str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.column = column
        self.detail = message
        where = str(self.path)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class NotConforming(KGError):
    """The graph does not conform to the shapes; carries the report to show the user."""

    def __init__(self, report: object, message: str = "the graph does not conform to the shapes"):
        self.report = report
        super().__init__(message)


class QueryError(KGError):
    """A SPARQL query or update was rejected (syntax, forbidden feature, time or size limit)."""
