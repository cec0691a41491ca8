"""What a platform needs to reach people proactively."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import ts


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
    updated_at: datetime = ts()
