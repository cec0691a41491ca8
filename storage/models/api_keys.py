"""API keys for the REST API (``tandem apikey``) and the ``Idempotency-Key``s of the leads posted with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.base import ts

ACTIVE = "revoked_at IS NULL"


class ApiKey(SQLModel, table=True):
    """A key of one workspace. Only the SHA-256 of the key is kept (the key itself is shown once), and its first
    characters (``prefix``) so people can tell their keys apart. A label names one active key at a time."""

    __tablename__ = "api_key"
    __table_args__ = (
        Index(
            "ux_api_key_active_label",
            "workspace_id",
            text("lower(label)"),
            unique=True,
            postgresql_where=text(ACTIVE),
            sqlite_where=text(ACTIVE),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    label: str = Field(max_length=60)
    prefix: str = Field(max_length=20)
    key_hash: str = Field(max_length=64, unique=True)  # hex SHA-256 of the whole key
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = ts()
    last_used_at: datetime | None = ts(nullable=True)  # refreshed at most once a minute
    revoked_at: datetime | None = ts(nullable=True)


class ApiIdempotency(SQLModel, table=True):
    """One ``Idempotency-Key`` a workspace's integration sent with a new lead: the same key again gets the same
    lead back, and a key reused with another body is refused. Inserted with ON CONFLICT, never checked first."""

    __tablename__ = "api_idempotency"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    key: str = Field(max_length=200)
    body_hash: str = Field(max_length=64)  # hex SHA-256 of the body's canonical JSON
    lead_id: int | None = Field(default=None, foreign_key="lead.id")
    duplicate: bool = False  # the lead was an open lead that already existed (SPEC §3 Duplicates)
    created_at: datetime = ts()
