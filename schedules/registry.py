"""Every scheduled job in one explicit table: its name (for `tandem jobs run <name>`), its schedule and
what it runs. A firing takes a lease first, so on several replicas each firing runs once."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.config import Settings
from bot.core.runtime import Runtime
from schedules.jobs.delivery import deliver_due
from schedules.jobs.housekeeping import run_housekeeping
from schedules.jobs.nags import run_nags
from schedules.jobs.report import CHECK_EVERY_SECONDS, run_report
from schedules.jobs.tool_staleness import run_tool_staleness
from schedules.leases import LastRun, finish_lease, last_run, take_lease

log = logging.getLogger("tandem.jobs")
ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)  # interval firings are aligned to this, identically on every replica

JobRun = Callable[[Runtime, str], Awaitable[str]]


@dataclass(frozen=True)
class JobSpec:
    """``every`` (seconds, from Settings) or ``daily_at`` (UTC "HH:MM") says when it fires. ``run_now`` is what
    `tandem jobs run` does when that differs from a scheduled firing (the report: send this week's now)."""

    name: str
    summary: str
    run: JobRun
    every: Callable[[Settings], float] | None = None
    daily_at: str | None = None
    run_now: JobRun | None = None

    def schedule(self, settings: Settings) -> str:
        if self.every is not None:
            seconds = self.every(settings)
            return f"every {seconds:g} s" if seconds < 120 else f"every {seconds / 60:g} min"
        return f"daily at {self.daily_at} UTC"

    def fire_time(self, settings: Settings, now: datetime) -> datetime:
        """The firing ``now`` belongs to: the same value on every replica, so the lease can decide."""
        if self.every is not None:
            step = max(self.every(settings), 0.001)
            slots = int((now - ANCHOR).total_seconds() // step)
            return ANCHOR + timedelta(seconds=slots * step)
        return now.replace(second=0, microsecond=0)


async def _delivery(runtime: Runtime, owner: str) -> str:
    return str(await deliver_due(runtime, owner=owner))


async def _nags(runtime: Runtime, owner: str) -> str:
    return str(await run_nags(runtime))


async def _housekeeping(runtime: Runtime, owner: str) -> str:
    return await run_housekeeping(runtime)


async def _tool_staleness(runtime: Runtime, owner: str) -> str:
    return str(await run_tool_staleness(runtime))


async def _report(runtime: Runtime, owner: str) -> str:
    return str(await run_report(runtime, owner))


async def _report_now(runtime: Runtime, owner: str) -> str:
    return str(await run_report(runtime, owner, manual=True))


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "delivery",
        "send due outbox messages to Slack, Teams and the playground",
        _delivery,
        every=lambda s: s.delivery_interval_seconds,
    ),
    JobSpec(
        "nags", "remind owners of overdue leads; escalate to managers", _nags, every=lambda s: s.nag_interval_seconds
    ),
    JobSpec("housekeeping", "forget old job firings and platform event ids", _housekeeping, daily_at="03:17"),
    # daily, so a server down on the 1st still sends that month; each owner hears at most once a month
    JobSpec(
        "tool_staleness",
        "tell owners, once a month, of their tools nobody opened for 180 days",
        _tool_staleness,
        daily_at="09:00",
    ),
    # each workspace's own `weekly_report` moment (its time zone), looked for every 5 minutes; once a week each
    JobSpec(
        "report",
        "send each workspace's weekly report to its managers at its `weekly_report` time",
        _report,
        every=lambda s: CHECK_EVERY_SECONDS,
        run_now=_report_now,
    ),
)


def find_job(name: str) -> JobSpec | None:
    return next((job for job in JOBS if job.name == name.strip().lower()), None)


def replica_id(kind: str = "serve") -> str:
    """Who holds a lease or a claim: readable in `jobs list`, unique per process."""
    return f"{kind}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:4]}"


@dataclass(frozen=True)
class Firing:
    job: str
    ran: bool  # False: another replica had the lease
    result: str | None = None
    error: str | None = None
    seconds: float = 0.0


async def fire(runtime: Runtime, job: JobSpec, owner: str, *, manual: bool = False) -> Firing:
    """Take the lease for this firing and run the job; errors are logged and recorded, never raised.
    A manual run is keyed by its own moment (nudged by a microsecond if that is taken), so it never
    collides with a scheduled firing and two manual runs both happen."""
    now = runtime.clock.now()
    moment = now if manual else job.fire_time(runtime.settings, now)
    lease = await runtime.db.run(take_lease, runtime.db, job.name, moment, owner, now)
    while lease is None and manual and moment - now < timedelta(milliseconds=10):
        moment += timedelta(microseconds=1)
        lease = await runtime.db.run(take_lease, runtime.db, job.name, moment, owner, now)
    if lease is None:
        return Firing(job.name, ran=False)
    started = time.perf_counter()
    run = job.run_now if manual and job.run_now is not None else job.run
    try:
        result = await run(runtime, owner)
    except Exception as error:
        log.exception("job %s failed", job.name)
        message = f"{type(error).__name__}: {error}"[:2000]
        await runtime.db.run(finish_lease, runtime.db, lease, runtime.clock.now(), error=message)
        return Firing(job.name, ran=True, error=message, seconds=time.perf_counter() - started)
    await runtime.db.run(finish_lease, runtime.db, lease, runtime.clock.now(), result=result)
    return Firing(job.name, ran=True, result=result, seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class JobStatus:
    name: str
    summary: str
    schedule: str
    last: LastRun | None


def list_jobs(runtime: Runtime) -> list[JobStatus]:
    """Each job with its schedule and its latest firing (any replica's), for `tandem jobs list`."""
    return [
        JobStatus(job.name, job.summary, job.schedule(runtime.settings), last_run(runtime.db, job.name)) for job in JOBS
    ]


async def run_job_now(runtime: Runtime, name: str, owner: str | None = None) -> Firing:
    """Run one job immediately (operators, tests)."""
    job = find_job(name)
    if job is None:
        known = ", ".join(j.name for j in JOBS)
        raise LookupError(f"There is no job called `{name}`. Jobs: {known}.")
    return await fire(runtime, job, owner or replica_id("manual"), manual=True)


def run_job(runtime: Runtime, name: str) -> Firing:
    """Synchronous entry point for the command line."""
    return asyncio.run(run_job_now(runtime, name))


def describe(status: JobStatus) -> str:
    """One line for `tandem jobs list`."""
    last = status.last
    if last is None:
        return f"{status.name:<13} {status.schedule:<18} never run"
    when = last.started_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    took = f"{last.seconds:.2f} s" if last.seconds is not None else "running"
    outcome = f"error: {last.error}" if last.error else (last.result or "ok")
    return f"{status.name:<13} {status.schedule:<18} last {when} ({took}) on {last.owner.split(':')[1]}: {outcome}"
