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
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlmodel import Session

from bot.admin.settings import all_settings
from bot.leads.feedback import LOSS_REASONS, QUALITY_TAGS, split_tags
from bot.leads.lists import Wanted, page
from bot.meetings.notes import open_items
from bot.meetings.times import Quarter, reviewed_quarter
from storage.models import OPEN_STATUSES, Campaign, Feedback, Lead, LeadEvent, Meeting, Member

log = logging.getLogger("tandem.meetings")
TOP = 3
MAX_CAMPAIGNS = 8
READ_AT_MOST = 1000  # reasons read per quarter: far more than a quarter holds, and a bound all the same
_LEAD = Lead.__table__  # type: ignore[attr-defined]
_EVENT = LeadEvent.__table__  # type: ignore[attr-defined]
_FEEDBACK = Feedback.__table__  # type: ignore[attr-defined]
_CAMPAIGN = Campaign.__table__  # type: ignore[attr-defined]
_MEMBER = Member.__table__  # type: ignore[attr-defined]
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
    """Everything the agenda says, in eight queries whatever the workspace's size."""
    rejected, reasons, latest = _rejections(session, workspace_id, period)
    lost, losses = _losses(session, workspace_id, period)
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
        breaching=_breaching(session, workspace_id, now, settings),
        campaigns=_campaigns(session, workspace_id, period),
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
    meetings = Meeting.__table__  # type: ignore[attr-defined]
    last = session.scalars(
        select(Meeting)
        .where(meetings.c.workspace_id == workspace_id, meetings.c.status == "done", meetings.c.starts_at < starts_at)
        .order_by(meetings.c.starts_at.desc())
        .limit(1)
    ).first()
    period = Period(reviewed_quarter(starts_at, zone), zone)
    held = (last.notes, last.starts_at) if last is not None else (None, None)
    return gather(session, workspace_id, period, now, all_settings(session, workspace_id), extras, last_notes=held)


def _quality(session: Session, workspace_id: int, period: Period) -> tuple[MonthQuality, ...]:
    """Average score per month of the quarter, in one pass over the quarter's feedback."""
    months = period.quarter.months(period.zone)
    columns: list[Any] = []
    for _label, start, end in months:
        inside = and_(_FEEDBACK.c.created_at >= start, _FEEDBACK.c.created_at < end)
        columns += [func.avg(case((inside, _FEEDBACK.c.score))), func.count(case((inside, 1)))]
    row = session.execute(
        select(*columns).where(
            _FEEDBACK.c.workspace_id == workspace_id,
            _FEEDBACK.c.created_at >= period.start,
            _FEEDBACK.c.created_at < period.end,
        )
    ).one()
    return tuple(
        MonthQuality(label, float(row[2 * i]) if row[2 * i] is not None else None, int(row[2 * i + 1] or 0))
        for i, (label, _start, _end) in enumerate(months)
    )


def _events(kind: str) -> Any:
    return (
        select(_EVENT.c.detail)
        .where(
            _EVENT.c.workspace_id == bindparam("workspace"),
            _EVENT.c.kind == kind,
            _EVENT.c.created_at >= bindparam("start"),
            _EVENT.c.created_at < bindparam("end"),
        )
        .order_by(_EVENT.c.created_at.desc())
        .limit(READ_AT_MOST)
    )


_REJECTIONS, _LOSSES = _events("reject"), _events("lost")


def _params(workspace_id: int, period: Period) -> dict[str, Any]:
    return {"workspace": workspace_id, "start": period.start, "end": period.end}


def _rejections(
    session: Session, workspace_id: int, period: Period
) -> tuple[int, tuple[tuple[str, int], ...], str | None]:
    """How many leads came back in the quarter, the quality tags their reasons name most, and the latest reason."""
    details = [d or "" for d in session.execute(_REJECTIONS, _params(workspace_id, period)).scalars()]
    counted: Counter[str] = Counter()
    for detail in details:
        text = detail.lower()
        for spoken, tag in _SPOKEN_TAGS.items():
            text = text.replace(spoken, tag)
        counted.update(split_tags(text.split(), QUALITY_TAGS)[0])
    return len(details), tuple(counted.most_common(TOP)), (details[0] or None) if details else None


def _losses(session: Session, workspace_id: int, period: Period) -> tuple[int, tuple[tuple[str, int], ...]]:
    """Deals lost in the quarter and their most named recognised reasons (as `lead lost` recognises them)."""
    details = [d or "" for d in session.execute(_LOSSES, _params(workspace_id, period)).scalars()]
    counted: Counter[str] = Counter()
    for detail in details:
        counted.update(split_tags(detail.split(), LOSS_REASONS)[0])
    return len(details), tuple(counted.most_common(TOP))


def _breaching(
    session: Session, workspace_id: int, now: datetime, settings: Mapping[str, str]
) -> tuple[tuple[str, int], ...]:
    """Open leads past an SLA at ``now`` (the rules of bot/leads/sla.py, as SQL), counted per owner."""
    accept = now - timedelta(hours=int(settings.get("accept_sla_hours", "4")))
    first_touch = now - timedelta(hours=int(settings.get("first_touch_sla_hours", "24")))
    stale = now - timedelta(days=int(settings.get("stale_after_days", "7")))
    late = or_(
        and_(_LEAD.c.status == "handed_off", func.coalesce(_LEAD.c.handed_off_at, _LEAD.c.created_at) < accept),
        and_(
            _LEAD.c.status == "accepted",
            _LEAD.c.first_touch_at.is_(None),
            func.coalesce(_LEAD.c.accepted_at, _LEAD.c.created_at) < first_touch,
        ),
        and_(_LEAD.c.status == "accepted", _LEAD.c.last_touch_at < stale),
    )
    rows = session.execute(
        select(_MEMBER.c.display_name, func.count())
        .select_from(_LEAD.join(_MEMBER, _MEMBER.c.id == _LEAD.c.owner_id))
        .where(
            _LEAD.c.workspace_id == workspace_id,
            _MEMBER.c.workspace_id == workspace_id,
            _LEAD.c.status.in_(OPEN_STATUSES),
            late,
        )
        .group_by(_MEMBER.c.display_name)
        .order_by(func.count().desc(), _MEMBER.c.display_name)
    ).all()
    return tuple((str(name), int(count)) for name, count in rows)


def _campaigns(session: Session, workspace_id: int, period: Period) -> tuple[CampaignResult, ...]:
    """Campaigns that ran during the quarter, with the leads they delivered and how many sales accepted."""
    accepted = func.count(case((_LEAD.c.accepted_at.is_not(None), 1)))
    rows = session.execute(
        select(_CAMPAIGN.c.name, _CAMPAIGN.c.target, _CAMPAIGN.c.status, func.count(_LEAD.c.id), accepted)
        .select_from(
            _CAMPAIGN.outerjoin(
                _LEAD, and_(_LEAD.c.campaign_id == _CAMPAIGN.c.id, _LEAD.c.workspace_id == _CAMPAIGN.c.workspace_id)
            )
        )
        .where(
            _CAMPAIGN.c.workspace_id == workspace_id,
            _CAMPAIGN.c.created_at < period.end,
            or_(_CAMPAIGN.c.status == "active", _CAMPAIGN.c.ends_on >= period.start.astimezone(period.zone).date()),
        )
        .group_by(_CAMPAIGN.c.id, _CAMPAIGN.c.name, _CAMPAIGN.c.target, _CAMPAIGN.c.status)
        .order_by(_CAMPAIGN.c.id.desc())
        .limit(MAX_CAMPAIGNS)
    ).all()
    return tuple(
        CampaignResult(str(name), target, int(delivered), int(ok), status == "active")
        for name, target, status, delivered, ok in rows
    )


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
