"""CSV imports of leads (SPEC §5 `tandem import leads`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.models.base import ts


class LeadImport(SQLModel, table=True):
    """One import of a file: what it read, who ran it, how far it got. ``content_hash`` (SHA-256 of the file's
    bytes) lets a second import of the same file skip what the first created, and a rerun after a crash resume
    the import it interrupted (``finished_at`` still empty)."""

    __tablename__ = "lead_import"
    __table_args__ = (Index("ix_lead_import_workspace_hash", "workspace_id", "content_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    file_name: str = Field(max_length=200)
    content_hash: str = Field(max_length=64)
    by_id: int | None = Field(default=None, foreign_key="member.id")
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    refused: int = 0
    started_at: datetime = ts()
    finished_at: datetime | None = ts(nullable=True)
