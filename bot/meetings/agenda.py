"""The facts a meeting's agenda is built from (SPEC §3 meeting): the quarter's lead-quality trend, why leads came
back and deals were lost, campaigns against their targets, the leads that need work now, the last meeting's open
items — each one bounded, indexed SQL aggregate — and, from other features, the quarter's intel and pulse-survey
score. Those arrive through ``AgendaExtras`` hooks the composition root passes in (``bot/features.py``), so this
package imports neither; a part without a hook is left out of the agenda, never shown as zero."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.admin.settings import settings_of
from bot.core.quarters import Quarter
from bot.leads.feedback import LOSS_REASONS, QUALITY_TAGS, split_tags
from bot.leads.lists import unworked_counts
from bot.meetings import agenda_queries as queries
from bot.meetings.notes import open_items
from bot.meetings.times import reviewed_quarter

log = logging.getLogger("tandem.meetings")
K = TypeVar("K")
TOP = 3
MAX_CAMPAIGNS = 8
# Rejections are written as sentences; these spellings count as the quality tag they mean.
_SPOKEN_TAGS = {tag.replace("-", " "): tag for tag in QUALITY_TAGS if "-" in tag}


@dataclass(frozen=True)
class Period:
    """What the agenda reviews: a calendar quarter in the workspace's zone, and its months."""

    quarter: Quarter
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return self.quarter.start(self.zone)

    @property
    def end(self) -> datetime:
        return self.quarter.end(self.zone)

    @property
    def label(self) -> str:
        return self.quarter.label


@dataclass(frozen=True)
class Intel:
    notes: int
    competitors: tuple[tuple[str, int], ...] = ()  # the most mentioned, with their note counts


@dataclass(frozen=True)
class Survey:
    quarter: str
    average: float | None
    responses: int
    asked: int
    comments: tuple[str, ...] = ()  # without their authors


@dataclass(frozen=True)
class Extra:
    """What a feature outside this package adds to the agenda; None: it has nothing to say."""

    intel: Intel | None = None
    survey: Survey | None = None


class AgendaExtras(Protocol):
    """A hook the composition root registers (intel's and the survey's figures for the quarter), asked once for
    all the workspaces of a batch that review the same period; a workspace it has nothing for is left out."""

    def __call__(self, session: Session, workspace_ids: Sequence[int], period: Period) -> Mapping[int, Extra]: ...


@dataclass(frozen=True)
class MonthQuality:
    month: str
    average: float | None
    scored: int


@dataclass(frozen=True)
class CampaignResult:
    name: str
    target: int | None
    delivered: int
    accepted: int
    active: bool


@dataclass(frozen=True)
class AgendaFacts:
    period: Period
    quality: tuple[MonthQuality, ...]
    rejected: int
    rejection_reasons: tuple[tuple[str, int], ...]
    latest_rejection: str | None
    lost: int
    loss_reasons: tuple[tuple[str, int], ...]
    unworked: int
    breaching: tuple[tuple[str, int], ...]  # owners' names and their leads past an SLA now
    campaigns: tuple[CampaignResult, ...]
    open_items: tuple[str, ...]
    last_meeting: datetime | None  # when the meeting whose open items these are took place
    extra: Extra = field(default_factory=Extra)

    @property
    def breaching_total(self) -> int:
        return sum(count for _, count in self.breaching)


@dataclass(frozen=True)
class Wanted:
    """An agenda to build: the workspace's meeting starting at ``starts_at``, in the meeting's zone."""

    workspace_id: int
    starts_at: datetime
    zone: ZoneInfo

    @cached_property
    def period(self) -> Period:
        return Period(reviewed_quarter(self.starts_at, self.zone), self.zone)


def for_meeting(
    session: Session,
    workspace_id: int,
    starts_at: datetime,
    zone: ZoneInfo,
    now: datetime,
    extras: Sequence[AgendaExtras] = (),
) -> AgendaFacts:
    """The agenda of a meeting starting at ``starts_at``: the quarter it reviews, and the open items of the last
    meeting held before it."""
    return for_meetings(session, [Wanted(workspace_id, starts_at, zone)], now, extras)[0]


def for_meetings(
    session: Session, wanted: Sequence[Wanted], now: datetime, extras: Sequence[AgendaExtras] = ()
) -> list[AgendaFacts]:
    """The agendas of a batch of meetings, in the order given. Each part is one statement for all the workspaces
    that share what it depends on — the reviewed period, the SLA settings, the meeting's start — so a thousand
    agendas starting in the same minute (one zone, default settings) cost a dozen statements, not thousands."""
    workspaces = sorted({w.workspace_id for w in wanted})
    settings = settings_of(session, workspaces)
    unworked = unworked_counts(session, workspaces)
    held: dict[tuple[int, datetime], tuple[str | None, datetime]] = {}
    for starts_at, ids in _grouped(wanted, lambda w: w.starts_at).items():
        held.update(((w, starts_at), last) for w, last in queries.last_held(session, ids, starts_at).items())
    breaching: dict[int, tuple[tuple[str, int], ...]] = {}
    for hours, ids in _grouped(wanted, lambda w: queries.sla_hours(settings[w.workspace_id])).items():
        breaching.update(queries.breaching(session, ids, now, hours))
    reviewed = {period: _reviewed(session, ids, period, extras) for period, ids in _grouped(wanted, _period).items()}
    agendas = []
    for w in wanted:
        part = reviewed[w.period]
        rejected, reasons, latest = _rejections(part.rejections.get(w.workspace_id, []))
        lost, losses = _losses(part.losses.get(w.workspace_id, []))
        notes, last_meeting = held.get((w.workspace_id, w.starts_at), (None, None))
        agendas.append(
            AgendaFacts(
                period=w.period,
                quality=part.quality(w.workspace_id),
                rejected=rejected,
                rejection_reasons=reasons,
                latest_rejection=latest,
                lost=lost,
                loss_reasons=losses,
                unworked=unworked.get(w.workspace_id, 0),
                breaching=breaching.get(w.workspace_id, ()),
                campaigns=tuple(CampaignResult(*row) for row in part.campaigns.get(w.workspace_id, [])),
                open_items=tuple(open_items(notes)),
                last_meeting=last_meeting,
                extra=part.extras.get(w.workspace_id, Extra()),
            )
        )
    return agendas


@dataclass(frozen=True)
class _Reviewed:
    """What the workspaces reviewing one period were found to hold, per workspace (absent: nothing)."""

    months: tuple[str, ...]
    ratings: Mapping[int, list[tuple[float | None, int]]]
    rejections: Mapping[int, list[str]]
    losses: Mapping[int, list[str]]
    campaigns: Mapping[int, list[tuple[str, int | None, int, int, bool]]]
    extras: Mapping[int, Extra]

    def quality(self, workspace_id: int) -> tuple[MonthQuality, ...]:
        found = self.ratings.get(workspace_id, [(None, 0)] * len(self.months))
        months = zip(self.months, found, strict=True)
        return tuple(MonthQuality(label, average, scored) for label, (average, scored) in months)


def _reviewed(session: Session, ids: list[int], period: Period, extras: Sequence[AgendaExtras]) -> _Reviewed:
    months = period.quarter.months(period.zone)
    first_day = period.start.astimezone(period.zone).date()
    return _Reviewed(
        months=tuple(label for label, _start, _end in months),
        ratings=queries.monthly_quality(session, ids, [start for _label, start, _end in months] + [period.end]),
        rejections=queries.reasons(session, ids, "reject", period.start, period.end),
        losses=queries.reasons(session, ids, "lost", period.start, period.end),
        campaigns=queries.campaigns(session, ids, period.end, first_day, MAX_CAMPAIGNS),
        extras=_extras(session, ids, period, extras),
    )


def _period(wanted: Wanted) -> Period:
    return wanted.period


def _grouped(wanted: Sequence[Wanted], key: Callable[[Wanted], K]) -> dict[K, list[int]]:
    """The batch's workspaces, by what a query depends on besides them."""
    groups: dict[K, dict[int, None]] = {}
    for w in wanted:
        groups.setdefault(key(w), {})[w.workspace_id] = None
    return {found: list(ids) for found, ids in groups.items()}


def _rejections(details: list[str]) -> tuple[int, tuple[tuple[str, int], ...], str | None]:
    """How many leads came back, the quality tags their reasons name most, and the latest reason."""
    counted: Counter[str] = Counter()
    for detail in details:
        text = detail.lower()
        for spoken, tag in _SPOKEN_TAGS.items():
            text = text.replace(spoken, tag)
        counted.update(split_tags(text.split(), QUALITY_TAGS)[0])
    return len(details), tuple(counted.most_common(TOP)), (details[0] or None) if details else None


def _losses(details: list[str]) -> tuple[int, tuple[tuple[str, int], ...]]:
    """Deals lost and their most named recognised reasons (as `lead lost` recognises them)."""
    counted: Counter[str] = Counter()
    for detail in details:
        counted.update(split_tags(detail.split(), LOSS_REASONS)[0])
    return len(details), tuple(counted.most_common(TOP))


def _extras(session: Session, ids: list[int], period: Period, extras: Sequence[AgendaExtras]) -> dict[int, Extra]:
    """The hooks' parts, the first that answers each. A hook runs in a savepoint: one that fails is logged and
    leaves its part out, and never costs the agendas or the reminder batch they are part of."""
    found: dict[int, Extra] = {}
    for hook in extras:
        try:
            with session.begin_nested():
                parts = hook(session, ids, period)
        except Exception:
            log.exception("agenda hook %s failed for %d workspaces", getattr(hook, "__name__", hook), len(ids))
            continue
        for workspace_id, part in parts.items():
            had = found.get(workspace_id, Extra())
            found[workspace_id] = Extra(intel=had.intel or part.intel, survey=had.survey or part.survey)
    return found
