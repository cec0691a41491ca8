"""create_app(settings) → FastAPI: the composition root. Only this module and cli.py wire adapters and
schedules to the bot."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from adapters.metrics import mount_metrics
from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.core.dispatch import Dispatcher
from bot.core.runtime import Runtime
from bot.features import build_registry
from storage.db import Database
from storage.migrate import is_current

log = logging.getLogger("tandem.server")


def build_runtime(settings: Settings, clock: Clock | None = None, db: Database | None = None) -> Runtime:
    db = db or Database(settings.database_url)
    clock = clock or SystemClock()
    dispatcher = Dispatcher(db, settings, build_registry(), clock)
    return Runtime(settings=settings, db=db, clock=clock, dispatcher=dispatcher)


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or build_runtime(settings)
    startups: list = []
    shutdowns: list = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for start in startups:
            await start()
        # Freeze what start-up left alive (modules, models, SDKs) out of the collector's reach: otherwise a
        # full collection walks all of it and stalls a command for 10–100 ms (bench/README_slack.md).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            for stop in reversed(shutdowns):
                await stop()

    app = FastAPI(title="Tandem", version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        try:
            current = await run_in_threadpool(is_current, runtime.db.engine)
        except Exception as error:  # the database is unreachable
            log.warning("readiness check failed: %s", type(error).__name__)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        if not current:
            return JSONResponse({"status": "unavailable", "database": "migrations pending: run `tandem db upgrade`"},
                                status_code=503)
        return JSONResponse({"status": "ready", "database": "ok"})

    _mount_adapters(app, runtime, startups, shutdowns)
    job_counters = _mount_schedules(runtime, startups, shutdowns)
    mount_metrics(app, runtime, job_counters)
    return app


def _mount_adapters(app: FastAPI, runtime: Runtime, startups: list, shutdowns: list) -> None:
    settings = runtime.settings
    if settings.playground:
        from adapters.web.playground import mount_playground
        from schedules.jobs.delivery import deliver_due
        from schedules.registry import replica_id

        owner = replica_id("playground")
        mount_playground(app, runtime, deliver=lambda rt: deliver_due(rt, owner=owner))
    if settings.slack_enabled:
        from adapters.slack.app import mount as mount_slack

        mount_slack(app, runtime, startups, shutdowns)
    if settings.teams_on:
        from adapters.teams.app import mount_teams

        teams = mount_teams(app, runtime)
        runtime.add_sender(teams.sender)
        startups.append(teams.initialize)


def _mount_schedules(runtime: Runtime, startups: list, shutdowns: list) -> dict | None:
    """Start the scheduler with the app; returns its per-job counters for /metrics."""
    if not runtime.settings.scheduler_on:
        return None
    from schedules.scheduler import Scheduler

    scheduler = Scheduler(runtime)
    startups.append(scheduler.start)
    shutdowns.append(scheduler.stop)
    return scheduler.counters


def app_from_environment() -> FastAPI:
    """Factory for `tandem serve` (uvicorn imports it in each worker)."""
    return create_app(Settings())  # type: ignore[call-arg]
