"""The REST API, ``/api/v1`` (SPEC §5): API-key dependencies, pydantic schemas, the leads router, the CSV
export, one error shape, and a per-route request count for /metrics. Mounted by bot/server.py."""

from __future__ import annotations

import threading
from collections import Counter

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.api import errors, export, leads, stats
from adapters.api.errors import API_PREFIX
from adapters.api.people import Directories
from bot.stats.service import Providers


class ApiCounts:
    """Requests answered per route and status, for /metrics (``tandem_api_requests``)."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, int]] = Counter()  # (method, route, status) → requests
        self._lock = threading.Lock()

    def add(self, method: str, route: str, status: int) -> None:
        with self._lock:
            self.counts[(method, route, status)] += 1


class CountRequests:
    """ASGI middleware counting every /api/v1 answer under its route's template (``/api/v1/leads/{lead_id}``),
    so one lead id is not one series."""

    def __init__(self, app: ASGIApp, counts: ApiCounts) -> None:
        self.app = app
        self.counts = counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.counts.add(str(scope.get("method", "")), route, status[0])


def mount_api(app: FastAPI, directories: Directories, providers: Providers) -> ApiCounts:
    """The routes (``/leads.csv`` before ``/leads/{lead_id}``), the error handlers and the request count.
    ``providers``: the stats figures other features compute, as chat's `stats` gets them."""
    app.include_router(export.router())
    app.include_router(leads.router(directories))
    app.include_router(stats.router(providers))
    errors.install(app)
    counts = ApiCounts()
    app.add_middleware(CountRequests, counts=counts)
    return counts
