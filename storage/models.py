"""SQLModel tables. Every row that belongs to a company carries ``workspace_id``; queries filter by it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

ROLES = ("rep", "marketer", "manager", "admin")
OPEN_STATUSES = ("handed_off", "accepted", "unassigned")
OPEN_STATUSES_SQL = "status IN ('handed_off', 'accepted', 'unassigned')"


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Workspace(SQLModel, table=True):
    """A company: one Slack team and/or one Teams tenant (after ``tandem link``)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    lead_seq: int = 0
    campaign_seq: int = 0
    routing_cursor: int | None = None  # member id of the rep who got the last round-robin lead
    created_at: datetime = _ts()


class WorkspaceAccount(SQLModel, table=True):
    """Which platform team (Slack ``T…``, Teams tenant) belongs to which workspace."""

    __tablename__ = "workspace_account"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    platform: str = Field(max_length=20)
    external_id: str = Field(max_length=200)


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    display_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    timezone: str | None = Field(default=None, max_length=64)
    role: str = Field(default="rep", max_length=20)
    last_platform: str | None = Field(default=None, max_length=20)
    enriched: bool = False
    created_at: datetime = _ts()


class MemberAccount(SQLModel, table=True):
    """A member's user id on one platform (Slack ``U…``, Teams ``29:…``, Entra object id, playground)."""

    __tablename__ = "member_account"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    platform: str = Field(max_length=20)
    external_id: str = Field(max_length=200)


class WorkspaceSetting(SQLModel, table=True):
    __tablename__ = "workspace_setting"

    workspace_id: int = Field(foreign_key="workspace.id", primary_key=True)
    key: str = Field(max_length=40, primary_key=True)
    value: str = Field(max_length=200)


class Campaign(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    number: int
    name: str = Field(max_length=200)
    goal: str = Field(default="", max_length=2000)
    audience: str = Field(default="", max_length=2000)
    target: int | None = None
    ends_on: date | None = None
    talking_points: str = Field(default="", max_length=2000)
    owner_id: int | None = Field(default=None, foreign_key="member.id")
    status: str = Field(default="active", max_length=20)
    created_at: datetime = _ts()


class Lead(SQLModel, table=True):
    """A prospect handed from marketing to sales (or logged by a rep). ``number`` is the ``L-<n>``."""

    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_lead_workspace_created", "workspace_id", "created_at"),
        Index("ix_lead_workspace_owner_status", "workspace_id", "owner_id", "status"),
        Index("ix_lead_workspace_status_created", "workspace_id", "status", "created_at"),
        Index("ix_lead_workspace_campaign", "workspace_id", "campaign_id"),
        Index("ix_lead_nag_due", "nag_due_at", postgresql_where=text("nag_due_at IS NOT NULL"),
              sqlite_where=text("nag_due_at IS NOT NULL")),
        # `lead list mine`: one person's open leads, newest first, without touching their closed ones.
        Index("ix_lead_owner_open", "workspace_id", "owner_id", "created_at",
              postgresql_where=text(OPEN_STATUSES_SQL), sqlite_where=text(OPEN_STATUSES_SQL)),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    number: int
    company: str = Field(max_length=200)
    contact_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    source: str = Field(default="marketing", max_length=60)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    owner_id: int | None = Field(default=None, foreign_key="member.id")
    marketer_id: int | None = Field(default=None, foreign_key="member.id")
    status: str = Field(default="handed_off", max_length=20)
    stage: int | None = None
    amount: float | None = None
    outcome_reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _ts()
    handed_off_at: datetime | None = _ts(nullable=True)  # the latest hand-off or reassignment
    accepted_at: datetime | None = _ts(nullable=True)
    first_touch_at: datetime | None = _ts(nullable=True)
    last_touch_at: datetime | None = _ts(nullable=True)
    closed_at: datetime | None = _ts(nullable=True)
    nag_due_at: datetime | None = _ts(nullable=True)
    nag_count: int = 0
    last_nag_at: datetime | None = _ts(nullable=True)


class LeadEvent(SQLModel, table=True):
    """The lead's trail: who did what, when, from which state to which. The source of stats."""

    __tablename__ = "lead_event"
    __table_args__ = (Index("ix_lead_event_workspace_kind_created", "workspace_id", "kind", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    lead_id: int = Field(foreign_key="lead.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    kind: str = Field(max_length=30)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _ts()


class Feedback(SQLModel, table=True):
    """One lead-quality score per person per lead (a new one replaces it)."""

    __table_args__ = (UniqueConstraint("lead_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    lead_id: int = Field(foreign_key="lead.id")
    member_id: int = Field(foreign_key="member.id")
    score: int
    tags: str = Field(default="", max_length=400)
    reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _ts()


class CriteriaVersion(SQLModel, table=True):
    __tablename__ = "criteria_version"
    __table_args__ = (UniqueConstraint("workspace_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    version: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    author_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = _ts()


class Outbox(SQLModel, table=True):
    """A proactive message, written in the same transaction as the change that causes it."""

    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_member", "workspace_id", "target_member_id", "id"),
        Index("ix_outbox_lead", "lead_id"),
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
    next_attempt_at: datetime = _ts()
    claimed_at: datetime | None = _ts(nullable=True)
    claimed_by: str | None = Field(default=None, max_length=100)
    sent_at: datetime | None = _ts(nullable=True)
    platform: str | None = Field(default=None, max_length=20)
    delivered_ref: str | None = Field(default=None, max_length=400)
    response_note: str | None = Field(default=None, max_length=400)
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _ts()
    # The lead a card with buttons is about, so its buttons can be withdrawn once the lead moves on; and, on a
    # row that rewrites an earlier message instead of sending a new one, that message's row. Plain ids, not
    # foreign keys: housekeeping forgets old rows independently of each other.
    lead_id: int | None = None
    refreshes_id: int | None = None


class JobLease(SQLModel, table=True):
    """One row per job firing: the replica that inserts it first runs the job; the others skip."""

    __tablename__ = "job_lease"
    __table_args__ = (UniqueConstraint("job", "fire_time"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=60)
    fire_time: datetime = _ts()
    owner: str = Field(max_length=100)
    started_at: datetime = _ts()
    finished_at: datetime | None = _ts(nullable=True)
    result: str | None = Field(default=None, max_length=400)
    error: str | None = Field(default=None, max_length=2000)


class ProcessedEvent(SQLModel, table=True):
    """Platform event ids already handled, so a re-delivery is dropped."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    event_id: str = Field(max_length=200)
    created_at: datetime = _ts(index=True)


class ConversationRef(SQLModel, table=True):
    """Where a platform can reach a member or channel proactively (Teams conversation references)."""

    __tablename__ = "conversation_ref"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    platform: str = Field(max_length=20)
    address: str = Field(max_length=400)
    reference: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = _ts()


class LinkCode(SQLModel, table=True):
    """A one-time code joining two workspaces (``tandem link``); only its hash is kept."""

    __tablename__ = "link_code"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    code_hash: str = Field(max_length=128, unique=True)
    created_by: int | None = Field(default=None, foreign_key="member.id")
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(nullable=True)
