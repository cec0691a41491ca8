"""Booking the next meeting (SPEC §3): while nothing is booked from now to the end of next quarter, the managers
(else the admins) are reminded by DM once a week, outside their quiet hours in their own time zone. The latest
held meeting carries the due time (``booking_nag_due_at``, a partial index), so the round reads only the
workspaces that owe a nag; the outbox key holds the ISO week, so a week never sends one twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from bot.admin.settings import all_settings
from bot.core.clock import Clock
from bot.core.outbox import enqueue_dm
from bot.core.replies import zone_named
from bot.leads.nag_rules import QuietHours, zone_of
from bot.meetings import service, views
from bot.meetings.times import iso_week, quarter_of
from storage.models import Meeting, Member

EVERY = timedelta(days=7)
KIND = "meeting_booking"
_MEETING = Meeting.__table__  # type: ignore[attr-defined]
_DUE = (
    core_select(Meeting)
    .where(_MEETING.c.booking_nag_due_at <= bindparam("now"))
    .order_by(_MEETING.c.booking_nag_due_at)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)


@dataclass
class BookingRound:
    nagged: int = 0  # managers told
    booked: int = 0  # workspaces found with their next meeting booked after all
    seen: int = 0

    def add(self, other: BookingRound) -> None:
        self.nagged += other.nagged
        self.booked += other.booked
        self.seen += other.seen

    def __str__(self) -> str:
        return f"asked {self.nagged} manager{'s' if self.nagged != 1 else ''} to book the next meeting"


def _staff(session: Session, workspace_id: int) -> list[Member]:
    staff = session.exec(
        select(Member)
        .where(col(Member.workspace_id) == workspace_id, col(Member.role).in_(("manager", "admin")))
        .order_by(col(Member.id))
    ).all()
    return [m for m in staff if m.role == "manager"] or [m for m in staff if m.role == "admin"]


def nag_unbooked(session: Session, clock: Clock, now: datetime, *, base_url: str, limit: int = 200) -> BookingRound:
    """One batch of workspaces whose weekly nag is due, in the caller's transaction."""
    done = BookingRound()
    for meeting in session.scalars(_DUE, {"now": now, "limit": limit}).all():
        done.seen += 1
        done.add(_nag(session, clock, meeting, now, base_url))
    return done


def _nag(session: Session, clock: Clock, meeting: Meeting, now: datetime, base_url: str) -> BookingRound:
    out = BookingRound()
    settings = all_settings(session, meeting.workspace_id)
    zone = zone_named(settings.get("timezone"))
    current = quarter_of(now, zone)
    if service.booked_until(session, meeting.workspace_id, now, current.next().end(zone)) is not None:
        meeting.booking_nag_due_at = now + EVERY  # looked at again in a week, in case it is cancelled
        session.add(meeting)
        out.booked = 1
        return out
    quiet = QuietHours.parse(settings.get("quiet_hours", "18:00-09:00"))
    week = iso_week(now, zone)
    shown = service.Shown(meeting, service.zone_of(meeting), service.ics_url(base_url, meeting))
    # the quarter after the one last held — or this one, when that has come without a meeting
    wanted = max(quarter_of(meeting.starts_at, zone).next(), current)
    reply = views.booking_nag(wanted.label, shown)
    waiting: list[datetime] = []
    for manager in _staff(session, meeting.workspace_id):
        own = zone_of(manager, settings)
        if quiet.is_quiet(now.astimezone(own)):
            waiting.append(quiet.next_working(now, own))
            continue
        if enqueue_dm(session, clock, member=manager, reply=reply, kind=KIND, key=f"W{meeting.workspace_id}:{week}"):
            out.nagged += 1
    this_week = [moment for moment in waiting if iso_week(moment, zone) == week]
    if out.nagged or not waiting:
        # the rest of this week's managers at their first working moment; then everyone again in a week
        meeting.booking_nag_due_at = min(this_week) if this_week else now + EVERY
    else:
        meeting.booking_nag_due_at = min(waiting)  # nobody could be told now: the first who can, even next week
    session.add(meeting)
    return out
