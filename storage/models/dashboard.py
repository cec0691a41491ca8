"""Dashboard sign-in links that were used: a link works once, so its nonce is kept when it is opened."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import ts


class DashboardSignin(SQLModel, table=True):
    """One used sign-in link (``stats dashboard``). The unique nonce decides a race between two openings:
    the first ``INSERT … ON CONFLICT DO NOTHING`` wins, the second finds the link used."""

    __tablename__ = "dashboard_signin"

    id: int | None = Field(default=None, primary_key=True)
    nonce: str = Field(max_length=64, unique=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    used_at: datetime = ts()
