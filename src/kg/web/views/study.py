"""The study at a glance: its typology table, its legal-form statistics and its counts.

Shown at the top of the study's page. The typology is the table « MODELE DE PARTAGE DU
POUVOIR ET DE LA VALEUR » as the study prints it (four categories as columns, six rows); the
statistics are the observations of its Data Cube (https://www.w3.org/TR/vocab-data-cube/),
drawn as bars beside their table, with the study's rounding next to the exact share; then
organisations by sector and by kind, and practices by dimension and status.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote

from kg.web.resource import Term
from kg.web.state import AppState
from kg.web.views.evidence import Group, Quote, basis_of, groups, link, number, quote_of
from kg.web.views.select import Row, in_language, query_text, select

QUERIES = (
    "typology",
    "legal_statistics",
    "organisations_by_sector",
    "organisations_by_kind",
    "practices_by_dimension",
)
"""The queries of the view, in `queries/`; the page links each to the query UI."""
BAR_SCALE = 260
"""The length of a bar of 100 % in the chart's SVG units."""


@dataclass(frozen=True)
class Cell:
    """One cell of the typology table: its values and the quotes of the table they come from."""

    values: tuple[Term, ...]
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class Typology:
    """The table: the categories (columns, by pv:tableColumn) and the rows of cells."""

    columns: tuple[Term, ...]
    rows: tuple[tuple[Term, tuple[Cell, ...]], ...]


@dataclass(frozen=True)
class Bar:
    """One observation of the Data Cube, as its bar and its table row show it."""

    structure: Term
    count: int | None
    population: int
    percentage: Decimal | None
    written: str
    exact: str | None
    rounded: bool
    """The study's whole percent is not the exact share rounded to the nearest."""
    ours: bool
    """The percentage is a claim of ours (basis interpretation), not the study's."""
    quote: Quote | None

    @property
    def length(self) -> float:
        """The bar's length in the chart's units: `BAR_SCALE` for 100 %."""
        return round(float(self.percentage or 0) * BAR_SCALE / 100, 1)


@dataclass(frozen=True)
class Glance:
    """Everything the view shows."""

    typology: Typology
    dataset: Term
    bars: tuple[Bar, ...]
    sectors: tuple[Group, ...]
    kinds: tuple[Group, ...]
    practices: tuple[Group, ...]
    queries: dict[str, str]
    """Query name -> a link that opens it in the query UI."""


async def glance(state: AppState, language: str) -> Glance:
    """Run the view's queries and shape their rows for `language`."""
    answers = await asyncio.gather(*(select(state, query_text(name)) for name in QUERIES))
    rows = {
        name: in_language(found, language) for name, found in zip(QUERIES, answers, strict=True)
    }
    base = state.settings.base_iri
    bars = tuple(bar(row, base) for row in rows["legal_statistics"])
    dataset = rows["legal_statistics"][0] if rows["legal_statistics"] else {}
    return Glance(
        typology=typology(rows["typology"], base),
        dataset=link(dataset.get("dataset"), dataset.get("datasetLabel"), base),
        bars=bars,
        sectors=tuple(groups(rows["organisations_by_sector"], ("group",), base)),
        kinds=tuple(groups(rows["organisations_by_kind"], ("group",), base)),
        practices=tuple(groups(rows["practices_by_dimension"], ("dimension", "status"), base)),
        queries={name: "/?query=" + quote(query_text(name), safe="") for name in QUERIES},
    )


def typology(rows: Iterable[Row], base: str) -> Typology:
    """The typology rows (`queries/typology.rq`, one language) as the table's grid."""
    columns: dict[int, Term] = {}
    labels: dict[int, Term] = {}
    cells: dict[tuple[int, int], tuple[list[Term], list[Quote]]] = {}
    for row in rows:
        column, order = number(row["column"]) or 0, number(row["order"]) or 0
        columns.setdefault(column, link(row["category"], row["categoryLabel"], base))
        labels.setdefault(order, link(row["row"], row["rowLabel"], base))
        values, quotes = cells.setdefault((order, column), ([], []))
        value = link(row["value"], row["valueLabel"], base)
        if value not in values:
            values.append(value)
        found = quote_of(row, base)
        if found is not None and found not in quotes:
            quotes.append(found)
    grid = tuple(
        (
            labels[order],
            tuple(
                Cell(
                    tuple(cells.get((order, c), ([], []))[0]),
                    tuple(cells.get((order, c), ([], []))[1]),
                )
                for c in sorted(columns)
            ),
        )
        for order in sorted(labels)
    )
    return Typology(tuple(columns[c] for c in sorted(columns)), grid)


def bar(row: Row, base: str) -> Bar:
    """One row of `queries/legal_statistics.rq` as a bar: the written and the exact share."""
    count, population = number(row.get("count")), number(row.get("population")) or 0
    percentage = Decimal(str(row["percentage"])) if "percentage" in row else None
    written = str(row["asStated"]) if "asStated" in row else f"{percentage} %"
    exact, rounded = None, False
    if count is not None and population:
        share = Decimal(count * 100) / Decimal(population)
        exact = f"{share.quantize(Decimal('0.1'), ROUND_HALF_UP)} %"
        whole = share.quantize(Decimal("1"), ROUND_HALF_UP)
        rounded = percentage is not None and whole != percentage
    return Bar(
        structure=link(row["structure"], row.get("structureLabel"), base),
        count=count,
        population=population,
        percentage=percentage,
        written=written,
        exact=exact,
        rounded=rounded,
        ours=basis_of(row.get("percentageBasis")) == "interpretation",
        quote=quote_of(row, base),
    )
