"""The quarterly sales & marketing meetings, and the reminders each booking of one has had."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.base import ts

SCHEDULED_SQL = "status = 'scheduled'"


class Meeting(SQLModel, table=True):
    """One booked meeting. ``starts_at`` is UTC; ``timezone`` is the workspace's zone when it was booked (what the
    organiser meant by "15:00"). ``sequence`` goes up with every move or cancellation, as calendars expect, and
    re-arms the reminders. ``next_due_at`` is when the reminder job next has something to do for it;
    ``booking_nag_due_at``, on the latest done meeting, when managers are next asked to book the following one."""

    __table_args__ = (
        Index("ix_meeting_workspace_starts", "workspace_id", "starts_at"),
        # two scheduled meetings of a workspace never start at the same moment (the booking checks it first, to
        # name the other one; this holds under a race)
        Index(
            "ux_meeting_scheduled_start",
            "workspace_id",
            "starts_at",
            unique=True,
            postgresql_where=text(SCHEDULED_SQL),
            sqlite_where=text(SCHEDULED_SQL),
        ),
        # the reminder job reads only the meetings with something due: its cost follows them, not the table
        Index(
            "ix_meeting_next_due",
            "next_due_at",
            postgresql_where=text("next_due_at IS NOT NULL"),
            sqlite_where=text("next_due_at IS NOT NULL"),
        ),
        Index(
            "ix_meeting_booking_nag_due",
            "booking_nag_due_at",
            postgresql_where=text("booking_nag_due_at IS NOT NULL"),
            sqlite_where=text("booking_nag_due_at IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    title: str = Field(max_length=200)
    starts_at: datetime = ts()
    timezone: str = Field(max_length=64)
    organiser_id: int | None = Field(default=None, foreign_key="member.id")
    status: str = Field(default="scheduled", max_length=20)  # scheduled | done | cancelled
    sequence: int = 0
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    ics_token: str = Field(max_length=64, unique=True)
    next_due_at: datetime | None = ts(nullable=True)
    booking_nag_due_at: datetime | None = ts(nullable=True)
    created_at: datetime = ts()
    done_at: datetime | None = ts(nullable=True)
    cancelled_at: datetime | None = ts(nullable=True)


class MeetingReminder(SQLModel, table=True):
    """A reminder (``week``, ``day``, ``hour``) or the agenda post (``start``) sent for one booking of a meeting:
    inserted with ON CONFLICT DO NOTHING before its posts are written, so on any number of replicas each goes
    once per ``sequence`` — and a moved meeting, with a new sequence, is reminded again."""

    __tablename__ = "meeting_reminder"
    __table_args__ = (UniqueConstraint("meeting_id", "kind", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    meeting_id: int = Field(foreign_key="meeting.id")
    kind: str = Field(max_length=10)
    sequence: int
    sent_at: datetime = ts()
