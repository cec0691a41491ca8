"""APScheduler 3 in the app's event loop, started and stopped by the FastAPI lifespan. Misfires are
coalesced, one instance per job at a time, and every firing goes through a lease (``registry.fire``), so
any number of replicas can run the same schedule and each firing still runs once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.runtime import Runtime
from schedules.registry import ANCHOR, JOBS, JobSpec, fire, replica_id

log = logging.getLogger("tandem.scheduler")
STOP_GRACE_SECONDS = 10.0
STARTUP_DELAY_SECONDS = 3.0


@dataclass
class JobCounters:
    """Per-process counts, for logs and metrics: firings run here, skipped (another replica), failed."""

    ran: int = 0
    skipped: int = 0
    failed: int = 0


class Scheduler:
    def __init__(self, runtime: Runtime, jobs: tuple[JobSpec, ...] = JOBS, *, owner: str | None = None) -> None:
        self.runtime = runtime
        self.jobs = jobs
        self.owner = owner or replica_id()
        self.counters = {job.name: JobCounters() for job in jobs}
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "coalesce": True,  # a stalled loop or a suspended host runs a missed job once, not N times
                "max_instances": 1,
                "misfire_grace_time": 30,
            },
        )
        soon = datetime.now(UTC) + timedelta(seconds=STARTUP_DELAY_SECONDS)
        for job in self.jobs:
            # interval jobs also fire once just after start (a restarted server catches up at once; the
            # lease makes it a no-op when another replica already ran this slot), then on their grid
            first = {"next_run_time": soon} if job.every is not None else {}
            scheduler.add_job(
                self._fire, self._trigger(job), args=(job,), id=job.name, name=job.name, replace_existing=True, **first
            )
        scheduler.start()
        self._scheduler = scheduler
        log.info(
            "scheduler started as %s: %s",
            self.owner,
            ", ".join(f"{j.name} ({j.schedule(self.runtime.settings)})" for j in self.jobs),
        )

    async def stop(self) -> None:
        """Stop firing, let running firings finish (bounded), then shut down."""
        if self._scheduler is None:
            return
        self._scheduler.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=STOP_GRACE_SECONDS)
        self._scheduler.shutdown(wait=False)
        self._scheduler = None
        log.info("scheduler stopped")

    def _trigger(self, job: JobSpec) -> IntervalTrigger | CronTrigger:
        if job.every is not None:
            return IntervalTrigger(seconds=job.every(self.runtime.settings), start_date=ANCHOR, timezone=UTC)
        hour, minute = (job.daily_at or "03:00").split(":")
        return CronTrigger(hour=int(hour), minute=int(minute), timezone=UTC)

    async def _fire(self, job: JobSpec) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            firing = await fire(self.runtime, job, self.owner)
        except Exception:  # the lease table itself is unreachable: log, count, keep the scheduler alive
            log.exception("job %s could not take its lease", job.name)
            self.counters[job.name].failed += 1
            return
        finally:
            if task is not None:
                self._running.discard(task)
        counters = self.counters[job.name]
        if not firing.ran:
            counters.skipped += 1
        elif firing.error:
            counters.failed += 1
        else:
            counters.ran += 1
            if job.name != "delivery" or not firing.result or not firing.result.startswith("sent 0"):
                log.info("job %s: %s (%.2f s)", job.name, firing.result, firing.seconds)
