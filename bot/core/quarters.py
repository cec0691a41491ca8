"""Calendar quarters in a workspace's time zone: the pulse survey asks once a quarter, the alignment meeting reviews
one, and stats report on them. ``2026-Q4`` is how a quarter is stored and typed, ``Q4 2026`` how people read it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_KEY = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1–4

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def at(cls, moment: datetime, zone: ZoneInfo) -> Quarter:
        """The quarter ``moment`` falls in, in ``zone``: 31 Dec 23:30 in New York is still Q4 there."""
        return cls.of(moment.astimezone(zone).date())

    @classmethod
    def from_key(cls, key: str) -> Quarter:
        match = _KEY.match(key.strip())
        if match is None:
            raise ValueError(f"not a quarter key: {key!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def key(self) -> str:
        """How it is stored and typed: ``2026-Q4`` (sorts in time order as text)."""
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        """How people read it: ``Q4 2026``."""
        return f"Q{self.number} {self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def back(self, count: int) -> list[Quarter]:
        """The ``count`` quarters ending with this one, oldest first (a trend's axis)."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return quarters[::-1]

    def working_day(self, n: int) -> date:
        """The quarter's ``n``-th working day (Monday to Friday): a quarter starting on a Saturday starts working
        on the Monday."""
        day, seen = self.first_day, 0
        while True:
            if day.weekday() < 5:
                seen += 1
                if seen == n:
                    return day
            day += timedelta(days=1)

    def start(self, zone: ZoneInfo) -> datetime:
        """Local midnight of its first day, as UTC."""
        return _midnight(self.first_day, zone)

    def end(self, zone: ZoneInfo) -> datetime:
        return self.next().start(zone)

    def months(self, zone: ZoneInfo) -> tuple[tuple[str, datetime, datetime], ...]:
        """Each month of the quarter: its short name and its bounds (local midnights, as UTC)."""
        out = []
        for offset in range(3):
            first = date(self.year, self.first_day.month + offset, 1)
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            out.append((f"{first:%b}", _midnight(first, zone), _midnight(following, zone)))
        return tuple(out)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
