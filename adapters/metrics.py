"""GET /metrics in Prometheus' text format: commands answered, REST API requests, job firings and the outbox backlog.
A registry per app (no process-wide singletons), filled at scrape time from what the runtime already counts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlmodel import col
from starlette.concurrency import run_in_threadpool

from bot.core.runtime import Runtime
from storage.models import Outbox


class JobCounts(Protocol):
    ran: int
    skipped: int
    failed: int


class TandemCollector(Collector):
    def __init__(
        self,
        runtime: Runtime,
        jobs: Mapping[str, JobCounts] | None,
        api: Mapping[tuple[str, str, int], int] | None = None,
    ) -> None:
        self.runtime = runtime
        self.jobs = jobs or {}
        self.api = api if api is not None else {}

    def collect(self) -> Iterator[Metric]:
        commands = CounterMetricFamily(
            "tandem_commands", "Commands answered, by command and outcome", labels=["command", "outcome"]
        )
        for (command, outcome), count in sorted(self.runtime.dispatcher.counts.items()):
            commands.add_metric([command, outcome], count)
        yield commands
        jobs = CounterMetricFamily(
            "tandem_job_firings", "Scheduled job firings on this replica, by result", labels=["job", "result"]
        )
        for name, counts in sorted(self.jobs.items()):
            for result in ("ran", "skipped", "failed"):
                jobs.add_metric([name, result], getattr(counts, result))
        yield jobs
        api = CounterMetricFamily(
            "tandem_api_requests",
            "REST API requests answered, by route and status",
            labels=["method", "route", "status"],
        )
        for (method, route, status), count in sorted(dict(self.api).items()):
            api.add_metric([method, route, str(status)], count)
        yield api
        outbox = GaugeMetricFamily("tandem_outbox_rows", "Outbox rows by status", labels=["status"])
        with self.runtime.db.session() as session:
            rows = session.execute(select(col(Outbox.status), func.count()).group_by(col(Outbox.status))).all()
        for status, count in rows:
            outbox.add_metric([status], count)
        yield outbox


def mount_metrics(
    app: FastAPI,
    runtime: Runtime,
    jobs: Mapping[str, JobCounts] | None = None,
    api: Mapping[tuple[str, str, int], int] | None = None,
) -> None:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(TandemCollector(runtime, jobs, api))

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        body = await run_in_threadpool(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)
