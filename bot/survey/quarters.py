"""Quarters and working days in a workspace's time zone: when the pulse survey asks (09:00 on the quarter's first
working day), when it reminds (09:00 on the third) and when a quarter has closed. Working days are Monday to Friday;
public holidays are not known to Tandem."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.options import Invalid, ValueType
from bot.core.quarters import Quarter

ASK_AT = time(9, 0)  # the question and the reminder go out from this local time on their day...
QUIET_FROM = time(18, 0)  # ...and scheduled survey messages wait for the next working day after this
REMIND_ON_DAY = 3  # the reminder: the quarter's third working day
_KEY = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_LABEL = re.compile(r"^Q([1-4])[- ]?(\d{4})$", re.IGNORECASE)


def local_moment(day: date, zone: ZoneInfo, at: time = ASK_AT) -> datetime:
    """``at`` o'clock on ``day`` in ``zone``, in UTC: 09:00 in Berlin is 08:00 UTC in winter and 07:00 in summer."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def ask_moment(quarter: Quarter, zone: ZoneInfo) -> datetime:
    return local_moment(quarter.working_day(1), zone)


def reminder_moment(quarter: Quarter, zone: ZoneInfo) -> datetime:
    return local_moment(quarter.working_day(REMIND_ON_DAY), zone)


def working_hours(moment: datetime, zone: ZoneInfo) -> bool:
    """A weekday between 09:00 and 18:00 there: when a scheduled survey message may go out."""
    local = moment.astimezone(zone)
    return local.weekday() < 5 and ASK_AT <= local.time() < QUIET_FROM


def parse_quarter(raw: str, current: Quarter) -> Quarter:
    """``2026-Q4``, ``Q4 2026``, ``Q4`` (the latest Q4 up to now), ``this`` or ``last``."""
    text = raw.strip()
    lowered = text.lower()
    if lowered in ("this", "current", "now"):
        return current
    if lowered in ("last", "previous", "last-quarter"):
        return current.previous()
    if match := _KEY.match(text):
        return Quarter(int(match.group(1)), int(match.group(2)))
    if match := _LABEL.match(text):
        return Quarter(int(match.group(2)), int(match.group(1)))
    if re.fullmatch(r"[Qq][1-4]", text):
        number = int(text[1])
        return Quarter(current.year if number <= current.number else current.year - 1, number)
    raise Invalid()


def _quarter_key(raw: str) -> str:
    """The option form: a quarter key as the question card's buttons carry it."""
    match = _KEY.match(raw.strip())
    if match is None:
        raise Invalid()
    return Quarter(int(match.group(1)), int(match.group(2))).key


QUARTER = ValueType("quarter", "a quarter", "2026-Q4", _quarter_key)
