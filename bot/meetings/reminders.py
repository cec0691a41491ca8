"""When a meeting is reminded (SPEC §3, §4): 7 days, 1 day and 1 hour before, and its agenda at the start. At any
moment only the latest of those whose time has come is sent — a reminder whose successor is already due is
skipped, so a meeting booked 40 minutes ahead gets only the 1-hour one and a server back after two days sends one
message, not a burst — and nothing is sent once the meeting is two hours old. "7 days before" keeps the wall time
in the meeting's zone across a DST change (the reminder comes at 10:00 for a 10:00 meeting). Pure: times in, kinds
out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

KINDS = ("week", "day", "hour", "start")
BEFORE = {"week": timedelta(days=7), "day": timedelta(days=1), "hour": timedelta(hours=1), "start": timedelta(0)}
TOO_LATE = timedelta(hours=2)  # past this, an agenda or a reminder would only confuse


def time_of(kind: str, starts_at: datetime, zone: ZoneInfo) -> datetime:
    """Whole days before are counted on the wall clock of ``zone``; the hour before is 60 minutes."""
    before = BEFORE[kind]
    if before < timedelta(days=1):
        return starts_at - before
    wall = starts_at.astimezone(zone).replace(tzinfo=None) - before
    return wall.replace(tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A booking's reminder times, worked out once (the job looks at a thousand meetings a firing)."""

    starts_at: datetime
    times: tuple[datetime, ...]  # one per KINDS, in order

    @classmethod
    def of(cls, starts_at: datetime, zone: ZoneInfo) -> Schedule:
        return cls(starts_at, tuple(time_of(kind, starts_at, zone) for kind in KINDS))

    def latest_due(self, now: datetime) -> str | None:
        """The one reminder to send at ``now`` (None: none is due yet, or the meeting is long begun)."""
        if now >= self.starts_at + TOO_LATE:
            return None
        due = [kind for kind, at in zip(KINDS, self.times, strict=True) if at <= now]
        return due[-1] if due else None

    def next_due_at(self, now: datetime, *, after: str | None = None) -> datetime | None:
        """When the job should look at the meeting next: the first reminder after ``after`` (the one just
        handled), or, for a fresh booking, its first reminder — possibly already past, so the next firing sends
        the latest one due."""
        if now >= self.starts_at + TOO_LATE:
            return None
        index = KINDS.index(after) + 1 if after is not None else 0
        return self.times[index] if index < len(KINDS) else None

    def skipped(self, looked_from: datetime | None, sent: str) -> int:
        """How many earlier reminders ``sent`` overtook: those due between the job's last look and it."""
        start = looked_from if looked_from is not None else self.times[0]
        last = self.times[KINDS.index(sent)]
        return sum(1 for at in self.times if start <= at < last)


def time_left(starts_at: datetime, now: datetime) -> str:
    """``in 7 days``, ``in 1 day``, ``in 1 hour``, ``in 40 minutes``: what a reminder says is left."""
    left = starts_at - now
    if left <= timedelta(minutes=1):
        return "now"
    if left >= timedelta(hours=36):
        return f"in {round(left / timedelta(days=1))} days"
    if left >= timedelta(hours=20):
        return "in 1 day"
    if left >= timedelta(minutes=90):
        return f"in {round(left / timedelta(hours=1))} hours"
    if left >= timedelta(minutes=55):
        return "in 1 hour"
    return f"in {max(2, round(left / timedelta(minutes=1)))} minutes"
