"""``GET /api/v1/stats`` (SPEC §5): the figures of `stats`, as JSON in exactly SPEC §5's shape, from the same query
layer as chat, the weekly report and the dashboard. A key sees its whole workspace, as a manager does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query

from adapters.api import filters
from adapters.api.deps import ApiKeyDep, RuntimeDep
from adapters.api.errors import API_PREFIX, ApiError
from adapters.api.schemas import Problem
from bot.admin.api_keys import VerifiedKey
from bot.admin.settings import get_setting
from bot.core.errors import UsageError
from bot.core.runtime import Runtime
from bot.stats.json import figures_json
from bot.stats.periods import local_today, parse_period
from bot.stats.scope import Scope
from bot.stats.service import Providers, compute

MAX_SOURCE = 60


@dataclass(frozen=True, slots=True)
class _Asked:
    period: str | None
    campaign: str | None
    owner_email: str | None
    source: str | None


def router(providers: Providers) -> APIRouter:
    """``providers``: the figures other features compute (intel's count, the pulse survey), as chat gets them."""
    api = APIRouter(prefix=API_PREFIX, tags=["stats"])

    @api.get(
        "/stats",
        summary="How sales and marketing work together, for a period",
        responses={
            400: {"model": Problem, "description": "A period it cannot read (the answer names the forms)."},
            401: {"model": Problem, "description": "No valid API key."},
            422: {"model": Problem, "description": "An unknown campaign or owner."},
        },
    )
    async def stats(
        key: ApiKeyDep,
        runtime: RuntimeDep,
        period: Annotated[
            str | None,
            Query(
                max_length=40,
                description="`7d`, `30d` (default), `quarter`, `last-quarter`, `ytd` or `2026-11-01..2026-11-30`.",
            ),
        ] = None,
        campaign: Annotated[str | None, Query(max_length=200, description="Name, prefix or `C-<n>`.")] = None,
        owner_email: Annotated[str | None, Query(max_length=320, description="Only this owner's leads.")] = None,
        source: Annotated[str | None, Query(max_length=MAX_SOURCE, description="Only leads from this source.")] = None,
    ) -> dict[str, Any]:
        """Rates are fractions from 0 to 1, and `null` where there is no data (never 0)."""
        asked = _Asked(period, campaign, owner_email, source)
        return await runtime.db.run(_figures, runtime, key, asked, providers)

    return api


def _figures(runtime: Runtime, key: VerifiedKey, asked: _Asked, providers: Providers) -> dict[str, Any]:
    now = runtime.clock.now()
    with runtime.db.session() as session:
        zone = get_setting(session, key.workspace_id, "timezone")
        try:
            period = parse_period(asked.period, today=local_today(now, zone), zone=zone)
        except UsageError as error:
            raise ApiError(400, "bad_period", str(error)) from None
        owner_id = filters.owners(session, key.workspace_id, asked.owner_email)[0] if asked.owner_email else None
        campaign_id = filters.campaign_id(session, key.workspace_id, asked.campaign) if asked.campaign else None
        source = asked.source.strip().lower() if asked.source and asked.source.strip() else None
        # the key's workspace as a manager sees it; viewer 0 is nobody, and workspace reach never reads it
        scope = Scope(0, "workspace", owner_id, campaign_id, source)
        figures = compute(
            session, workspace_id=key.workspace_id, period=period, scope=scope, now=now, providers=providers
        )
        return figures_json(figures)
