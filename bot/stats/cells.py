"""The leads of a period as SQL aggregates (SPEC §3 stats, Definitions): one scan of the leads created in the
current and the previous window, added up into cells (window × line point × source × campaign × status × stage
reached) that the service adds up further — a few hundred rows, never the leads. Per lead the scan reads from
the trail whether it was a `lead add` (no hand-off), its quality score (the mean of its ratings) and the furthest
stage it reached: on SQLite as a lookup per lead on an index (which SQLite does fastest), on PostgreSQL as hash
joins over the rows of the period (which it does fastest). Either way the cost follows the leads in the period."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Integer, Table, and_, bindparam, case, exists, func, literal, select
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.expression import Select
from sqlmodel import Session

from bot.leads.feedback import LOSS_REASONS
from bot.stats import sql
from bot.stats.periods import Period, midnight
from bot.stats.scope import Scope, lead_filter
from storage.models import Feedback, Lead, LeadEvent
from storage.types import UTCDateTime

_LEAD: Table = Lead.__table__  # type: ignore[attr-defined]
_EVENT: Table = LeadEvent.__table__  # type: ignore[attr-defined]
_FEEDBACK: Table = Feedback.__table__  # type: ignore[attr-defined]
OWN_LEAD_KIND = "add"  # a `lead add` is a lead but no hand-off (SPEC §3): the one way a lead is logged, not handed
WORKED = ("accepted", "won", "lost")  # the statuses a lead moving through the stages has


def moment(name: str) -> Any:
    return bindparam(name, type_=UTCDateTime())


def windows(period: Period) -> dict[str, Any]:
    """``:since`` (the previous window's start), ``:start`` (the current one's) and ``:stop`` (its end)."""
    return {"since": period.previous.start, "start": period.current.start, "stop": period.current.stop}


@dataclass(frozen=True, slots=True)
class Cell:
    """The leads of one window (``current``), line point, source, campaign, status and furthest stage (0: none,
    and for the previous window, whose funnel is not shown, always 0)."""

    current: bool
    point: int
    source: str
    campaign_id: int | None
    status: str
    reached: int
    leads: int
    own: int  # of which logged with `lead add`
    amount: float
    scored: int
    score_sum: float
    low: int
    timed_accept: int = 0  # hand-offs with hours to accept (accepted, with a hand-off time)
    timed_touch: int = 0  # hand-offs with hours to first touch


def _point(created: Any, points: int, prefix: str) -> ColumnElement[int]:
    """Which of the line's ``points`` a lead falls on (the boundaries are bound as ``:<prefix>1`` …)."""
    if points <= 1:
        return literal(0, Integer)
    return case(*[(created < moment(f"{prefix}{n}"), n - 1) for n in range(1, points)], else_=points - 1)


def point_params(period: Period) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for prefix, cut in (("c", period.buckets()), ("p", period.previous_buckets())):
        for n, bucket in enumerate(cut[1:], start=1):
            out[f"{prefix}{n}"] = midnight(bucket.first, period.zone)
    # the previous window may hold fewer points than the current one (a shorter quarter): pad with its end
    for n in range(len(period.previous_buckets()), len(period.buckets())):
        out.setdefault(f"p{n}", period.previous.stop)
    return out


def _stage_of(detail: Any, dialect: str) -> ColumnElement[int]:
    return sql.stage_reached(detail, dialect)


def _per_lead_sqlite(lead: Table, current: ColumnElement[bool]) -> tuple[Any, Any, Any]:
    """Lookups per lead, each on an index by lead: is it a `lead add`, its score, its furthest stage."""
    event = _EVENT.alias("own_event")
    own = exists(
        select(literal(1))
        .where(event.c.lead_id == lead.c.id, event.c.kind == OWN_LEAD_KIND)
        .with_hint(event, "INDEXED BY ix_lead_event_lead_kind", "sqlite")
    )
    score = select(func.avg(_FEEDBACK.c.score, type_=Float)).where(_FEEDBACK.c.lead_id == lead.c.id).scalar_subquery()
    stage = _EVENT.alias("stage_event")
    furthest = (
        select(func.max(_stage_of(stage.c.detail, "sqlite")))
        .where(stage.c.lead_id == lead.c.id, stage.c.kind == "stage")
        .with_hint(stage, "INDEXED BY ix_lead_event_lead_kind", "sqlite")
        .scalar_subquery()
    )
    reached = case((and_(current, lead.c.status.in_(WORKED)), func.coalesce(furthest, 0)), else_=0)
    return case((own, 1), else_=0), score, reached


def _per_lead_postgres(lead: Table, current: ColumnElement[bool]) -> tuple[Any, Any, Any, list[Any]]:
    """The same three, as subqueries over the period's rows joined by hash: the `lead add`s and the ratings since
    the previous window's start, the stage moves since the current one's (its leads' moves all come after)."""
    own = (
        select(_EVENT.c.lead_id)
        .where(
            _EVENT.c.workspace_id == bindparam("workspace"),
            _EVENT.c.kind == OWN_LEAD_KIND,
            _EVENT.c.created_at >= moment("since"),
        )
        .group_by(_EVENT.c.lead_id)
        .subquery("own")
    )
    scores = (
        select(_FEEDBACK.c.lead_id, func.avg(_FEEDBACK.c.score, type_=Float).label("score"))
        .where(_FEEDBACK.c.workspace_id == bindparam("workspace"), _FEEDBACK.c.created_at >= moment("since"))
        .group_by(_FEEDBACK.c.lead_id)
        .subquery("scores")
    )
    stages = (
        select(_EVENT.c.lead_id, func.max(_stage_of(_EVENT.c.detail, "postgresql")).label("reached"))
        .where(
            _EVENT.c.workspace_id == bindparam("workspace"),
            _EVENT.c.kind == "stage",
            _EVENT.c.created_at >= moment("start"),
        )
        .group_by(_EVENT.c.lead_id)
        .subquery("stages")
    )
    joins = [(own, own.c.lead_id == lead.c.id), (scores, scores.c.lead_id == lead.c.id)]
    joins.append((stages, stages.c.lead_id == lead.c.id))
    reached = case((current, func.coalesce(stages.c.reached, 0)), else_=0)
    return case((own.c.lead_id.is_not(None), 1), else_=0), scores.c.score, reached, joins


@functools.cache
def _cells_statement(dialect: str, shape: tuple[str, bool, bool, bool], points: int) -> Select[Any]:
    lead = _LEAD
    current = lead.c.created_at >= moment("start")
    point = case((current, _point(lead.c.created_at, points, "c")), else_=_point(lead.c.created_at, points, "p"))
    joins: list[Any] = []
    if dialect == "postgresql":
        own, score, reached, joins = _per_lead_postgres(lead, current)
    else:
        own, score, reached = _per_lead_sqlite(lead, current)
    source: Any = lead
    for table, condition in joins:
        source = source.outerjoin(table, condition)
    facts = (
        select(
            case((current, 1), else_=0).label("current"),
            point.label("point"),
            lead.c.source,
            lead.c.campaign_id,
            lead.c.status,
            lead.c.amount,
            own.label("own"),
            score.label("score"),
            reached.label("reached"),
            case((and_(lead.c.accepted_at.is_not(None), lead.c.handed_off_at.is_not(None)), 1), else_=0).label(
                "accepted"
            ),
            case((lead.c.first_touch_at.is_not(None), 1), else_=0).label("touched"),
        )
        .select_from(source)
        .where(
            lead.c.workspace_id == bindparam("workspace"),
            lead.c.created_at >= moment("since"),
            lead.c.created_at < moment("stop"),
            lead_filter(shape),
        )
        .with_hint(lead, "INDEXED BY ix_lead_workspace_created", "sqlite")
    )
    if dialect != "postgresql":
        # LIMIT keeps SQLite from folding the lookups into the aggregate, where each would run once per use
        facts = facts.limit(-1)
    rows = facts.subquery("facts")
    keys = (rows.c.current, rows.c.point, rows.c.source, rows.c.campaign_id, rows.c.status, rows.c.reached)
    return select(
        *keys,
        func.count().label("leads"),
        func.sum(rows.c.own).label("own"),
        func.coalesce(func.sum(rows.c.amount), 0.0).label("amount"),
        func.count(rows.c.score).label("scored"),
        func.coalesce(func.sum(rows.c.score), 0.0).label("score_sum"),
        func.sum(case((rows.c.score <= 2, 1), else_=0)).label("low"),
        func.sum(case((rows.c.own == 0, rows.c.accepted), else_=0)).label("timed_accept"),
        func.sum(case((rows.c.own == 0, rows.c.touched), else_=0)).label("timed_touch"),
    ).group_by(*keys)


def cells(session: Session, workspace_id: int, period: Period, scope: Scope) -> list[Cell]:
    """The leads created in the two windows, added up per window, point, source, campaign, status and stage."""
    dialect = session.get_bind().dialect.name
    statement = _cells_statement(dialect, scope.shape, len(period.buckets()))
    params = {"workspace": workspace_id, **windows(period), **point_params(period), **scope.params}
    return [
        Cell(
            current=bool(current),
            point=int(point),
            source=str(source),
            campaign_id=campaign_id,
            status=str(status),
            reached=int(reached or 0),
            leads=int(leads),
            own=int(own or 0),
            amount=float(amount or 0),
            scored=int(scored or 0),
            score_sum=float(score_sum or 0),
            low=int(low or 0),
            timed_accept=int(timed_accept or 0),
            timed_touch=int(timed_touch or 0),
        )
        for (
            current,
            point,
            source,
            campaign_id,
            status,
            reached,
            leads,
            own,
            amount,
            scored,
            score_sum,
            low,
            timed_accept,
            timed_touch,
        ) in session.execute(statement, params)
    ]


def _any(terms: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    out = terms[0]
    for term in terms[1:]:
        out = out | term
    return out


def tag_counts(texts: Select[Any], tags: tuple[str, ...], dialect: str) -> Select[Any]:
    """How many of the rows of ``texts`` (one column, ``text``) there are, how many name each tag, and how many
    name none of them (``other``). Each row's text is spaced once, in a subquery the planner keeps apart."""
    kept = texts.limit(-1) if dialect != "postgresql" else texts.offset(0)  # not folded into the sums
    rows = kept.subquery("texts")
    named = [sql.has_word(rows.c.spaced, tag, dialect) for tag in tags]
    columns: list[Any] = [func.sum(case((match, 1), else_=0)).label(f"tag{n}") for n, match in enumerate(named)]
    return select(func.count().label("rows"), *columns, func.sum(case((_any(named), 0), else_=1)).label("other"))


@functools.cache
def _losses_statement(dialect: str, shape: tuple[str, bool, bool, bool]) -> Select[Any]:
    lead = _LEAD
    lost = (
        select(sql.words(lead.c.outcome_reason).label("spaced"))
        .where(
            lead.c.workspace_id == bindparam("workspace"),
            lead.c.status == "lost",
            lead.c.created_at >= moment("start"),
            lead.c.created_at < moment("stop"),
            lead_filter(shape),
        )
        .with_hint(lead, "INDEXED BY ix_lead_workspace_status_created", "sqlite")
    )
    return tag_counts(lost, LOSS_REASONS, dialect)


def losses(session: Session, workspace_id: int, period: Period, scope: Scope) -> tuple[int, ...]:
    """The current window's lost leads per LOSS_REASONS, then those naming none of them."""
    dialect = session.get_bind().dialect.name
    params = {"workspace": workspace_id, **windows(period), **scope.params}
    row = session.execute(_losses_statement(dialect, scope.shape), params).one()
    return tuple(int(value or 0) for value in tuple(row)[1:])
