"""Where the project's files are when no project directory is given: the current directory if
it is a project, else the project the package was installed with.

A wheel carries the ontology, data, shapes and queries (and the query page's YASGUI files) as
`kg/project/` (setup.py copies them in), so `pip install partage-kg` gives a `kg` that builds,
validates and serves the graph outside any clone. A checkout (editable install) is its own
project.
"""

from __future__ import annotations

from pathlib import Path

PACKAGED = Path(__file__).resolve().parent / "project"
"""The project files a wheel installs beside the code."""
CHECKOUT = Path(__file__).resolve().parents[2]
"""The source tree this module runs from, if it runs from one (src/kg/project.py)."""


def is_project(directory: Path) -> bool:
    """A project has ontology/ and shapes/ (data/ may be empty)."""
    return (directory / "ontology").is_dir() and (directory / "shapes").is_dir()


def installed_project() -> Path | None:
    """The project this package comes with: its checkout, or the files its wheel carries."""
    if is_project(CHECKOUT) and (CHECKOUT / "pyproject.toml").is_file():
        return CHECKOUT
    return PACKAGED if is_project(PACKAGED) else None


def default_root(cwd: Path | None = None) -> Path:
    """The current directory if it is a project; else the installed project; else the cwd
    (whose missing ontology/ the reader then reports)."""
    here = cwd or Path.cwd()
    if is_project(here):
        return here
    return installed_project() or here
