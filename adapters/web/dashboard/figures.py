"""Where the dashboard's figures come from: the stats JSON (SPEC §5, the same `GET /api/v1/stats` answers) for
the period and filters, with the previous period's for the ▲/▼ comparisons. The composition root plugs in
the stats service; the page only reads the JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from bot.core.people import MemberRow
from bot.stats.dashboard_filters import Chosen


@dataclass(frozen=True, slots=True)
class Figured:
    figures: Mapping[str, Any]  # SPEC §5's JSON
    previous: Mapping[str, Any] | None  # the same for the period compared with, when there is one
    compared: str  # "the 30 days before"
    title: str  # "Last 30 days"
    span: str  # "2 Nov – 1 Dec 2026"
    start: datetime  # the period's first and end instants, for the drill-downs
    stop: datetime


class FiguresSource(Protocol):
    """The figures of ``period`` (a `stats` period form) narrowed to ``chosen``, as ``viewer`` may see them;
    UsageError naming the problem for a period it cannot read."""

    def __call__(
        self,
        session: Session,
        *,
        workspace_id: int,
        viewer: MemberRow,
        period: str,
        chosen: Chosen,
        now: datetime,
        settings: Mapping[str, str],
    ) -> Figured: ...


class SurveyTrend(Protocol):
    """The pulse survey's average by quarter, oldest first (``("2026-Q3", 3.8)``) — for the survey feature's
    ``bot/survey/service.py::trend`` to plug in through the composition root. Not plugged in, the dashboard
    leaves its "pulse by quarter" section out."""

    def __call__(self, session: Session, workspace_id: int, now: datetime) -> Sequence[tuple[str, float | None]]: ...
