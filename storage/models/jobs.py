"""Scheduler leases and platform event de-duplication."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import ts


class JobLease(SQLModel, table=True):
    """One row per job firing: the replica that inserts it first runs the job; the others skip."""

    __tablename__ = "job_lease"
    __table_args__ = (UniqueConstraint("job", "fire_time"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=60)
    fire_time: datetime = ts()
    owner: str = Field(max_length=100)
    started_at: datetime = ts()
    finished_at: datetime | None = ts(nullable=True)
    result: str | None = Field(default=None, max_length=400)
    error: str | None = Field(default=None, max_length=2000)


class ProcessedEvent(SQLModel, table=True):
    """Platform event ids already handled, so a re-delivery is dropped."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    event_id: str = Field(max_length=200)
    created_at: datetime = ts(index=True)
