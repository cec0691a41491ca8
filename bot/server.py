"""create_app(settings) → FastAPI: the composition root. Only this module and cli.py wire adapters and
schedules to the bot."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from adapters.metrics import mount_metrics
from bot import stats_parts
from bot.core.clock import SystemClock, Timer
from bot.core.config import Settings
from bot.core.dispatch import Dispatcher
from bot.core.pacing import Pacing
from bot.core.runtime import Runtime
from bot.features import build_registry, stats_providers
from storage.db import Database
from storage.migrate import MigrationsUnreadable, schema_state

if TYPE_CHECKING:
    from adapters.api import ApiCounts

Hook = Callable[[], Awaitable[None]]  # start-up and shut-down work the lifespan awaits

log = logging.getLogger("tandem.server")


def build_runtime(settings: Settings, clock: Timer | None = None, db: Database | None = None) -> Runtime:
    db = db or Database(settings.database_url)
    clock = clock or SystemClock()
    dispatcher = Dispatcher(db, settings, build_registry(), clock)
    return Runtime(settings=settings, db=db, clock=clock, dispatcher=dispatcher, pacing=Pacing(clock))


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or build_runtime(settings)
    startups: list[Hook] = []
    shutdowns: list[Hook] = []

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
        return await run_in_threadpool(readiness, runtime.db)

    api_counts = _mount_adapters(app, runtime, startups, shutdowns)
    job_counters = _mount_schedules(runtime, startups, shutdowns)
    mount_metrics(app, runtime, job_counters, api_counts.counts)
    return app


def readiness(db: Database) -> JSONResponse:
    """``/readyz``: 200 only with a reachable database at this release's head; otherwise 503 saying which of
    the two is wrong. Only error class names reach the answer (a driver's message may name hosts or users)."""
    try:
        state = schema_state(db.engine)
    except MigrationsUnreadable as error:
        log.error("readiness check: %s", error)
        return _unready("migrations unreadable: the installed package is incomplete; reinstall Tandem")
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        log.warning(
            "readiness check: database unreachable: %s: %s",
            type(cause).__name__,
            str(cause).splitlines()[0] if str(cause) else "",
        )
        return _unready(f"unreachable: {type(cause).__name__}")
    except Exception as error:
        log.exception("readiness check failed")
        return _unready(f"check failed: {type(error).__name__}")
    if state.is_newer:
        return _unready(f"{state.describe()}: run the release that migrated it")
    if not state.is_current:
        return _unready(f"{state.describe()}: run `tandem db upgrade`")
    return JSONResponse({"status": "ready", "database": "ok"})


def _unready(database: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "database": database}, status_code=503)


def _mount_adapters(app: FastAPI, runtime: Runtime, startups: list[Hook], shutdowns: list[Hook]) -> ApiCounts:
    from adapters.api import mount_api
    from adapters.api.people import Directories
    from adapters.links import mount_links
    from adapters.web.dashboard.app import Sources, mount_dashboard
    from adapters.web.dashboard.stats_source import stats_figures

    settings = runtime.settings
    mount_links(app, runtime)
    mount_dashboard(app, runtime, Sources(stats_figures(stats_providers()), survey_trend=stats_parts.survey_trend))
    directories = Directories()  # the chat directories an API lead's owner_email is looked up in
    api_counts = mount_api(app, directories, stats_providers())
    if settings.playground:
        from adapters.web.playground.app import mount_playground
        from schedules.jobs.delivery import deliver_due
        from schedules.registry import replica_id

        owner = replica_id("playground")
        mount_playground(app, runtime, deliver=lambda rt: deliver_due(rt, owner=owner))
    if settings.slack_enabled:
        from adapters.slack.app import mount as mount_slack

        slack = mount_slack(app, runtime, startups, shutdowns)
        directories.by_platform["slack"] = slack.bridge.look_up_people
    if settings.teams_on:
        from adapters.teams.app import mount_teams

        teams = mount_teams(app, runtime)
        runtime.add_sender(teams.sender)
        startups.append(teams.initialize)
        directories.by_platform["teams"] = teams.look_up_people
    return api_counts


def _mount_schedules(runtime: Runtime, startups: list[Hook], shutdowns: list[Hook]) -> dict[str, Any] | None:
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
