"""The period figures read from the trail as SQL aggregates (SPEC §3 stats, Definitions): the first decisions on
hand-offs and the rejections made in a period, and the median and p90 hours from hand-off to accept and to first
touch (the leads' own figures are in cells.py). Each statement reads the rows of the period through an index on
the time, so its cost follows the rows in the period, not the table. Statements are built once per database and
scope shape; the values are bound."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, bindparam, case, func, select
from sqlalchemy.sql.expression import Select
from sqlmodel import Session

from bot.leads.feedback import QUALITY_TAGS
from bot.stats import sql
from bot.stats.cells import OWN_LEAD_KIND, moment, tag_counts, windows
from bot.stats.periods import Period
from bot.stats.scope import Scope, lead_filter
from storage.models import Lead, LeadEvent

_LEAD: Table = Lead.__table__  # type: ignore[attr-defined]
_EVENT: Table = LeadEvent.__table__  # type: ignore[attr-defined]
REJECTION_TAGS = tuple(tag for tag in QUALITY_TAGS if tag != "great-fit")
DECISIONS = ("accept", "reject")


def _scoped(statement: Select[Any], shape: tuple[str, bool, bool, bool], event: Table) -> Select[Any]:
    """Join the events' leads only when the scope needs them: a manager's unfiltered figures read events alone.
    A decision's maker stands for the owner (a rejected lead usually has a new owner by now)."""
    reach, by_owner, by_campaign, by_source = shape
    if reach == "workspace" and not (by_owner or by_campaign or by_source):
        return statement
    return statement.join(
        _LEAD, and_(_LEAD.c.id == event.c.lead_id, _LEAD.c.workspace_id == event.c.workspace_id)
    ).where(lead_filter(shape, actor=event.c.actor_id))


@dataclass(frozen=True, slots=True)
class Decisions:
    """One window's first decisions on hand-offs (SPEC: acceptance is over the hand-offs whose first decision fell
    in the period)."""

    accepted: int = 0
    rejected: int = 0


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
            case((event.c.created_at >= moment("start"), 1), else_=0).label("current"),
            event.c.kind,
            case((event.c.id == first_id, 1), else_=0).label("first"),  # read once: one lookup per decision
        )
        .where(
            event.c.workspace_id == bindparam("workspace"),
            event.c.kind.in_(DECISIONS),
            event.c.created_at >= moment("since"),
            event.c.created_at < moment("stop"),
        )
        .with_hint(event, "INDEXED BY ix_lead_event_kind_created_lead", "sqlite")
    )
    rows = _scoped(made, shape, event).subquery("made")
    return select(rows.c.current, rows.c.kind, func.sum(rows.c.first).label("first")).group_by(
        rows.c.current, rows.c.kind
    )


def decisions(session: Session, workspace_id: int, period: Period, scope: Scope) -> dict[bool, Decisions]:
    """Per window (True: the current one): the first decisions made in it."""
    dialect = session.get_bind().dialect.name
    params = {"workspace": workspace_id, **windows(period), **scope.params}
    firsts = {(True, "accept"): 0, (True, "reject"): 0, (False, "accept"): 0, (False, "reject"): 0}
    for current, kind, first in session.execute(_decisions_statement(dialect, scope.shape), params):
        firsts[(bool(current), str(kind))] = int(first or 0)
    return {now: Decisions(firsts[(now, "accept")], firsts[(now, "reject")]) for now in (True, False)}


@functools.cache
def _rejections_statement(dialect: str, shape: tuple[str, bool, bool, bool]) -> Select[Any]:
    event = _EVENT
    made = (
        select(sql.words(event.c.detail).label("spaced"))
        .where(
            event.c.workspace_id == bindparam("workspace"),
            event.c.kind == "reject",
            event.c.created_at >= moment("start"),
            event.c.created_at < moment("stop"),
        )
        .with_hint(event, "INDEXED BY ix_lead_event_kind_created_lead", "sqlite")
    )
    return tag_counts(_scoped(made, shape, event), REJECTION_TAGS, dialect)


def rejections(session: Session, workspace_id: int, period: Period, scope: Scope) -> tuple[int, tuple[int, ...]]:
    """The current window's rejections, and how many named each of REJECTION_TAGS (then "other")."""
    dialect = session.get_bind().dialect.name
    params = {"workspace": workspace_id, **windows(period), **scope.params}
    row = tuple(session.execute(_rejections_statement(dialect, scope.shape), params).one())
    return int(row[0] or 0), tuple(int(value or 0) for value in row[1:])


@dataclass(frozen=True, slots=True)
class Spread:
    """Hours from hand-off to a step: how many leads took it, their median and 90th percentile."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@functools.cache
def _timing_statement(dialect: str, shape: tuple[str, bool, bool, bool]) -> Select[Any]:
    lead = _LEAD
    current = case((lead.c.created_at >= moment("start"), 1), else_=0).label("current")
    accept = sql.hours_between(lead.c.accepted_at, lead.c.handed_off_at, dialect).label("accept")
    touch = sql.hours_between(lead.c.first_touch_at, lead.c.created_at, dialect).label("touch")
    in_period = (
        lead.c.workspace_id == bindparam("workspace"),
        lead.c.created_at >= moment("since"),
        lead.c.created_at < moment("stop"),
        lead.c.accepted_at.is_not(None) | lead.c.first_touch_at.is_not(None),
        lead_filter(shape),
    )
    if dialect == "postgresql":  # hand-offs: without a `lead add` since the window began, by hash anti-join
        adds = (
            select(_EVENT.c.lead_id)
            .where(
                _EVENT.c.workspace_id == bindparam("workspace"),
                _EVENT.c.kind == OWN_LEAD_KIND,
                _EVENT.c.created_at >= moment("since"),
            )
            .subquery("adds")
        )
        values = (
            select(current, accept, touch)
            .select_from(lead.outerjoin(adds, adds.c.lead_id == lead.c.id))
            .where(*in_period, adds.c.lead_id.is_(None))
            .subquery("hours")
        )
        return sql.percentiles(values, "current", ("accept", "touch"))
    own = _EVENT.alias("own_event")
    is_own = (
        select(own.c.id)
        .where(own.c.lead_id == lead.c.id, own.c.kind == OWN_LEAD_KIND)
        .with_hint(own, "INDEXED BY ix_lead_event_lead_kind", "sqlite")
        .exists()
    )
    hours = (
        select(current, accept, touch)
        .where(*in_period, ~is_own)
        .with_hint(lead, "INDEXED BY ix_lead_workspace_created", "sqlite")
        .cte("hours")  # read by both measures: SQLite computes a CTE used twice once
    )
    return sql.values_at_ranks(hours, "current", ("accept", "touch"), (0, 1))


Counts = dict[bool, tuple[int, int]]  # per window: hand-offs timed to accept, and to first touch


def timing(
    session: Session, workspace_id: int, period: Period, scope: Scope, counts: Counts
) -> dict[bool, tuple[Spread, Spread]]:
    """Per window: hours from hand-off to accept, and to first touch, of the hand-offs created in it. ``counts``
    (from the cells of the same transaction) tell SQLite which ranks to read."""
    dialect = session.get_bind().dialect.name
    params = {"workspace": workspace_id, **windows(period), **scope.params}
    statement = _timing_statement(dialect, scope.shape)
    if dialect == "postgresql":
        out = {True: (Spread(), Spread()), False: (Spread(), Spread())}
        for row in session.execute(statement, params):
            got = row._mapping
            out[bool(got["current"])] = (
                Spread(int(got["accept_n"] or 0), _hours(got["accept_p50"]), _hours(got["accept_p90"])),
                Spread(int(got["touch_n"] or 0), _hours(got["touch_p50"]), _hours(got["touch_p90"])),
            )
        return out
    for group in (0, 1):
        for measure in range(2):
            n = counts[bool(group)][measure]
            ranks = sql.rank_positions(n) if n else [-1] * 4
            params.update({f"rank_{group}_{measure}_{k}": rank for k, rank in enumerate(ranks)})
    found: dict[tuple[int, int], dict[int, float]] = {}
    for group, measure, rank, value in session.execute(statement, params):
        found.setdefault((int(group), int(measure)), {})[int(rank)] = float(value)
    spreads: dict[bool, tuple[Spread, Spread]] = {}
    for group in (0, 1):
        pair = []
        for measure in range(2):
            n, at = counts[bool(group)][measure], found.get((group, measure), {})
            median, p90 = sql.interpolate(n, at) if at else (None, None)
            pair.append(Spread(n if median is not None else 0, _hours(median), _hours(p90)))
        spreads[bool(group)] = (pair[0], pair[1])
    return spreads


def _hours(value: Any) -> float | None:
    return None if value is None else max(0.0, float(value))
