"""Competitive intel: the competitors sales hears about, and every note filed about them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import ts


class Competitor(SQLModel, table=True):
    """``name`` is kept as first written ("Globex"); ``key`` is the normalised name ("globex") that makes
    "globex" and "Globex," one competitor per workspace."""

    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    name: str = Field(max_length=80)
    key: str = Field(max_length=80)
    created_at: datetime = ts()


class IntelNote(SQLModel, table=True):
    """One thing a rep heard about a competitor; ``member_id`` is who filed it."""

    __tablename__ = "intel_note"
    __table_args__ = (
        # `intel show` (latest notes of one competitor) and `intel list` (counts and last date per competitor)
        Index("ix_intel_note_competitor_at", "workspace_id", "competitor_id", "created_at", "id"),
        # stats' intel count over a period
        Index("ix_intel_note_workspace_at", "workspace_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    competitor_id: int = Field(foreign_key="competitor.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = ts()
