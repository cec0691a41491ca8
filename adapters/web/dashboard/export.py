"""``/dashboard/export.csv``: what is on screen, as CSV. First the figures, one per row (section, label, value,
detail: the headline cards, every chart's figures, every summary table's cells), then each drill-down as a table
of its own (a title row, a header row, one row per lead). Cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) are written with a leading ``'``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from adapters.web.dashboard.model import Board, Card, Table
from adapters.web.dashboard.pages import Viewing
from bot.core.replies import Chart, figure

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # spreadsheets read the file as UTF-8 (—, ▲, ≤) only with it


def safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _card_row(section: str, card: Card) -> list[str]:
    change = ""
    if card.delta is not None:
        change = card.delta.text if card.delta.arrow == "=" else f"{card.delta.arrow} {card.delta.text}"
    return [section, card.label, card.value, " · ".join(part for part in (card.detail, change) if part)]


def _chart_rows(section: str, chart: Chart) -> Iterator[list[str]]:
    for label in chart.categories:
        for line in chart.series:
            name = f"{chart.title}: {label}" + (f" ({line.name})" if len(chart.series) > 1 else "")
            yield [section, name, figure(line.value_at(label)), chart.y_label]


def _table_rows(section: str, table: Table) -> Iterator[list[str]]:
    for row in table.rows:
        for column, cell in zip(table.columns[1:], row[1:], strict=False):
            yield [section, f"{table.title}: {row[0]} — {column}", cell, ""]


def figure_rows(board: Board) -> Iterator[list[str]]:
    yield ["section", "label", "value", "detail"]
    for card in board.headline:
        yield _card_row("Headline", card)
    for section in board.sections:
        for card in section.cards:
            yield _card_row(section.title, card)
        for panel in section.panels:
            if panel.table is not None and not panel.table.drill:
                yield from _table_rows(section.title, panel.table)
            elif panel.table is None and panel.chart is not None:
                yield from _chart_rows(section.title, panel.chart)


def drill_tables(board: Board) -> Iterator[Table]:
    for section in board.sections:
        for panel in section.panels:
            if panel.table is not None and panel.table.drill:
                yield panel.table


def rows(viewing: Viewing) -> Iterator[Sequence[str]]:
    filters = ", ".join(
        part
        for part in (
            f"campaign {viewing.chosen.campaign.label}" if viewing.chosen.campaign else "",
            f"owner {viewing.chosen.owner.label}" if viewing.chosen.owner else "",
            f"source {viewing.chosen.source}" if viewing.chosen.source else "",
        )
        if part
    )
    yield ["Tandem dashboard", viewing.workspace, viewing.title, viewing.span, filters or "no filters"]
    yield []
    assert viewing.board is not None
    yield from figure_rows(viewing.board)
    for table in drill_tables(viewing.board):
        yield []
        yield [table.title] + ([table.note] if table.note else [])
        yield list(table.columns)
        yield from (list(row) for row in table.rows)


def stream(lines: Iterable[Sequence[str]]) -> Iterator[bytes]:
    """The rows as UTF-8 CSV, a few dozen rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    for number, line in enumerate(lines, start=1):
        writer.writerow([safe(str(cell)) for cell in line])
        if number % 50 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
