"""Sales tools (decks, one-pagers, battlecards) marketing publishes, and every click on a tool link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.base import ts


class Tool(SQLModel, table=True):
    """A published link; ``number`` is the ``T-<n>``. A removed tool keeps its row (its clicks stay counted)
    but its links answer 404."""

    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        # the search cache's key (bot/tools/search.py) counts removed tools: its cost grows with those alone
        Index(
            "ix_tool_workspace_removed",
            "workspace_id",
            "removed_at",
            postgresql_where=text("removed_at IS NOT NULL"),
            sqlite_where=text("removed_at IS NOT NULL"),
        ),
        Index("ix_tool_workspace_owner", "workspace_id", "owner_id"),
        Index("ix_tool_workspace_campaign", "workspace_id", "campaign_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    number: int
    title: str = Field(max_length=200)
    url: str = Field(max_length=2000)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    tags: str = Field(default="", max_length=400)  # normalised, comma-separated: "pricing,enterprise"
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    owner_id: int | None = Field(default=None, foreign_key="member.id")
    removed_at: datetime | None = ts(nullable=True)
    created_at: datetime = ts()

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]


class ToolClick(SQLModel, table=True):
    """One opening of a tool link; ``member_id`` is None when the link carried no valid token (anonymous)."""

    __tablename__ = "tool_click"
    __table_args__ = (
        Index("ix_tool_click_tool_at", "tool_id", "at"),
        Index("ix_tool_click_workspace_at", "workspace_id", "at"),
        Index("ix_tool_click_member", "workspace_id", "member_id", "tool_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    tool_id: int = Field(foreign_key="tool.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    at: datetime = ts()
