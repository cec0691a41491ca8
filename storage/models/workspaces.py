"""Workspaces, their platform accounts, members and settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import ts


class Workspace(SQLModel, table=True):
    """A company: one Slack team and/or one Teams tenant (after ``tandem link``)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    lead_seq: int = 0
    campaign_seq: int = 0
    tool_seq: int = 0
    routing_cursor: int | None = None  # member id of the rep who got the last round-robin lead
    created_at: datetime = ts()


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
    created_at: datetime = ts()


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


class LinkCode(SQLModel, table=True):
    """A one-time code joining two workspaces (``tandem link``); only its hash is kept."""

    __tablename__ = "link_code"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    code_hash: str = Field(max_length=128, unique=True)
    created_by: int | None = Field(default=None, foreign_key="member.id")
    expires_at: datetime = ts()
    used_at: datetime | None = ts(nullable=True)
