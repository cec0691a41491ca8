"""The quarterly meeting: booking, moving, cancelling and closing it, and the reads its commands need. Reads and
writes only; the replies are built in views.py. Commands address meetings by when they are (the next one, the
one that has begun, the one on a given day), never by an id to remember."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.admin.settings import get_setting
from bot.core.clock import Clock
from bot.core.errors import NotFound, UsageError
from bot.core.replies import Mention, local_when, zone_named
from bot.meetings import reminders
from bot.meetings.times import MAX_AHEAD, Wall, quarter_of
from storage.models import Meeting

TITLE_MAX = 200
NOTES_MAX = 4000
TOKEN_BYTES = 18  # 24 url-safe characters: the .ics link cannot be guessed
BOOKING_NAG_EVERY = timedelta(days=7)
_TABLE = Meeting.__table__  # type: ignore[attr-defined]


class Booked(Protocol):
    """What a reply shows of a meeting: the entity, or the plain row the reminder job reads."""

    @property
    def title(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def notes(self) -> str | None: ...
    @property
    def ics_token(self) -> str: ...
    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True)
class Shown:
    """A meeting as a reply shows it: in the zone it was booked in, with its calendar link and its organiser."""

    meeting: Booked
    zone: ZoneInfo
    ics_url: str
    organiser: Mention | None = None


def ics_url(base_url: str, meeting: Booked) -> str:
    """``<base>/meetings/<token>.ics``: the random token stands where the SPEC writes the id."""
    return f"{base_url.rstrip('/')}/meetings/{meeting.ics_token}.ics"


def zone_of(meeting: Booked) -> ZoneInfo:
    """The zone the meeting was booked in: what its organiser meant by "15:00"."""
    return zone_named(meeting.timezone)


def workspace_zone(session: Session, workspace_id: int) -> ZoneInfo:
    return zone_named(get_setting(session, workspace_id, "timezone"))


def default_title(at: datetime, zone: ZoneInfo) -> str:
    return f"{quarter_of(at, zone).label} sales & marketing meeting"


def check_title(title: str | None, usage: str) -> str | None:
    text = (title or "").strip()
    if len(text) > TITLE_MAX:
        raise UsageError(f"That title is {len(text):,} characters long; the limit is {TITLE_MAX}.", usage=usage)
    return text or None


def check_notes(notes: str | None) -> str | None:
    text = (notes or "").strip()
    if len(text) > NOTES_MAX:
        raise UsageError(
            f"Those notes are {len(text):,} characters long; the limit is {NOTES_MAX:,}. Keep the decisions and "
            "the open items (`- [ ] …`, `TODO …`, `action: …`); the rest can live in your own minutes.",
            usage="meeting done [notes]",
        )
    return text or None


def check_start(session: Session, workspace_id: int, wall: Wall, now: datetime, usage: str, *, moving: int = 0) -> None:
    """A meeting starts in the future, within two years, and not when another scheduled meeting starts."""
    shown = local_when(wall.at, wall.zone)
    if wall.at <= now:
        raise UsageError(f"{shown} has already passed; pick a time in the future.", usage=usage)
    if wall.at > now + MAX_AHEAD:
        raise UsageError(f"{shown} is more than two years away; book a date this year or next.", usage=usage)
    other = session.exec(
        select(Meeting).where(
            Meeting.workspace_id == workspace_id,
            Meeting.status == "scheduled",
            Meeting.starts_at == wall.at,
            Meeting.id != moving,
        )
    ).first()
    if other is not None:
        raise UsageError(
            f"“{other.title}” is already booked for {shown}. Pick another time, or move that one with `meeting move`.",
            usage=usage,
        )


def book(session: Session, clock: Clock, *, workspace_id: int, organiser_id: int, wall: Wall, title: str) -> Meeting:
    now = clock.now()
    meeting = Meeting(
        workspace_id=workspace_id,
        title=title,
        starts_at=wall.at,
        timezone=wall.zone.key,
        organiser_id=organiser_id,
        ics_token=secrets.token_urlsafe(TOKEN_BYTES),
        next_due_at=reminders.Schedule.of(wall.at, wall.zone).next_due_at(now),
        created_at=now,
    )
    session.add(meeting)
    session.flush()
    return meeting


def move(session: Session, clock: Clock, meeting: Meeting, wall: Wall) -> datetime:
    """A new time re-arms the reminders (a new sequence) and tells calendars it changed; returns the old time."""
    before = meeting.starts_at
    meeting.starts_at = wall.at
    meeting.timezone = wall.zone.key
    meeting.sequence += 1
    meeting.next_due_at = reminders.Schedule.of(wall.at, wall.zone).next_due_at(clock.now())
    session.add(meeting)
    session.flush()
    return before


def cancel(session: Session, clock: Clock, meeting: Meeting) -> None:
    meeting.status = "cancelled"
    meeting.cancelled_at = clock.now()
    meeting.sequence += 1  # calendars take a cancellation only with a higher SEQUENCE
    meeting.next_due_at = None
    session.add(meeting)
    session.flush()


def finish(session: Session, clock: Clock, meeting: Meeting, notes: str | None) -> None:
    """Keep the notes; no more reminders; this meeting now carries the weekly nag to book the next one."""
    now = clock.now()
    session.execute(
        update(_TABLE)
        .where(_TABLE.c.workspace_id == meeting.workspace_id, _TABLE.c.booking_nag_due_at.is_not(None))
        .values(booking_nag_due_at=None)
    )
    meeting.status = "done"
    meeting.done_at = now
    meeting.notes = notes
    meeting.next_due_at = None
    meeting.booking_nag_due_at = now + BOOKING_NAG_EVERY
    session.add(meeting)
    session.flush()


def next_up(session: Session, workspace_id: int, now: datetime) -> Meeting | None:
    """The meeting people are waiting for: the earliest scheduled one not long begun."""
    return session.exec(
        select(Meeting)
        .where(
            Meeting.workspace_id == workspace_id,
            Meeting.status == "scheduled",
            Meeting.starts_at > now - reminders.TOO_LATE,
        )
        .order_by(col(Meeting.starts_at))
        .limit(1)
    ).first()


def also_booked(session: Session, workspace_id: int, after: Meeting) -> list[Meeting]:
    """Scheduled meetings after ``after`` (next quarter's, booked during this one)."""
    return list(
        session.exec(
            select(Meeting)
            .where(
                Meeting.workspace_id == workspace_id,
                Meeting.status == "scheduled",
                Meeting.starts_at > after.starts_at,
            )
            .order_by(col(Meeting.starts_at))
            .limit(3)
        ).all()
    )


def booked(session: Session, workspace_id: int, now: datetime, zone: ZoneInfo, on: date | None) -> Meeting:
    """The meeting `meeting move` / `meeting cancel` act on: the next one, or the one on the day ``on``. Read
    ``FOR UPDATE``, so a change and the reminder job never cross."""
    query = (
        select(Meeting)
        .where(
            Meeting.workspace_id == workspace_id,
            Meeting.status == "scheduled",
            Meeting.starts_at > now - reminders.TOO_LATE,
        )
        .order_by(col(Meeting.starts_at))
    )
    for meeting in session.exec(query.limit(20).with_for_update()).all():
        if on is None or meeting.starts_at.astimezone(zone).date() == on:
            return meeting
    if on is not None:
        raise NotFound(f"No meeting is booked on {on:%Y-%m-%d}. `meeting next` shows the next one.")
    raise NotFound("No meeting is booked. A manager books one with `meeting schedule <YYYY-MM-DD HH:MM> [title]`.")


def to_finish(session: Session, workspace_id: int, now: datetime, zone: ZoneInfo) -> Meeting:
    """The meeting `meeting done` closes: the latest scheduled one that has begun."""
    begun = session.exec(
        select(Meeting)
        .where(Meeting.workspace_id == workspace_id, Meeting.status == "scheduled", Meeting.starts_at <= now)
        .order_by(col(Meeting.starts_at).desc())
        .limit(1)
        .with_for_update()
    ).first()
    if begun is not None:
        return begun
    upcoming = next_up(session, workspace_id, now)
    if upcoming is not None:
        raise UsageError(
            f"“{upcoming.title}” begins {local_when(upcoming.starts_at, zone)}; record it with `meeting done` "
            "once it has begun. To call it off: `meeting cancel`.",
            usage="meeting done [notes]",
        )
    raise NotFound(
        "No meeting has begun that could be closed. `meeting schedule <YYYY-MM-DD HH:MM>` books the next one."
    )


def last_done(session: Session, workspace_id: int) -> Meeting | None:
    return session.exec(
        select(Meeting)
        .where(Meeting.workspace_id == workspace_id, Meeting.status == "done")
        .order_by(col(Meeting.starts_at).desc())
        .limit(1)
    ).first()


def booked_until(session: Session, workspace_id: int, now: datetime, until: datetime) -> Meeting | None:
    """A scheduled meeting still to come before ``until`` (the end of next quarter), if any."""
    return session.exec(
        select(Meeting)
        .where(
            Meeting.workspace_id == workspace_id,
            Meeting.status == "scheduled",
            Meeting.starts_at > now,
            Meeting.starts_at < until,
        )
        .order_by(col(Meeting.starts_at))
        .limit(1)
    ).first()


def by_token(session: Session, token: str) -> Meeting | None:
    """The meeting a calendar link names; the token is its only key, so no workspace is needed (or leaked)."""
    return session.exec(select(Meeting).where(Meeting.ics_token == token)).first()
