"""The competency questions of queries/examples/, run on the built store against their answers.

Each `NN-slug.rq` has its expected answer beside it: `NN-slug.expected.csv` for a SELECT (SPARQL
CSV results: a header of variable names, IRIs in full, literals by their lexical form, an
unbound variable as an empty field) or `NN-slug.expected.txt` holding `true` or `false` for an
ASK. Rows are compared in order when the query has an ORDER BY, as a multiset otherwise.

To rewrite the expected files from the current answers (after a deliberate change to the data or
to a query; review the diff before committing), run

    KG_UPDATE_EXPECTED=1 .venv/bin/pytest tests/test_competency_questions.py

`pytest --update-expected` does the same once tests/conftest.py registers that option.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest

from kg.store import run_query
from kg.web.ui import read_headers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "queries" / "examples"
QUERIES = sorted(EXAMPLES.glob("*.rq"))
MIN_QUESTIONS = 20
REQUIRED_HEADERS = ("title", "title@fr", "description")
SELECT_SUFFIX = ".expected.csv"
ASK_SUFFIX = ".expected.txt"
NAME = re.compile(r"^(?P<number>\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.rq$")
ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)

Rows = list[list[str]]


def is_ordered(text: str) -> bool:
    """Whether the query orders its rows. Whole-line comments are ignored."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return bool(ORDER_BY.search(code))


def update_requested(config: pytest.Config) -> bool:
    """KG_UPDATE_EXPECTED=1 in the environment, or --update-expected if conftest declares it."""
    flag = os.environ.get("KG_UPDATE_EXPECTED", "").strip().lower()
    if flag not in ("", "0", "false", "no"):
        return True
    # getoption returns the default when no plugin or conftest declares the option.
    return bool(config.getoption("--update-expected", default=False))


def parse_csv(text: str) -> tuple[list[str], Rows]:
    """Header and rows of a SPARQL CSV document (CRLF or LF line ends)."""
    table = list(csv.reader(io.StringIO(text, newline="")))
    if not table:
        return [], []
    return table[0], table[1:]


def write_csv(path: Path, header: list[str], rows: Rows) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    _write_if_changed(path, out.getvalue())


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _row_diff(expected: Rows, actual: Rows) -> str:
    """The rows only one side has, for a readable failure."""
    missing = [row for row in expected if row not in actual]
    unexpected = [row for row in actual if row not in expected]
    lines = [f"  missing:    {row}" for row in missing]
    lines += [f"  unexpected: {row}" for row in unexpected]
    return "\n".join(lines) or "  same rows, different order or multiplicity"


def expected_path(query: Path, suffix: str) -> Path:
    return query.with_name(query.stem + suffix)


# --- The collection ---------------------------------------------------------------------------


def test_there_are_enough_questions() -> None:
    assert len(QUERIES) >= MIN_QUESTIONS, f"{len(QUERIES)} questions in {EXAMPLES}"


def test_question_files_are_numbered_once() -> None:
    numbers: dict[str, str] = {}
    for query in QUERIES:
        match = NAME.match(query.name)
        assert match, f"{query.name}: name it NN-slug.rq (two digits, lower-case slug)"
        assert match["number"] not in numbers, f"{query.name} and {numbers[match['number']]}"
        numbers[match["number"]] = query.name


def test_every_expected_file_has_its_query() -> None:
    stray = [
        path.name
        for path in sorted(EXAMPLES.glob("*.expected.*"))
        if not (EXAMPLES / (path.name.split(".expected.")[0] + ".rq")).is_file()
    ]
    assert not stray, f"expected answers without a query: {stray}"


@pytest.mark.parametrize("query", QUERIES, ids=[query.stem for query in QUERIES])
def test_question_is_documented(query: Path) -> None:
    text = query.read_text(encoding="utf-8")
    assert text.startswith("# title:"), f"{query.name} must open with its `# title:` comment"
    found = read_headers(text)
    for key in REQUIRED_HEADERS:
        assert found.get(key), f"{query.name} has no `# {key}:` comment"
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert re.search(r"^PREFIX\s", body, re.MULTILINE | re.IGNORECASE), (
        f"{query.name} declares no PREFIX: it must run in any SPARQL client, not only `kg query`"
    )


# --- The answers ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", QUERIES, ids=[query.stem for query in QUERIES])
def test_question_answer(query: Path, built_store: Path, request: pytest.FixtureRequest) -> None:
    text = query.read_text(encoding="utf-8")
    update = update_requested(request.config)
    answer = run_query(built_store, text)
    csv_path, ask_path = expected_path(query, SELECT_SUFFIX), expected_path(query, ASK_SUFFIX)

    if answer.boolean is not None:
        actual = "true" if answer.boolean else "false"
        if update:
            _write_if_changed(ask_path, actual + "\n")
            csv_path.unlink(missing_ok=True)
        assert ask_path.is_file(), f"no {ask_path.name}: run with KG_UPDATE_EXPECTED=1"
        expected = ask_path.read_text(encoding="utf-8").strip()
        assert expected in ("true", "false"), f"{ask_path.name} must hold true or false"
        assert actual == expected, f"{query.name}: ASK answered {actual}, expected {expected}"
        return

    assert answer.body is None and answer.variables, f"{query.name} is neither SELECT nor ASK"
    body = run_query(built_store, text, "csv").body
    assert body is not None
    header, rows = parse_csv(body.decode("utf-8"))
    ordered = is_ordered(text)
    if update:
        write_csv(csv_path, header, rows if ordered else sorted(rows))
        ask_path.unlink(missing_ok=True)
    assert csv_path.is_file(), f"no {csv_path.name}: run with KG_UPDATE_EXPECTED=1"
    expected_header, expected_rows = parse_csv(csv_path.read_text(encoding="utf-8"))
    assert header == expected_header, (
        f"{query.name}: variables {header}, expected {expected_header}"
    )
    if not ordered:
        rows, expected_rows = sorted(rows), sorted(expected_rows)
    assert rows == expected_rows, (
        f"{query.name}: the answer differs from {csv_path.name} "
        f"({'in order' if ordered else 'as a set'}):\n{_row_diff(expected_rows, rows)}"
    )
