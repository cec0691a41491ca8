"""Every `stats` figure for one workspace, period, scope and moment, as one typed ``Figures`` (SPEC §3 stats and
its Definitions). The chat answer, the weekly report, the JSON of `GET /api/v1/stats` and the dashboard all read
this; the SQL lives in queries.py and standing.py, and only their few aggregate rows are added up here.

Figures other features own (intel's count, the pulse survey) come from ``Providers`` the composition root
passes in (bot/features.py:stats_providers): absent, intel shows ``—`` and the survey line is left out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from sqlalchemy import text
from sqlmodel import Session

from bot.admin.settings import all_settings
from bot.core.people import mentions
from bot.leads.feedback import LOSS_REASONS
from bot.leads.lifecycle import STAGES
from bot.stats import cells as lead_cells
from bot.stats import queries, standing
from bot.stats.cells import Cell
from bot.stats.periods import Period, Window
from bot.stats.queries import REJECTION_TAGS, Decisions, Spread
from bot.stats.scope import Scope
from bot.tools.service import ToolUsage, least_used, most_used

TOOLS_LISTED = 3


@dataclass(frozen=True, slots=True)
class Ratio:
    """A rate with what it is made of: ``75% — 3 of 4``; no data (``whole`` 0) is no rate, never 0%."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True, slots=True)
class Count:
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class Amount:
    name: str
    amount: float


@dataclass(frozen=True, slots=True)
class Quality:
    """Lead quality of a campaign or source (SPEC: the mean of each lead's score; the share of scored leads at
    2 or below)."""

    name: str
    scored: int
    score_sum: float
    low: int

    @property
    def average(self) -> float | None:
        return self.score_sum / self.scored if self.scored else None

    @property
    def low_share(self) -> Ratio:
        return Ratio(self.low, self.scored)


@dataclass(frozen=True, slots=True)
class SurveyScore:
    """The latest pulse survey (SPEC §4): averages and counts only, never names."""

    quarter: str
    average: float | None
    responses: int
    asked: int


class IntelCount(Protocol):
    def __call__(self, session: Session, workspace_id: int, start: datetime, end: datetime) -> int: ...


class LatestSurvey(Protocol):
    def __call__(self, session: Session, workspace_id: int, now: datetime) -> SurveyScore | None: ...


@dataclass(frozen=True)
class Providers:
    """Figures other features compute, plugged in by the composition root; None until that feature exists."""

    intel_count: IntelCount | None = None
    survey: LatestSurvey | None = None


@dataclass(frozen=True, slots=True)
class Tally:
    """The figures of one window, for the leads created in it (acceptance and rejections: the decisions made
    in it)."""

    window: Window
    leads: int
    by_source: tuple[Count, ...]
    handoffs: int
    handoffs_line: tuple[int, ...]  # hand-offs per point of Period.buckets()
    acceptance: Ratio
    hours_to_accept: Spread
    hours_to_first_touch: Spread
    quality: Quality
    quality_by_campaign: tuple[Quality, ...]
    quality_by_source: tuple[Quality, ...]
    funnel: tuple[int, ...]  # leads that reached each of the seven stages (or a later one)
    win_rate: Ratio
    loss_reasons: tuple[Count, ...]
    rejections: int
    rejection_reasons: tuple[Count, ...]
    won_amount: float
    won_by_source: tuple[Amount, ...]
    won_by_campaign: tuple[Amount, ...]
    intel_count: int | None = None


@dataclass(frozen=True, slots=True)
class Breach:
    owner_id: int
    owner: str
    count: int


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything `stats` says, for ``period`` as ``scope`` sees it, at ``now``."""

    workspace_id: int
    period: Period
    scope: Scope
    now: datetime
    current: Tally
    previous: Tally
    sla_breaches: tuple[Breach, ...] = ()
    campaigns: tuple[standing.Progress, ...] = ()
    tools_most_used: tuple[ToolUsage, ...] = ()
    tools_least_used: tuple[ToolUsage, ...] = ()
    survey: SurveyScore | None = None
    filters: tuple[str, ...] = field(default=())  # what the figures were narrowed to, in words

    @property
    def sla_breaching(self) -> int:
        return sum(b.count for b in self.sla_breaches)


def compute(
    session: Session,
    *,
    workspace_id: int,
    period: Period,
    scope: Scope,
    now: datetime,
    providers: Providers | None = None,
    filters: tuple[str, ...] = (),
    settings: Mapping[str, str] | None = None,
) -> Figures:
    """Every figure of ``period`` and of the period it is compared with, in a fixed handful of statements."""
    if session.get_bind().dialect.name == "postgresql":
        # JIT compiles these aggregates for longer than they run (1.3 s against 0.2 s at a million leads), and
        # the default work_mem spills their sorts to disk; both for this transaction only
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL work_mem = '64MB'"))
    cells = lead_cells.cells(session, workspace_id, period, scope)
    lost = lead_cells.losses(session, workspace_id, period, scope)
    rejected, why = queries.rejections(session, workspace_id, period, scope)
    decided = queries.decisions(session, workspace_id, period, scope)
    timed = {
        current: (
            sum(c.timed_accept for c in cells if c.current == current),
            sum(c.timed_touch for c in cells if c.current == current),
        )
        for current in (True, False)
    }
    hours = queries.timing(session, workspace_id, period, scope, timed)
    campaign_ids = {c.campaign_id for c in cells if c.campaign_id is not None}
    progress = standing.progress(
        session, workspace_id, scope, first_day=period.current.first, stop=period.current.stop, seen=campaign_ids
    )
    names = {p.campaign_id: p.name for p in progress}
    names.update(standing.campaign_names(session, workspace_id, campaign_ids - set(names)))
    points = len(period.buckets())
    tallies = {
        current: _tally(
            period.current if current else period.previous,
            [c for c in cells if c.current == current],
            decided[current],
            hours[current],
            names,
            points,
        )
        for current in (True, False)
    }
    tallies[True] = replace(
        tallies[True],
        loss_reasons=_reasons((*LOSS_REASONS, "other"), lost),
        rejections=rejected,
        rejection_reasons=_reasons((*REJECTION_TAGS, "other"), why),
    )
    providers = providers or Providers()
    if providers.intel_count is not None:
        for current in (True, False):
            window = period.current if current else period.previous
            tallies[current] = _with_intel(
                tallies[current], providers.intel_count(session, workspace_id, window.start, window.stop)
            )
    rows = standing.breaches(session, workspace_id, scope, settings or all_settings(session, workspace_id), now)
    if not scope.sees_names:
        rows = [row for row in rows if row.owner_id == scope.viewer_id]
    owners = mentions(session, workspace_id, (row.owner_id for row in rows))
    most, least = _tools(session, workspace_id, period)
    return Figures(
        workspace_id=workspace_id,
        period=period,
        scope=scope,
        now=now,
        current=tallies[True],
        previous=tallies[False],
        sla_breaches=tuple(
            Breach(row.owner_id, owners[row.owner_id].name if row.owner_id in owners else "someone", row.count)
            for row in rows
        ),
        campaigns=tuple(progress),
        tools_most_used=tuple(most),
        tools_least_used=tuple(least),
        survey=providers.survey(session, workspace_id, now) if providers.survey is not None else None,
        filters=filters,
    )


def _tools(session: Session, workspace_id: int, period: Period) -> tuple[list[ToolUsage], list[ToolUsage]]:
    """The most opened tools of the period, and the least opened ones the first list does not already show."""
    most = most_used(session, workspace_id, period.current.start, TOOLS_LISTED, until=period.current.stop)
    tail = least_used(session, workspace_id, period.current.start, TOOLS_LISTED * 2, until=period.current.stop)
    shown = {tool.tool_id for tool in most}
    return most, [tool for tool in tail if tool.tool_id not in shown][:TOOLS_LISTED]


def _with_intel(tally: Tally, count: int) -> Tally:
    return replace(tally, intel_count=count)


def _tally(
    window: Window,
    cells: list[Cell],
    decided: Decisions,
    hours: tuple[Spread, Spread],
    names: Mapping[int, str],
    points: int,
) -> Tally:
    """Add up one window's cells: a few hundred aggregate rows, never the leads themselves. Its loss and
    rejection reasons are the service's to fill in (the current window's only)."""
    by_source: dict[str, int] = defaultdict(int)
    line = [0] * points
    quality_source: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    quality_campaign: dict[int, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    won_source: dict[str, float] = defaultdict(float)
    won_campaign: dict[int, float] = defaultdict(float)
    funnel = [0] * len(STAGES)
    leads = handoffs = won = lost = 0
    won_amount = 0.0
    for cell in cells:
        leads += cell.leads
        handoffs += cell.leads - cell.own
        by_source[cell.source] += cell.leads
        if 0 <= cell.point < points:
            line[cell.point] += cell.leads - cell.own
        _add_quality(quality_source[cell.source], cell)
        if cell.campaign_id is not None:
            _add_quality(quality_campaign[cell.campaign_id], cell)
        if cell.status == "won":
            won += cell.leads
            won_amount += cell.amount
            if cell.amount:
                won_source[cell.source] += cell.amount
                if cell.campaign_id is not None:
                    won_campaign[cell.campaign_id] += cell.amount
        elif cell.status == "lost":
            lost += cell.leads
        for stage in range(min(cell.reached, len(STAGES))):
            funnel[stage] += cell.leads  # reached stage n: it reached every stage before it too
    quality = [0, 0.0, 0]
    for total in quality_source.values():
        quality = [quality[0] + total[0], quality[1] + total[1], quality[2] + total[2]]
    accept, touch = hours
    return Tally(
        window=window,
        leads=leads,
        by_source=_counts(by_source.items()),
        handoffs=handoffs,
        handoffs_line=tuple(line),
        acceptance=Ratio(decided.accepted, decided.accepted + decided.rejected),
        hours_to_accept=accept,
        hours_to_first_touch=touch,
        quality=_quality("all", quality),
        quality_by_campaign=_qualities((names.get(cid, f"C-{cid}"), q) for cid, q in quality_campaign.items()),
        quality_by_source=_qualities(quality_source.items()),
        funnel=tuple(funnel),
        win_rate=Ratio(won, won + lost),
        loss_reasons=(),
        rejections=0,
        rejection_reasons=(),
        won_amount=won_amount,
        won_by_source=_amounts(won_source.items()),
        won_by_campaign=_amounts((names.get(cid, f"C-{cid}"), amount) for cid, amount in won_campaign.items()),
    )


def _add_quality(total: list[float], cell: Cell) -> None:
    total[0] += cell.scored
    total[1] += cell.score_sum
    total[2] += cell.low


def _quality(name: str, total: list[float]) -> Quality:
    return Quality(name, int(total[0]), float(total[1]), int(total[2]))


def _qualities(items: Iterable[tuple[str, list[float]]]) -> tuple[Quality, ...]:
    """Scored ones only, the most scored first."""
    found = [_quality(name, total) for name, total in items if total[0]]
    return tuple(sorted(found, key=lambda q: (-q.scored, q.name)))


def _counts(items: Iterable[tuple[str, int]]) -> tuple[Count, ...]:
    return tuple(sorted((Count(name, n) for name, n in items if n), key=lambda c: (-c.count, c.name)))


def _amounts(items: Iterable[tuple[str, float]]) -> tuple[Amount, ...]:
    return tuple(sorted((Amount(name, a) for name, a in items if a), key=lambda a: (-a.amount, a.name)))


def _reasons(names: tuple[str, ...], counts: Iterable[int]) -> tuple[Count, ...]:
    """Recognised reasons most named first, and the ones naming none of them (``other``) last."""
    found = [Count(name, n) for name, n in zip(names, counts, strict=True) if n]
    named = sorted((c for c in found if c.name != "other"), key=lambda c: (-c.count, names.index(c.name)))
    return tuple(named + [c for c in found if c.name == "other"])
