"""The `kg` sub-commands, one module each, and what they share: settings, exit codes, output.

Exit codes, the contract scripts and CI rely on:
    0  done;
    1  the graph does not conform to the shapes;
    2  bad input or usage: a parse error (`file:line:col: message`), a bad query, a missing
       store, an option value that does not fit;
    3  internal error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from kg.errors import KGError, NotConforming, QueryError, SourceError, UsageError
from kg.lock import StoreBusyError
from kg.namespaces import PREFIXES

if TYPE_CHECKING:
    from rich.console import Console

    from kg.config import Settings

EXIT_OK = 0
EXIT_NOT_CONFORMING = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


def settings(root: Path | None = None, store: Path | None = None) -> Settings:
    """Settings from the environment, overridden by the options given on the command line.

    A --store typed on the command line is relative to the current directory, as the shell
    completes it; only KG_STORE and the default are relative to the project root.
    """
    from kg.config import read_settings  # pydantic-settings: only for the commands that read them

    given: dict[str, Any] = {}
    if root is not None:
        given["root"] = root.resolve()
    if store is not None:
        given["store"] = store.resolve()
    with exit_codes():  # a bad KG_ variable is a usage error, not a traceback
        return read_settings(**given)


@contextmanager
def exit_codes() -> Iterator[None]:
    """Turn the core's errors into a message on stderr and the exit code of its kind."""
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except NotConforming as error:
        from kg.report import render  # pySHACL: only once there is a report to render
        from kg.validate import ValidationReport

        if isinstance(error.report, ValidationReport):
            typer.echo(render(error.report, "text"), nl=False)
        typer.echo(str(error), err=True)
        raise typer.Exit(EXIT_NOT_CONFORMING) from error
    except SourceError as error:
        typer.echo(str(error), err=True)  # already `file:line:col: message`
        raise typer.Exit(EXIT_BAD_INPUT) from error
    except (UsageError, QueryError, StoreBusyError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from error
    except KGError as error:
        typer.echo(f"internal error: {error}", err=True)
        raise typer.Exit(EXIT_INTERNAL) from error
    except Exception as error:  # the CLI edge: anything else is a bug, reported as one
        typer.echo(f"internal error: {type(error).__name__}: {error}", err=True)
        raise typer.Exit(EXIT_INTERNAL) from error


def console(stderr: bool = False) -> Console:
    """A rich console on stdout (or stderr), made per command so tests capture it."""
    from rich.console import Console  # not for `kg validate`, which writes plain text

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def namespace_manager() -> NamespaceManager:
    """Our prefixes only, to show IRIs compactly."""
    manager = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace)
    return manager


def show_term(term: Node | None, names: NamespaceManager) -> str:
    """A term as a person reads it: `pv:Platform`, `"Alpha"@fr` shown as `Alpha@fr`, `_:b0`."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return names.normalizeUri(term)
    if isinstance(term, Literal):
        return f"{term}@{term.language}" if term.language else str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)
