"""Marketing campaigns."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import ts


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
    created_at: datetime = ts()
