"""The wheel carries the graph: the project's ontology/, data/, shapes/ and queries/, its
CHANGELOG and the query page's YASGUI files go into the package as `kg/project/`, so that
`pip install partage-kg` gives a `kg` that builds, validates and serves without a clone
(`kg.project`). Everything else is in pyproject.toml; the sdist takes the same files
(MANIFEST.in), so a wheel built from it carries them too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PROJECT = ("ontology", "data", "shapes", "queries")
FILES = ("CHANGELOG.md",)
YASGUI = Path("node_modules") / "@zazuko" / "yasgui" / "build"
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")


class BuildWithProject(build_py):
    """build_py, then the project's files into `<build>/kg/project/`."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout itself
            return
        target = Path(self.build_lib) / "kg" / "project"
        for folder in PROJECT:
            shutil.copytree(ROOT / folder, target / folder, dirs_exist_ok=True)
        for name in FILES:
            shutil.copy2(ROOT / name, target / name)
        (target / YASGUI).mkdir(parents=True, exist_ok=True)
        for name in YASGUI_FILES:
            source = ROOT / YASGUI / name
            if not source.is_file():
                raise SystemExit(f"{source} is missing: run `npm ci` (make ui) before building")
            shutil.copy2(source, target / YASGUI / name)


setup(cmdclass={"build_py": BuildWithProject})
