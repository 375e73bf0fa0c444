"""The `kg` command: build | load | query | serve | stats | validate, a module each in kg.commands.

This module only assembles the Typer app; exit codes are defined in kg.commands.

A command's module is imported when that command runs (or `kg --help` lists it), not when `kg`
starts: `kg validate` in a user's CI need not import the remote store's HTTP client, the link
checkers or the store writer. Importing them all took ~0.3 s of the ~0.7 s `import kg.cli` took.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from importlib import import_module
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from kg import __version__

COMMANDS = {
    "build": "kg.commands.build:build",
    "load": "kg.commands.load:load",
    "query": "kg.commands.query:query",
    "serve": "kg.commands.serve:serve",
    "stats": "kg.commands.stats:stats",
    "validate": "kg.commands.validate:validate",
    "links": "kg.commands.links:app",
}
"""Each command's name and where it is defined, in the order `kg --help` lists them: a
function becomes a command (`app.command()`), a Typer app a group of them (`app.add_typer`)."""


class LazyCommands(MutableMapping[str, Any]):
    """The commands of a group, each built from its module on first lookup.

    Typer keeps a group's commands in this mapping: `get` on running one, `keys` to suggest a
    name for a typo (no import), `items` for the help (every module imported).
    """

    def __init__(self, known: MutableMapping[str, Any]) -> None:
        self._loaded = dict(known)

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded and name in COMMANDS:
            self._loaded[name] = click_command(COMMANDS[name])
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(COMMANDS), **self._loaded})

    def __len__(self) -> int:
        return len({**dict.fromkeys(COMMANDS), **self._loaded})


class LazyGroup(TyperGroup):
    """Typer's group, with `LazyCommands` in place of its dict of commands."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.commands = LazyCommands(self.commands)


def click_command(target: str) -> Any:
    """The Click command Typer makes of `module:attribute`, as `app.command()` would."""
    module, _, attribute = target.partition(":")
    defined = getattr(import_module(module), attribute)
    if isinstance(defined, typer.Typer):
        return typer.main.get_group(defined)  # as `add_typer`: no completion options
    single = typer.Typer(add_completion=False)
    single.command()(defined)
    return typer.main.get_command(single)


app = typer.Typer(
    name="kg",
    help="Build, validate and query the Partage knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Build, validate and query the Partage knowledge graph."""
