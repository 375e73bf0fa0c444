"""Every quote in the data is a verbatim passage of the study, as shared/hooks/check_quotes.py says.

Verbatim means: equal once Markdown emphasis (*) is removed and white space and apostrophes are
folded, the same normalisation as the project's hook, so the two never disagree.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal

from kg.namespaces import OA, PV

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "data" / "source" / "etude-partage-pouvoir-valeur.md"
SHARED_STUDY = ROOT.parent / "shared" / "study" / STUDY.name


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "").replace("\u2019", "'")).strip()


@pytest.fixture(scope="module")
def study_text() -> str:
    return squash(STUDY.read_text(encoding="utf-8"))


def quotes(graph: Graph) -> list[tuple[str, Literal]]:
    path = OA.hasTarget / OA.hasSelector / OA.exact
    return [
        (str(quote), exact)
        for quote in sorted(graph.subjects(RDF.type, PV.Quote))
        for exact in graph.objects(quote, path)
        if isinstance(exact, Literal)
    ]


def test_every_exact_quote_is_a_verbatim_passage_of_the_study(
    project_data: Graph, study_text: str
) -> None:
    missing = [
        (quote, str(exact)[:80])
        for quote, exact in quotes(project_data)
        if squash(str(exact)) not in study_text
    ]
    assert not missing, missing


def test_the_data_has_quotes(project_data: Graph) -> None:
    assert len(quotes(project_data)) > 50


def test_every_quote_is_targeted_at_the_study_text(project_data: Graph) -> None:
    for quote, _ in quotes(project_data):
        assert quote.startswith("https://w3id.org/partage/id/quote/")


def test_the_study_copy_matches_the_shared_original_when_present() -> None:
    if not SHARED_STUDY.exists():
        pytest.skip("shared/ is not beside this clone; the copy in data/source/ is authoritative")
    assert (
        hashlib.sha256(STUDY.read_bytes()).hexdigest()
        == hashlib.sha256(SHARED_STUDY.read_bytes()).hexdigest()
    )


def test_the_shared_hook_accepts_the_data_when_present(project_root: Path) -> None:
    import subprocess
    import sys

    hook = project_root.parent / "shared" / "hooks" / "check_quotes.py"
    if not hook.exists():
        pytest.skip("shared/hooks is not beside this clone")
    run = subprocess.run(
        [sys.executable, str(hook), str(STUDY.parent), str(project_root / "data")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
