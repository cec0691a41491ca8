"""The period figures as SQL aggregates (SPEC §3 stats, Definitions): one scan of the leads created in the
current and the previous window, grouped into small cells (window × line point × source × campaign) that the
service adds up; the first decisions and the rejections from the trail; the median and p90 hours. Each statement
reads the rows of the two windows through an index on the time, so its cost follows the leads in the period,
not the table. Statements are built once per database and scope shape; the values are bound."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, Table, and_, bindparam, case, func, literal, select
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.expression import Select
from sqlmodel import Session

from bot.leads.feedback import LOSS_REASONS, QUALITY_TAGS
from bot.stats import sql
from bot.stats.periods import Period, midnight
from bot.stats.scope import Scope, lead_filter
from storage.models import Feedback, Lead, LeadEvent
from storage.types import UTCDateTime

_LEAD: Table = Lead.__table__  # type: ignore[attr-defined]
_EVENT: Table = LeadEvent.__table__  # type: ignore[attr-defined]
_FEEDBACK: Table = Feedback.__table__  # type: ignore[attr-defined]
STAGE_COUNT = 7
REJECTION_TAGS = tuple(tag for tag in QUALITY_TAGS if tag != "great-fit")
DECISIONS = ("accept", "reject")
# A `lead add` is a lead but no hand-off (SPEC §3): the one way a lead is logged rather than handed over.
OWN_LEAD_KIND = "add"


def _moment(name: str) -> Any:
    return bindparam(name, type_=UTCDateTime())


@dataclass(frozen=True, slots=True)
class Cell:
    """The leads of one window (``current``), line point, source and campaign, added up."""

    current: bool
    point: int
    source: str
    campaign_id: int | None
    leads: int
    handoffs: int
    won: int
    lost: int
    won_amount: float
    scored: int
    score_sum: float
    low: int
    reached: tuple[int, ...]  # leads that reached stage 1 … 7 (or a later one)
    losses: tuple[int, ...]  # lost leads per LOSS_REASONS, then those with none of them ("other")


def _windows(period: Period) -> dict[str, Any]:
    return {
        "since": period.previous.start,
        "start": period.current.start,
        "stop": period.current.stop,
    }


def _point(created: Any, points: int, prefix: str) -> ColumnElement[int]:
    """Which of the line's ``points`` a lead falls on: its bucket's index (the boundaries between buckets are
    bound as ``:<prefix>1`` … ``:<prefix><points - 1>``)."""
    if points <= 1:
        return literal(0, Integer)
    return case(*[(created < _moment(f"{prefix}{n}"), n - 1) for n in range(1, points)], else_=points - 1)


def _point_params(period: Period) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for prefix, cut in (("c", period.buckets()), ("p", period.previous_buckets())):
        for n, bucket in enumerate(cut[1:], start=1):
            out[f"{prefix}{n}"] = midnight(bucket.first, period.zone)
    # the previous window may have fewer points than the current one (a shorter quarter): pad with its end
    for n in range(len(period.previous_buckets()), len(period.buckets())):
        out.setdefault(f"p{n}", period.previous.stop)
    return out


def _own_leads() -> Any:
    """Leads logged with `lead add` since ``:since`` (grouped, so the planner materialises it once)."""
    return (
        select(_EVENT.c.lead_id)
        .where(
            _EVENT.c.workspace_id == bindparam("workspace"),
            _EVENT.c.kind == OWN_LEAD_KIND,
            _EVENT.c.created_at >= _moment("since"),
        )
        .group_by(_EVENT.c.lead_id)
        .with_hint(_EVENT, "INDEXED BY ix_lead_event_kind_created_lead", "sqlite")
        .subquery("own")
    )


def _lead_scores() -> Any:
    """Each lead's quality since ``:since``: the mean of its ratings (one per person)."""
    return (
        select(_FEEDBACK.c.lead_id, func.avg(_FEEDBACK.c.score, type_=Float).label("score"))
        .where(_FEEDBACK.c.workspace_id == bindparam("workspace"), _FEEDBACK.c.created_at >= _moment("since"))
        .group_by(_FEEDBACK.c.lead_id)
        .with_hint(_FEEDBACK, "INDEXED BY ix_feedback_workspace_created", "sqlite")
        .subquery("scores")
    )


def _stages(dialect: str) -> Any:
    """The furthest stage each lead was moved to since ``:since``, from the trail: a lead moved back, or reset by
    a reassignment, still reached the stage it had."""
    return (
        select(_EVENT.c.lead_id, func.max(sql.stage_reached(_EVENT.c.detail, dialect)).label("reached"))
        .where(
            _EVENT.c.workspace_id == bindparam("workspace"),
            _EVENT.c.kind == bindparam("stage_kind", "stage", literal_execute=True),  # the partial index's own term
            _EVENT.c.created_at >= _moment("since"),
        )
        .group_by(_EVENT.c.lead_id)
        .with_hint(_EVENT, "INDEXED BY ix_lead_event_stage", "sqlite")
        .subquery("stages")
    )


def _count(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


@functools.cache
def _cells_statement(dialect: str, shape: tuple[str, bool, bool, bool], points: int) -> Select[Any]:
    lead = _LEAD
    own, scores, stages = _own_leads(), _lead_scores(), _stages(dialect)
    current = lead.c.created_at >= _moment("start")
    point = case((current, _point(lead.c.created_at, points, "c")), else_=_point(lead.c.created_at, points, "p"))
    is_current = case((current, 1), else_=0)
    lost = lead.c.status == "lost"
    spaced = sql.words(lead.c.outcome_reason)
    named = [sql.has_word(spaced, reason, dialect) for reason in LOSS_REASONS]
    columns: list[Any] = [
        is_current.label("current"),
        point.label("point"),
        lead.c.source,
        lead.c.campaign_id,
        func.count().label("leads"),
        _count(own.c.lead_id.is_(None)).label("handoffs"),
        _count(lead.c.status == "won").label("won"),
        _count(lost).label("lost"),
        func.coalesce(func.sum(case((lead.c.status == "won", lead.c.amount), else_=0.0)), 0.0).label("won_amount"),
        func.count(scores.c.score).label("scored"),
        func.coalesce(func.sum(scores.c.score), 0.0).label("score_sum"),
        _count(scores.c.score <= 2).label("low"),
    ]
    columns += [_count(stages.c.reached >= n).label(f"stage{n}") for n in range(1, STAGE_COUNT + 1)]
    columns += [func.sum(case((~lost, 0), (match, 1), else_=0)).label(f"loss{n}") for n, match in enumerate(named)]
    columns.append(func.sum(case((~lost, 0), (_any(named), 0), else_=1)).label("other"))
    return (
        select(*columns)
        .select_from(lead)
        .outerjoin(own, own.c.lead_id == lead.c.id)
        .outerjoin(scores, scores.c.lead_id == lead.c.id)
        .outerjoin(stages, stages.c.lead_id == lead.c.id)
        .where(
            lead.c.workspace_id == bindparam("workspace"),
            lead.c.created_at >= _moment("since"),
            lead.c.created_at < _moment("stop"),
            lead_filter(shape),
        )
        .group_by(is_current, point, lead.c.source, lead.c.campaign_id)
        .with_hint(lead, "INDEXED BY ix_lead_workspace_created", "sqlite")
    )


def _any(terms: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    out = terms[0]
    for term in terms[1:]:
        out = out | term
    return out


def cells(session: Session, workspace_id: int, period: Period, scope: Scope) -> list[Cell]:
    """The leads created in the two windows, added up per window, line point, source and campaign."""
    dialect = session.get_bind().dialect.name
    points = len(period.buckets())
    statement = _cells_statement(dialect, scope.shape, points)
    params = {"workspace": workspace_id, **_windows(period), **_point_params(period), **scope.params}
    out = []
    for row in session.execute(statement, params):
        m = row._mapping
        out.append(
            Cell(
                current=bool(m["current"]),
                point=int(m["point"]),
                source=str(m["source"]),
                campaign_id=m["campaign_id"],
                leads=int(m["leads"]),
                handoffs=int(m["handoffs"] or 0),
                won=int(m["won"] or 0),
                lost=int(m["lost"] or 0),
                won_amount=float(m["won_amount"] or 0),
                scored=int(m["scored"] or 0),
                score_sum=float(m["score_sum"] or 0),
                low=int(m["low"] or 0),
                reached=tuple(int(m[f"stage{n}"] or 0) for n in range(1, STAGE_COUNT + 1)),
                losses=tuple(int(m[f"loss{n}"] or 0) for n in range(len(LOSS_REASONS))) + (int(m["other"] or 0),),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Decisions:
    """One window's first decisions on hand-offs (SPEC: acceptance is over hand-offs whose first decision fell in
    the period) and its rejections, with how many named each recognised reason."""

    accepted: int = 0
    rejected: int = 0
    rejections: int = 0
    reasons: tuple[int, ...] = ()  # per REJECTION_TAGS, then "other"


@functools.cache
def _decisions_statement(dialect: str, shape: tuple[str, bool, bool, bool]) -> Select[Any]:
    event = _EVENT
    earlier = _EVENT.alias("earlier")
    # A lead's first decision is its decision with the lowest id. (Spelled as min(id), not as NOT EXISTS an earlier
    # one: SQLite 3.40 answers ``kind IN (…) AND id < ?`` over the (lead_id, kind, id) index wrongly.)
    first_id = (
        select(func.min(earlier.c.id))
        .where(earlier.c.lead_id == event.c.lead_id, earlier.c.kind.in_(DECISIONS))
        .with_hint(earlier, "INDEXED BY ix_lead_event_lead_kind", "sqlite")
        .scalar_subquery()
    )
    made = (
        select(
            case((event.c.created_at >= _moment("start"), 1), else_=0).label("current"),
            event.c.kind,
            event.c.detail,
            case((event.c.id == first_id, 1), else_=0).label("first"),
        )
        .where(
            event.c.workspace_id == bindparam("workspace"),
            event.c.kind.in_(DECISIONS),
            event.c.created_at >= _moment("since"),
            event.c.created_at < _moment("stop"),
        )
        .with_hint(event, "INDEXED BY ix_lead_event_kind_created_lead", "sqlite")
    )
    reach, by_owner, by_campaign, by_source = shape
    if reach != "workspace" or by_owner or by_campaign or by_source:
        made = made.join(
            _LEAD, and_(_LEAD.c.id == event.c.lead_id, _LEAD.c.workspace_id == event.c.workspace_id)
        ).where(lead_filter(shape, actor=event.c.actor_id))
    rows = made.subquery("made")
    spaced = sql.words(rows.c.detail)
    named = [sql.has_word(spaced, tag, dialect) for tag in REJECTION_TAGS]
    rejected = rows.c.kind == "reject"
    columns: list[Any] = [
        rows.c.current,
        func.coalesce(func.sum(case((rows.c.kind == "accept", rows.c.first), else_=0)), 0).label("accepted"),
        func.coalesce(func.sum(case((rejected, rows.c.first), else_=0)), 0).label("rejected"),
        _count(rejected).label("rejections"),
    ]
    columns += [func.sum(case((~rejected, 0), (match, 1), else_=0)).label(f"why{n}") for n, match in enumerate(named)]
    columns.append(func.sum(case((~rejected, 0), (_any(named), 0), else_=1)).label("other"))
    return select(*columns).group_by(rows.c.current)


def decisions(session: Session, workspace_id: int, period: Period, scope: Scope) -> dict[bool, Decisions]:
    """Per window (True: the current one): the first decisions and the rejections made in it."""
    dialect = session.get_bind().dialect.name
    params = {"workspace": workspace_id, **_windows(period), **scope.params}
    out = {True: Decisions(reasons=(0,) * (len(REJECTION_TAGS) + 1)), False: Decisions()}
    out[False] = out[True]
    for row in session.execute(_decisions_statement(dialect, scope.shape), params):
        m = row._mapping
        reasons = tuple(int(m[f"why{n}"] or 0) for n in range(len(REJECTION_TAGS))) + (int(m["other"] or 0),)
        out[bool(m["current"])] = Decisions(
            int(m["accepted"] or 0), int(m["rejected"] or 0), int(m["rejections"] or 0), reasons
        )
    return out


@dataclass(frozen=True, slots=True)
class Spread:
    """Hours from hand-off to a step: how many leads took it, their median and 90th percentile."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@functools.cache
def _timing_statement(dialect: str, shape: tuple[str, bool, bool, bool]) -> Select[Any]:
    lead = _LEAD
    own = _own_leads()
    values = (
        select(
            case((lead.c.created_at >= _moment("start"), 1), else_=0).label("current"),
            sql.hours_between(lead.c.accepted_at, lead.c.handed_off_at, dialect).label("accept"),
            sql.hours_between(lead.c.first_touch_at, lead.c.created_at, dialect).label("touch"),
        )
        .select_from(lead)
        .outerjoin(own, own.c.lead_id == lead.c.id)
        .where(
            lead.c.workspace_id == bindparam("workspace"),
            lead.c.created_at >= _moment("since"),
            lead.c.created_at < _moment("stop"),
            own.c.lead_id.is_(None),
            lead_filter(shape),
        )
        .with_hint(lead, "INDEXED BY ix_lead_workspace_created", "sqlite")
        .subquery("hours")
    )
    return sql.percentiles(values, "current", ("accept", "touch"), dialect)


def timing(session: Session, workspace_id: int, period: Period, scope: Scope) -> dict[bool, tuple[Spread, Spread]]:
    """Per window: hours from hand-off to accept, and to first touch, of the hand-offs created in it."""
    dialect = session.get_bind().dialect.name
    params = {"workspace": workspace_id, **_windows(period), **scope.params}
    out = {True: (Spread(), Spread()), False: (Spread(), Spread())}
    for row in session.execute(_timing_statement(dialect, scope.shape), params):
        m = row._mapping
        out[bool(m["current"])] = (
            Spread(int(m["accept_n"] or 0), _hours(m["accept_p50"]), _hours(m["accept_p90"])),
            Spread(int(m["touch_n"] or 0), _hours(m["touch_p50"]), _hours(m["touch_p90"])),
        )
    return out


def _hours(value: Any) -> float | None:
    return None if value is None else max(0.0, float(value))


def window_bounds(period: Period) -> tuple[datetime, datetime, datetime]:
    """(previous start, current start, current stop), for tests and the benchmark's floor."""
    return period.previous.start, period.current.start, period.current.stop
