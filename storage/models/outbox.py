"""The durable outbox of proactive messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from storage.models.base import ts


class Outbox(SQLModel, table=True):
    """A proactive message, written in the same transaction as the change that causes it."""

    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # A member's messages and a lead's cards. Partial: a channel post has no member and most rows no lead, and
        # an entry for each of those would cost every write (2,000 channel posts: 50 ms with them, 27 ms without).
        Index(
            "ix_outbox_member",
            "workspace_id",
            "target_member_id",
            "id",
            postgresql_where=text("target_member_id IS NOT NULL"),
            sqlite_where=text("target_member_id IS NOT NULL"),
        ),
        Index(
            "ix_outbox_lead",
            "lead_id",
            postgresql_where=text("lead_id IS NOT NULL"),
            sqlite_where=text("lead_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    kind: str = Field(max_length=40)
    target_member_id: int | None = Field(default=None, foreign_key="member.id")
    target_channel: str | None = Field(default=None, max_length=200)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    dedupe_key: str = Field(max_length=200, unique=True)
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = ts()
    claimed_at: datetime | None = ts(nullable=True)
    claimed_by: str | None = Field(default=None, max_length=100)
    sent_at: datetime | None = ts(nullable=True)
    platform: str | None = Field(default=None, max_length=20)
    delivered_ref: str | None = Field(default=None, max_length=400)
    response_note: str | None = Field(default=None, max_length=400)
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = ts()
    # The lead a card with buttons is about, so its buttons can be withdrawn once the lead moves on; and, on a
    # row that rewrites an earlier message instead of sending a new one, that message's row. Plain ids, not
    # foreign keys: housekeeping forgets old rows independently of each other.
    lead_id: int | None = None
    refreshes_id: int | None = None
    # A post to several channels (a meeting's reminder in the sales and the marketing channel) is one row that
    # goes to them one after another, its reply stored once: ``target_channel`` is the one it goes to now,
    # ``channels_ahead`` the ones after it (one per line), ``channels_done`` those behind it (bot/core/stops.py).
    channels_ahead: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    channels_done: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
