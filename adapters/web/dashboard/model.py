"""The dashboard as data: headline cards, charts and tables, section by section, and how its figures are written
(``75%``, ``2.5 h``, ``—`` where there is no data, never ``0%``). The page and the CSV export both read one
``Board``, so the export is what is on screen."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.core.replies import Chart

STAGES = ("approach", "qualification", "need", "company", "fill", "commitment", "cement")
STAGE_TITLES = ("Approach", "Qualify", "Need", "Company", "Fill", "Commit", "Cement")  # short, under the bars
STAGE_NAMES = (
    "Approach",
    "Qualification",
    "Agreement on need",
    "Sell the company",
    "Fill the need",
    "Act of commitment",
    "Cement the sale",
)
NONE = "—"
Better = Literal["up", "down"]


@dataclass(frozen=True, slots=True)
class Delta:
    """The change against the previous period: ``▲ 12 pts`` and whether that is good news."""

    arrow: Literal["▲", "▼", "="]
    text: str
    good: bool | None  # None: unchanged


@dataclass(frozen=True, slots=True)
class Card:
    label: str
    value: str
    detail: str = ""
    delta: Delta | None = None
    key: str = ""  # a stable name for tests and styling


@dataclass(frozen=True, slots=True)
class Table:
    """A table on the page and in the export: ``columns`` head ``rows``; ``note`` says what is left out."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "Nothing to show for this period."
    note: str = ""
    numeric: tuple[int, ...] = ()  # columns aligned right
    drill: bool = False  # a drill-down (one row per lead): exported as its own table, not as figures


@dataclass(frozen=True, slots=True)
class Panel:
    """One tile of a section: a chart, a table, or a chart with the table that holds its figures and more
    (the chart's own figures list is then left to screen readers). ``wide`` tiles span the whole row."""

    chart: Chart | None = None
    table: Table | None = None
    wide: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    lead: str = ""  # one line saying what the section answers
    cards: tuple[Card, ...] = ()
    panels: tuple[Panel, ...] = ()
    columns: int = 2  # panels side by side on a wide screen


@dataclass(frozen=True, slots=True)
class Board:
    headline: tuple[Card, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_rows(value: Any) -> Sequence[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def percent(value: float | None) -> str:
    """A rate 0–1 as people read it (``75%``, ``33.3%``); ``—`` where there is no data, never ``0%``."""
    if value is None:
        return NONE
    share = value * 100
    return f"{share:.0f}%" if abs(share - round(share)) < 0.05 or share >= 10 else f"{share:.1f}%"


def hours(value: float | None) -> str:
    if value is None:
        return NONE
    if value >= 48:
        return f"{value / 24:.1f} d".replace(".0 d", " d")
    return f"{value:.1f} h".replace(".0 h", " h")


def amount(value: float | None) -> str:
    if value is None:
        return NONE
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.2f}m".replace(".00m", "m")
    return f"{value:,.0f}"


def count(value: float | None) -> str:
    return NONE if value is None else f"{value:,.0f}"


def score(value: float | None) -> str:
    return NONE if value is None else f"{value:.1f}"
