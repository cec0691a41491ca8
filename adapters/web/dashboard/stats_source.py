"""The stats service as the dashboard's figures: `stats`' own periods, scope and figures (bot/stats/service.py),
turned into the API's JSON by ``figures_json``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from adapters.web.dashboard.figures import Figured, FiguresSource
from bot.core.people import MemberRow
from bot.stats.dashboard_filters import Chosen
from bot.stats.json import figures_json
from bot.stats.periods import local_today, parse_period
from bot.stats.scope import Scope, reach_of
from bot.stats.service import Providers, compute


def stats_figures(providers: Providers | None = None) -> FiguresSource:
    """The stats service as the dashboard's source: `stats`' own periods, scope and figures, turned into the
    API's JSON — the current period's, and the previous period's for the comparisons (without the SLA
    breaches, which are "now" in both)."""
    plugged = providers or Providers()

    def read(
        session: Session,
        *,
        workspace_id: int,
        viewer: MemberRow,
        period: str,
        chosen: Chosen,
        now: datetime,
        settings: Mapping[str, str],
    ) -> Figured:
        zone = settings["timezone"]
        parsed = parse_period(period, today=local_today(now, zone), zone=zone)
        scope = Scope(
            viewer.id,
            reach_of(viewer.role),
            owner_id=chosen.owner_id,
            campaign_id=chosen.campaign_id,
            source=chosen.source,
        )
        figures = compute(
            session,
            workspace_id=workspace_id,
            period=parsed,
            scope=scope,
            now=now,
            providers=plugged,
            settings=settings,
        )
        previous = figures_json(replace(figures, current=figures.previous))
        previous.pop("sla_breaches", None)
        return Figured(
            figures=figures_json(figures),
            previous=previous,
            compared=parsed.compared,
            title=parsed.title,
            span=parsed.span,
            start=parsed.current.start,
            stop=parsed.current.stop,
        )

    return read
