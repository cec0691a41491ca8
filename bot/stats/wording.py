"""How a figure reads (SPEC §3 stats): every rate with what it is made of (``75% — 3 of 4``), ``—`` where there is
no data (never ``0%``), and each figure against the period before (``▲ 12 from 36``). Pure text helpers."""

from __future__ import annotations

from bot.core.options import format_amount
from bot.stats.queries import Spread
from bot.stats.service import Quality, Ratio

NONE = "—"


def number(value: int) -> str:
    return f"{value:,}"


def plural(count: int, word: str) -> str:
    """``1 lead``, ``3 leads``, ``1 rejection``."""
    return f"{number(count)} {word}" if count == 1 else f"{number(count)} {word}s"


def percent(value: float | None) -> str:
    if value is None:
        return NONE
    shown = round(value * 100)
    if shown == 0 and value > 0:
        return "<1%"
    if shown == 100 and value < 1:
        return ">99%"
    return f"{shown}%"


def rate(ratio: Ratio, of: str = "") -> str:
    """``75% — 3 of 4`` (``of`` names the whole: ``3 of 4 closed``); ``—`` without data."""
    if not ratio.whole:
        return f"{NONE} (none {of})" if of else NONE
    return f"{percent(ratio.value)} — {number(ratio.part)} of {number(ratio.whole)}{' ' + of if of else ''}"


def hours(value: float | None) -> str:
    if value is None:
        return NONE
    if value < 1:
        return f"{max(1, round(value * 60))} min"
    if value < 10:
        return f"{value:.1f} h".replace(".0 h", " h")
    if value < 72:
        return f"{round(value)} h"
    return f"{value / 24:.1f} days".replace(".0 days", " days")


def spread(value: Spread) -> str:
    """``median 2.5 h · p90 7 h (40 leads)``"""
    if not value.count:
        return NONE
    return f"median {hours(value.median)} · p90 {hours(value.p90)} ({plural(value.count, 'lead')})"


def amount(value: float) -> str:
    return format_amount(value) if value else "0"


def average(quality: Quality) -> str:
    """``3.4 of 5 · 20% at 2 or below (5 of 25 scored)``"""
    if not quality.scored:
        return f"{NONE} (no lead scored)"
    low = quality.low_share
    return (
        f"{quality.average:.1f} of 5 · {percent(low.value)} at 2 or below "
        f"({number(low.part)} of {number(low.whole)} scored)"
    )


def change(now: int | float, before: int | float, unit: str = "") -> str:
    """``▲ 12 from 36``, ``▼ 3 from 10``, ``same as before``."""
    if now == before:
        return "same as before"
    arrow = "▲" if now > before else "▼"
    diff = abs(now - before)
    shown = number(int(diff)) if float(diff).is_integer() else f"{diff:,.1f}"
    was = number(int(before)) if float(before).is_integer() else f"{before:,.1f}"
    return f"{arrow} {shown}{unit} from {was}{unit}"


def rate_change(now: Ratio, before: Ratio) -> str:
    """In percentage points; nothing to compare when either period has no data."""
    if now.value is None or before.value is None:
        return "" if now.value is None else "none the period before"
    points = round(now.value * 100) - round(before.value * 100)
    if points == 0:
        return "same as before"
    unit = "pt" if abs(points) == 1 else "pts"
    return f"{'▲' if points > 0 else '▼'} {abs(points)} {unit} from {percent(before.value)}"


def hours_change(now: Spread, before: Spread) -> str:
    if now.median is None or before.median is None:
        return ""
    if hours(now.median) == hours(before.median):
        return "same as before"
    return f"{'▲' if now.median > before.median else '▼'} from {hours(before.median)}"


def with_change(text: str, compared: str) -> str:
    return f"{text} · {compared}" if compared else text
