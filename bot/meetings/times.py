"""Meeting times as people type them, in the workspace's zone — days that exist, wall times that exist (a DST
gap has none; a fall-back night has two) — and the calendar quarters the agenda and the booking nag speak of."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import UsageError
from bot.core.quarters import Quarter
from bot.core.replies import local_when

_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})$")
MAX_AHEAD = timedelta(days=2 * 366)  # a typo (2062 for 2026), not a plan


@dataclass(frozen=True)
class Wall:
    """A moment typed as a wall time in ``zone``; ``note`` says what was chosen when the wall time was ambiguous."""

    at: datetime  # UTC
    zone: ZoneInfo
    note: str | None = None


def split_when(args: list[str]) -> tuple[str, str, list[str]]:
    """``2026-03-12 15:00 rest…`` or ``2026-03-12T15:00 rest…`` → (day, time, rest)."""
    if args and "T" in args[0].upper() and _DAY.match(args[0].upper().partition("T")[0]):
        day, _, clock = args[0].upper().partition("T")
        return day, clock, args[1:]
    if len(args) < 2:
        return (args[0] if args else ""), "", []
    return args[0], args[1], args[2:]


def parse_wall(day: str, clock: str, zone: ZoneInfo, usage: str) -> Wall:
    """The UTC moment of ``day clock`` in ``zone``, or a refusal naming what is wrong: not a day, not a time of
    day, or a wall time the clocks skip that night. A time that happens twice (clocks go back) is the first."""
    match = _DAY.match(day.strip())
    if not match:
        raise UsageError(f"`{_shown(day)}` is not a day; write it as YYYY-MM-DD, like 2026-06-11.", usage=usage)
    try:
        on = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise UsageError(f"{day} is not a day in the calendar.", usage=usage) from None
    found = _TIME.match(clock.strip())
    if not found or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        what = f"`{_shown(clock)}` is not a time of day" if clock else "The time of day is missing"
        raise UsageError(f"{what}; write it in 24-hour form, like 15:00.", usage=usage)
    wall = datetime.combine(on, time(int(found.group(1)), int(found.group(2))))
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        after = first.astimezone(UTC).astimezone(zone)  # where the clocks are then
        raise UsageError(
            f"{on:%Y-%m-%d} {wall:%H:%M} does not exist in {zone.key}: the clocks go forward that night, "
            f"so pick another time, like {after:%H:%M}.",
            usage=usage,
        )
    note = None
    if first.utcoffset() != second.utcoffset():
        note = (
            f"{wall:%H:%M} happens twice that night in {zone.key} (the clocks go back); I took the first, "
            f"{local_when(first, zone)}, an hour before the second. A time outside that hour is never in doubt."
        )
    return Wall(first.astimezone(UTC), zone, note)


def _shown(text: str) -> str:
    text = text.replace("`", "'")
    return text if len(text) <= 30 else text[:30] + "…"


def quarter_of(moment: datetime, zone: ZoneInfo) -> Quarter:
    return Quarter.at(moment, zone)


def reviewed_quarter(starts_at: datetime, zone: ZoneInfo) -> Quarter:
    """The quarter a meeting reviews: its own once half of it has passed, else the one before (a meeting in the
    first weeks of April talks about January to March)."""
    quarter = quarter_of(starts_at, zone)
    start, end = quarter.start(zone), quarter.end(zone)
    return quarter if starts_at >= start + (end - start) / 2 else quarter.previous()


def iso_week(moment: datetime, zone: ZoneInfo) -> str:
    """``2026-W12``: the booking nag's once-a-week key."""
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"
