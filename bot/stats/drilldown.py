"""The dashboard's drill-down tables (SPEC §3 stats, "leads breaching SLA now" and "average quality … by
campaign" behind the figures): which leads they are. Every query is scoped by workspace, narrowed by the page's
filters, bounded by ``limit`` and served by an index on ``lead``; the counts say how many more there are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Float, Table, bindparam, func, literal, literal_column, select, union_all
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from storage.models import Campaign, Feedback, Lead, LeadEvent, Member
from storage.models.base import STALE_SQL, UNTOUCHED_SQL, WAITING_SQL

LOW_SCORE = 2  # SPEC §3: the share of scored leads at ≤ 2
_LEAD: Table = Lead.__table__  # type: ignore[attr-defined]
_MEMBER: Table = Member.__table__  # type: ignore[attr-defined]
_CAMPAIGN: Table = Campaign.__table__  # type: ignore[attr-defined]
_FEEDBACK: Table = Feedback.__table__  # type: ignore[attr-defined]
_EVENT: Table = LeadEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Narrowing:
    """The leads of a workspace a drill-down looks at: the page's filters, when given."""

    workspace_id: int
    owner_id: int | None = None
    campaign_id: int | None = None
    source: str | None = None

    def terms(self) -> list[ColumnElement[bool]]:
        terms = [_LEAD.c.workspace_id == self.workspace_id]
        if self.owner_id is not None:
            terms.append(_LEAD.c.owner_id == self.owner_id)
        if self.campaign_id is not None:
            terms.append(_LEAD.c.campaign_id == self.campaign_id)
        if self.source is not None:
            terms.append(_LEAD.c.source == self.source)
        return terms


@dataclass(frozen=True, slots=True)
class Breach:
    """An open lead past its service level now: ``waiting`` says for what, ``late`` by how much."""

    number: int
    company: str
    owner: str | None
    waiting: str  # "acceptance" | "first touch" | "a follow-up"
    due_at: datetime
    late: timedelta


@dataclass(frozen=True, slots=True)
class Breaches:
    """The breaching leads shown, and how many breach in all (the stats figure)."""

    rows: tuple[Breach, ...]
    total: int


@dataclass(frozen=True, slots=True)
class LowLead:
    """A lead scored ≤ 2 on average, with what sales said about it: tags, reasons and any rejection."""

    campaign: str | None
    number: int
    company: str
    source: str
    score: float
    ratings: int
    tags: tuple[str, ...]
    reasons: tuple[str, ...]
    rejection: str | None


@dataclass(frozen=True, slots=True)
class LowLeads:
    rows: tuple[LowLead, ...]
    total: int


# Each way an open lead breaches — the rule of bot/leads/sla.py, as the stats figure counts it — with its clock,
# the condition (spelled out, so each planner takes the partial index made for it: ix_lead_sla_waiting,
# ix_lead_sla_untouched, ix_lead_sla_stale) and the setting that makes the clock a deadline. Read in its index's
# order, each stops at ``limit`` rows however many leads breach.
_HANDED = func.coalesce(_LEAD.c.handed_off_at, _LEAD.c.created_at)
_ACCEPTED = func.coalesce(_LEAD.c.accepted_at, _LEAD.c.created_at)
_BRANCHES: tuple[tuple[str, Any, str, str], ...] = (
    ("acceptance", _HANDED, WAITING_SQL, "accept_sla_hours"),
    ("first touch", _ACCEPTED, UNTOUCHED_SQL, "first_touch_sla_hours"),
    ("a follow-up", _LEAD.c.last_touch_at, STALE_SQL, "stale_after_days"),
)


def _allowance(settings: Mapping[str, str], key: str) -> timedelta:
    value = int(settings[key])
    return timedelta(days=value) if key == "stale_after_days" else timedelta(hours=value)


def sla_breaches(
    session: Session, narrowing: Narrowing, settings: Mapping[str, str], now: datetime, *, limit: int = 50
) -> tuple[Breach, ...]:
    """Open, owned leads past their SLA now (whenever they were created), the most overdue first: at most ``limit``
    from each way of breaching, merged. How many breach in all is the stats figure's count."""
    picks = []
    allowances = {}
    for waiting, clock, condition, key in _BRANCHES:
        allowances[waiting] = _allowance(settings, key)
        picks.append(
            select(
                literal(waiting).label("waiting"),
                clock.label("clock"),
                _LEAD.c.number,
                _LEAD.c.company,
                _MEMBER.c.display_name,
            )
            .select_from(_LEAD.outerjoin(_MEMBER, _MEMBER.c.id == _LEAD.c.owner_id))
            .where(
                *narrowing.terms(),
                literal_column(condition),
                clock <= now - allowances[waiting],
                _LEAD.c.owner_id.is_not(None),
            )
            .order_by(clock, _LEAD.c.id)
            .limit(limit)
            .subquery()
        )
    found = []
    for waiting, clock, number, company, owner in session.execute(union_all(*(select(*pick.c) for pick in picks))):
        due = _aware(clock) + allowances[waiting]
        found.append(Breach(number, company, owner, waiting, due, now - due))
    found.sort(key=lambda breach: (-breach.late, breach.number))
    return tuple(found[:limit])


def _aware(moment: datetime) -> datetime:
    """SQLite hands back ``coalesce(...)`` as naive UTC (the column type is lost in the expression)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def low_quality(
    session: Session, narrowing: Narrowing, start: datetime, stop: datetime, *, limit: int = 100
) -> LowLeads:
    """Leads created in ``[start, stop)`` whose score (the mean of their ratings) is ≤ 2, by campaign, the worst
    first, with their ratings' tags and reasons and the reason they were rejected, if they were."""
    # Ratings given since ``start`` (a lead is rated after it is created), read along ix_feedback_workspace_created
    # alone; then the leads of the period among them, counted in the same statement. Grouped by ``lead_id + 0``:
    # grouped by the bare column, SQLite reads every rating of the workspace in (lead_id, member_id) order instead.
    grouped = _FEEDBACK.c.lead_id + literal_column("0")
    scores = (
        select(
            grouped.label("lead_id"),
            func.avg(_FEEDBACK.c.score, type_=Float).label("score"),
            func.count().label("ratings"),
        )
        .where(_FEEDBACK.c.workspace_id == narrowing.workspace_id, _FEEDBACK.c.created_at >= start)
        .group_by(grouped)
        .having(func.avg(_FEEDBACK.c.score) <= LOW_SCORE)
        .subquery("scores")
    )
    campaign_name = _CAMPAIGN.c.name
    rows = session.execute(
        select(
            _LEAD.c.id,
            campaign_name,
            _LEAD.c.number,
            _LEAD.c.company,
            _LEAD.c.source,
            scores.c.score,
            scores.c.ratings,
            func.count().over().label("total"),
        )
        .select_from(
            scores.join(_LEAD, _LEAD.c.id == scores.c.lead_id).outerjoin(
                _CAMPAIGN, _CAMPAIGN.c.id == _LEAD.c.campaign_id
            )
        )
        .where(*narrowing.terms(), _LEAD.c.created_at >= start, _LEAD.c.created_at < stop)
        .order_by(campaign_name.is_(None), campaign_name, scores.c.score, _LEAD.c.number.desc())
        .limit(limit)
    ).all()
    total = rows[0][-1] if rows else 0
    ids = [row[0] for row in rows]
    said = _what_sales_said(session, narrowing.workspace_id, ids)
    rejected = _rejections(session, narrowing.workspace_id, ids)
    out = []
    for lead_id, campaign, number, company, source, score, ratings, _total in rows:
        tags, reasons = said.get(lead_id, ((), ()))
        out.append(
            LowLead(campaign, number, company, source, float(score), int(ratings), tags, reasons, rejected.get(lead_id))
        )
    return LowLeads(tuple(out), int(total))


_SAID = select(_FEEDBACK.c.lead_id, _FEEDBACK.c.tags, _FEEDBACK.c.reason).where(
    _FEEDBACK.c.workspace_id == bindparam("workspace"), _FEEDBACK.c.lead_id.in_(bindparam("ids", expanding=True))
)
_REJECTED = (
    select(_EVENT.c.lead_id, _EVENT.c.detail)
    .where(
        _EVENT.c.workspace_id == bindparam("workspace"),
        _EVENT.c.lead_id.in_(bindparam("ids", expanding=True)),
        _EVENT.c.kind == "reject",
    )
    .order_by(_EVENT.c.lead_id, _EVENT.c.id)
)


def _what_sales_said(
    session: Session, workspace_id: int, ids: list[int]
) -> dict[int, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each lead's feedback tags (each once, in order) and free-text reasons."""
    if not ids:
        return {}
    tags: dict[int, dict[str, None]] = {}
    reasons: dict[int, list[str]] = {}
    for lead_id, tag_text, reason in session.execute(_SAID, {"workspace": workspace_id, "ids": ids}):
        for tag in (tag_text or "").split(","):
            if tag:
                tags.setdefault(lead_id, {})[tag] = None
        if reason:
            reasons.setdefault(lead_id, []).append(reason)
    return {
        lead_id: (tuple(tags.get(lead_id, {})), tuple(reasons.get(lead_id, ()))) for lead_id in set(tags) | set(reasons)
    }


def _rejections(session: Session, workspace_id: int, ids: list[int]) -> dict[int, str]:
    """The latest reason each lead was rejected with (a lead reassigned after a rejection keeps it)."""
    if not ids:
        return {}
    return {
        lead_id: detail
        for lead_id, detail in session.execute(_REJECTED, {"workspace": workspace_id, "ids": ids})
        if detail
    }
