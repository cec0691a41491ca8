"""The facts a meeting's agenda is built from (SPEC §3 meeting): the quarter's lead-quality trend, why leads came
back and deals were lost, campaigns against their targets, the leads that need work now, the last meeting's open
items — each one bounded, indexed SQL aggregate — and, from other features, the quarter's intel and pulse-survey
score. Those arrive through ``AgendaExtras`` hooks the composition root passes in (``bot/features.py``), so this
package imports neither; a part without a hook is left out of the agenda, never shown as zero."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.admin.settings import all_settings
from bot.core.quarters import Quarter
from bot.leads.feedback import LOSS_REASONS, QUALITY_TAGS, split_tags
from bot.leads.lists import Wanted, page
from bot.meetings import agenda_queries as queries
from bot.meetings.notes import open_items
from bot.meetings.times import reviewed_quarter

log = logging.getLogger("tandem.meetings")
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
    """A hook the composition root registers (intel's and the survey's figures for the quarter)."""

    def __call__(self, session: Session, workspace_id: int, period: Period) -> Extra: ...


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


def gather(
    session: Session,
    workspace_id: int,
    period: Period,
    now: datetime,
    settings: Mapping[str, str],
    extras: Sequence[AgendaExtras] = (),
    *,
    last_notes: tuple[str | None, datetime | None] = (None, None),
) -> AgendaFacts:
    """Everything the agenda says, in seven queries whatever the workspace's size (bot/meetings/agenda_queries.py)."""
    rejected, reasons, latest = _rejections(queries.reasons(session, workspace_id, "reject", period.start, period.end))
    lost, losses = _losses(queries.reasons(session, workspace_id, "lost", period.start, period.end))
    notes, held = last_notes
    return AgendaFacts(
        period=period,
        quality=_quality(session, workspace_id, period),
        rejected=rejected,
        rejection_reasons=reasons,
        latest_rejection=latest,
        lost=lost,
        loss_reasons=losses,
        unworked=page(session, workspace_id, Wanted("unworked", actor_id=0), 0)[0],
        breaching=queries.breaching(session, workspace_id, now, settings),
        campaigns=tuple(
            CampaignResult(name, target, delivered, accepted, active)
            for name, target, delivered, accepted, active in queries.campaigns(
                session, workspace_id, period.end, period.start.astimezone(period.zone).date(), MAX_CAMPAIGNS
            )
        ),
        open_items=tuple(open_items(notes)),
        last_meeting=held,
        extra=_extras(session, workspace_id, period, extras),
    )


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
    last = queries.last_held(session, workspace_id, starts_at)
    period = Period(reviewed_quarter(starts_at, zone), zone)
    held = (last.notes, last.starts_at) if last is not None else (None, None)
    return gather(session, workspace_id, period, now, all_settings(session, workspace_id), extras, last_notes=held)


def _quality(session: Session, workspace_id: int, period: Period) -> tuple[MonthQuality, ...]:
    months = period.quarter.months(period.zone)
    found = queries.monthly_quality(session, workspace_id, [start for _label, start, _end in months] + [period.end])
    return tuple(
        MonthQuality(label, average, scored) for (label, _s, _e), (average, scored) in zip(months, found, strict=True)
    )


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


def _extras(session: Session, workspace_id: int, period: Period, extras: Sequence[AgendaExtras]) -> Extra:
    """The hooks' parts, the first that answers each. A hook runs in a savepoint: one that fails is logged and
    leaves its part out, and never costs the agenda or the reminder batch it is part of."""
    intel: Intel | None = None
    survey: Survey | None = None
    for hook in extras:
        try:
            with session.begin_nested():
                part = hook(session, workspace_id, period)
        except Exception:
            log.exception("agenda hook %s failed for workspace %s", getattr(hook, "__name__", hook), workspace_id)
            continue
        intel = intel or part.intel
        survey = survey or part.survey
    return Extra(intel=intel, survey=survey)
