"""Marketing campaigns and what sales says about them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.base import ts

ACTIVE_SQL = "status = 'active'"


class Campaign(SQLModel, table=True):
    """``number`` is the ``C-<n>``. A closed campaign keeps its row, its leads and its comments; its name may be
    used again by a new campaign (only one *active* campaign per name)."""

    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        # `campaign announce` refuses a second active campaign of the same name (any case): the check is a query,
        # and this index is the last word when two people announce at the same moment.
        Index(
            "ix_campaign_active_name",
            "workspace_id",
            text("lower(name)"),
            unique=True,
            postgresql_where=text(ACTIVE_SQL),
            sqlite_where=text(ACTIVE_SQL),
        ),
        # the campaign end job: active campaigns whose end date has passed
        Index(
            "ix_campaign_active_ends",
            "ends_on",
            postgresql_where=text(ACTIVE_SQL),
            sqlite_where=text(ACTIVE_SQL),
        ),
    )

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
    created_at: datetime = ts()
    closed_at: datetime | None = ts(nullable=True)
    closed_by_id: int | None = Field(default=None, foreign_key="member.id")  # None: the campaign end job


class CampaignComment(SQLModel, table=True):
    """Sales input to a campaign's owner (`campaign comment`), kept on the campaign."""

    __tablename__ = "campaign_comment"
    __table_args__ = (Index("ix_campaign_comment_campaign", "workspace_id", "campaign_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    campaign_id: int = Field(foreign_key="campaign.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = ts()
