"""bench/RESULTS.md is one file written by three scripts: each owns a marked section.

`run.py` (the endpoint against Oxigraph server and rdflib-endpoint), `release.py` (the release
path's targets) and `remote.py` (Partage KG on remote stores) each replace their own section
and leave the others' figures as they were, so one file holds every figure the issues ask for
and each section still comes from one run of one script.
"""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = """# Benchmark results

Written by the scripts of `bench/` (see [README.md](README.md)), one section per script, each
from one run of it; do not edit by hand.
"""
ORDER = ("endpoint", "release", "remote")
"""Where each script's section sits: the endpoint's first, as it was before sections."""


def write_section(name: str, markdown: str, path: Path = RESULTS) -> None:
    """Replace the section `name` of `path` with `markdown` (created when missing)."""
    if name not in ORDER:
        raise ValueError(f"unknown section {name!r}: one of {', '.join(ORDER)}")
    sections = read_sections(path)
    sections[name] = markdown.strip() + "\n"
    parts = [HEADER]
    for known in ORDER:
        if known in sections:
            parts.append(f"<!-- begin {known} -->\n{sections[known]}<!-- end {known} -->\n")
    path.write_text("\n".join(parts), encoding="utf-8")


def read_sections(path: Path = RESULTS) -> dict[str, str]:
    """The sections of `path` by name; a file written before sections is its endpoint one."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    found = dict(re.findall(r"<!-- begin (\w+) -->\n(.*?)<!-- end \1 -->", text, re.S))
    if not found and text.strip():
        return {"endpoint": text.split("\n", 1)[1] if text.startswith("# ") else text}
    return found
