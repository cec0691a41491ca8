"""One firing of one job runs on one replica: the first to insert (job, fire_time) into ``job_lease`` wins,
the others see the conflict and skip. The row then records how the run went, for ``tandem jobs list``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from storage.db import Database
from storage.models import JobLease, ProcessedEvent


def take_lease(db: Database, job: str, fire_time: datetime, owner: str, now: datetime) -> int | None:
    """The lease id when this replica won the firing, None when another replica already has it."""
    dialect = postgresql if db.is_postgres else sqlite
    statement = (
        dialect.insert(JobLease)
        .values(job=job, fire_time=fire_time, owner=owner[:100], started_at=now)
        .on_conflict_do_nothing(index_elements=["job", "fire_time"])
        .returning(JobLease.id)
    )
    with db.session() as session:
        return session.execute(statement).scalar_one_or_none()


def finish_lease(
    db: Database, lease_id: int, now: datetime, *, result: str | None = None, error: str | None = None
) -> None:
    with db.session() as session:
        session.execute(
            update(JobLease)
            .where(col(JobLease.id) == lease_id)
            .values(finished_at=now, result=(result or "")[:400] or None, error=(error or "")[:2000] or None)
        )


@dataclass(frozen=True)
class LastRun:
    """The latest firing of a job as the lease table remembers it."""

    fire_time: datetime
    owner: str
    started_at: datetime
    finished_at: datetime | None
    result: str | None
    error: str | None

    @property
    def seconds(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None


def last_run(db: Database, job: str) -> LastRun | None:
    """Reads the unique (job, fire_time) index backwards: one row, whatever the table's size."""
    with db.session() as session:
        row = session.execute(
            select(JobLease).where(col(JobLease.job) == job).order_by(col(JobLease.fire_time).desc()).limit(1)
        ).scalar_one_or_none()
        if row is None:
            return None
        return LastRun(row.fire_time, row.owner, row.started_at, row.finished_at, row.result, row.error)


def prune(db: Database, *, leases_before: datetime, events_before: datetime) -> tuple[int, int]:
    """Forget old firings (keeping each job's latest, so `jobs list` still knows it) and old platform
    event ids (re-deliveries come within minutes)."""
    with db.session() as session:
        newest = (
            select(col(JobLease.job), func.max(col(JobLease.fire_time)).label("newest"))
            .group_by(col(JobLease.job))
            .subquery()
        )
        keep = select(col(JobLease.id)).join(
            newest, (col(JobLease.job) == newest.c.job) & (col(JobLease.fire_time) == newest.c.newest)
        )
        conn = session.connection()
        leases = conn.execute(
            delete(JobLease).where(col(JobLease.fire_time) < leases_before, col(JobLease.id).not_in(keep))
        ).rowcount
        events = conn.execute(delete(ProcessedEvent).where(col(ProcessedEvent.created_at) < events_before)).rowcount
        return int(leases or 0), int(events or 0)
