"""Leads, their event trail, quality feedback and the qualified-lead criteria."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.base import OPEN_STATUSES_SQL, STALE_SQL, UNTOUCHED_SQL, WAITING_SQL, ts


class Lead(SQLModel, table=True):
    """A prospect handed from marketing to sales (or logged by a rep). ``number`` is the ``L-<n>``."""

    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_lead_workspace_created", "workspace_id", "created_at"),
        Index("ix_lead_workspace_owner_status", "workspace_id", "owner_id", "status"),
        Index("ix_lead_workspace_status_created", "workspace_id", "status", "created_at"),
        # a campaign's progress (`campaign why`, reports, App Home): counted from this index alone, so the cost
        # follows the campaign's own leads, not the table
        Index("ix_lead_workspace_campaign_status", "workspace_id", "campaign_id", "status", "marketer_id"),
        # ...and the few leads of a campaign that a rep logged themselves (no hand-off), whose ratings its quality
        # leaves out: found without walking the campaign's hand-offs
        Index(
            "ix_lead_campaign_own",
            "workspace_id",
            "campaign_id",
            postgresql_where=text("marketer_id IS NULL"),
            sqlite_where=text("marketer_id IS NULL"),
        ),
        # a campaign's leads (`lead list campaign:`, `campaign why`) and `stats`' target progress from the index alone
        Index("ix_lead_campaign_progress", "workspace_id", "campaign_id", "created_at", "status"),
        # the dashboard's Source filter: the workspace's distinct sources, one index probe per source
        Index("ix_lead_workspace_source", "workspace_id", "source"),
        # the dashboard's leads breaching SLA now, the most overdue first, one index per way of breaching
        # (bot/stats/drilldown.py): read in order, each stops after the rows shown however many breach.
        Index(
            "ix_lead_sla_waiting",
            "workspace_id",
            text("coalesce(handed_off_at, created_at)"),
            postgresql_where=text(WAITING_SQL),
            sqlite_where=text(WAITING_SQL),
        ),
        Index(
            "ix_lead_sla_untouched",
            "workspace_id",
            text("coalesce(accepted_at, created_at)"),
            postgresql_where=text(UNTOUCHED_SQL),
            sqlite_where=text(UNTOUCHED_SQL),
        ),
        Index(
            "ix_lead_sla_stale",
            "workspace_id",
            "last_touch_at",
            postgresql_where=text(STALE_SQL),
            sqlite_where=text(STALE_SQL),
        ),
        Index(
            "ix_lead_nag_due",
            "nag_due_at",
            postgresql_where=text("nag_due_at IS NOT NULL"),
            sqlite_where=text("nag_due_at IS NOT NULL"),
        ),
        # `lead list mine`: one person's open leads, newest first, without touching their closed ones.
        Index(
            "ix_lead_owner_open",
            "workspace_id",
            "owner_id",
            "created_at",
            postgresql_where=text(OPEN_STATUSES_SQL),
            sqlite_where=text(OPEN_STATUSES_SQL),
        ),
        # The duplicate check of every new lead (SPEC §3 Duplicates): an open lead with the same e-mail, or the
        # same company name, ignoring case.
        Index(
            "ix_lead_open_email",
            "workspace_id",
            text("lower(email)"),
            postgresql_where=text(OPEN_STATUSES_SQL),
            sqlite_where=text(OPEN_STATUSES_SQL),
        ),
        Index(
            "ix_lead_open_company",
            "workspace_id",
            text("lower(company)"),
            postgresql_where=text(OPEN_STATUSES_SQL),
            sqlite_where=text(OPEN_STATUSES_SQL),
        ),
        # `lead list handed` and App Home: the leads one marketer handed off, newest first.
        Index("ix_lead_marketer_created", "workspace_id", "marketer_id", "created_at"),
        # An import's digests and its same-file duplicate check read the leads it created.
        Index("ix_lead_workspace_import", "workspace_id", "import_id"),
        # `stats`: the open leads breaching their SLA now, by owner, read from the index alone.
        Index(
            "ix_lead_open_sla",
            "workspace_id",
            "owner_id",
            "status",
            "handed_off_at",
            "accepted_at",
            "last_touch_at",
            "created_at",
            postgresql_where=text(OPEN_STATUSES_SQL),
            sqlite_where=text(OPEN_STATUSES_SQL),
        ),
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
    created_at: datetime = ts()
    handed_off_at: datetime | None = ts(nullable=True)  # the latest hand-off or reassignment
    accepted_at: datetime | None = ts(nullable=True)
    first_touch_at: datetime | None = ts(nullable=True)
    last_touch_at: datetime | None = ts(nullable=True)
    closed_at: datetime | None = ts(nullable=True)
    nag_due_at: datetime | None = ts(nullable=True)
    nag_count: int = 0
    last_nag_at: datetime | None = ts(nullable=True)
    # The CSV import that created it (a plain id, like the outbox's lead_id: an import's record may be forgotten
    # while its leads stay).
    import_id: int | None = None


class LeadEvent(SQLModel, table=True):
    """The lead's trail: who did what, when, from which state to which. The source of stats."""

    __tablename__ = "lead_event"
    __table_args__ = (
        # Events of one kind in a time range (nags, stats' hand-offs, decisions and `lead add`s), with the lead
        # and who acted, so stats read them from the index alone.
        Index(
            "ix_lead_event_kind_created_lead",
            "workspace_id",
            "kind",
            "created_at",
            "lead_id",
            "actor_id",
            postgresql_include=["id"],  # SQLite keeps the row id in every index already
        ),
        # Whether a decision on a lead was its first (stats' acceptance rate).
        Index("ix_lead_event_lead_kind", "lead_id", "kind", "id"),
        # Stage moves in a time range with the stage reached (stats' funnel), from the index alone.
        Index(
            "ix_lead_event_stage",
            "workspace_id",
            "created_at",
            "lead_id",
            "kind",
            "detail",
            postgresql_where=text("kind = 'stage'"),
            sqlite_where=text("kind = 'stage'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    lead_id: int = Field(foreign_key="lead.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    kind: str = Field(max_length=30)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = ts()


class Feedback(SQLModel, table=True):
    """One lead-quality score per person per lead (a new one replaces it). ``campaign_id`` is the lead's campaign,
    kept on the rating as its workspace is, so a campaign's quality is read from its own ratings alone."""

    __table_args__ = (
        UniqueConstraint("lead_id", "member_id"),
        Index("ix_feedback_campaign", "workspace_id", "campaign_id", "lead_id", "score"),
        # `stats`: the ratings given in a time range, with their lead and score, from the index alone.
        Index("ix_feedback_workspace_created", "workspace_id", "created_at", "lead_id", "score"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    lead_id: int = Field(foreign_key="lead.id")
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    member_id: int = Field(foreign_key="member.id")
    score: int
    tags: str = Field(default="", max_length=400)
    reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = ts()


class CriteriaVersion(SQLModel, table=True):
    __tablename__ = "criteria_version"
    __table_args__ = (UniqueConstraint("workspace_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    version: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    author_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = ts()
