"""The agenda's SQL, for a whole batch of workspaces at once: one aggregate per part, ``GROUP BY workspace_id``
over the workspaces given (an expanding ``IN``), read through the per-workspace indexes. A firing that posts a
thousand agendas runs each statement once, not a thousand times; ``meeting agenda`` runs the same statements for
one workspace. Each is built once with bind parameters: building a statement costs more than running it here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, bindparam, case, func, or_, select
from sqlmodel import Session

from storage.id_lists import among
from storage.models import OPEN_STATUSES, Campaign, Feedback, Lead, LeadEvent, Meeting, Member
from storage.types import UTCDateTime

READ_AT_MOST = 1000  # reasons read per workspace and quarter: far more than a quarter holds, and a bound all the same
_LEAD = Lead.__table__  # type: ignore[attr-defined]
_EVENT = LeadEvent.__table__  # type: ignore[attr-defined]
_FEEDBACK = Feedback.__table__  # type: ignore[attr-defined]
_CAMPAIGN = Campaign.__table__  # type: ignore[attr-defined]
_MEMBER = Member.__table__  # type: ignore[attr-defined]
_MEETING = Meeting.__table__  # type: ignore[attr-defined]


def _moment(name: str) -> Any:
    return bindparam(name, type_=UTCDateTime())


def _of(table: Any) -> Any:
    return among(table.c.workspace_id, "workspaces")


def _newest(*, of: Any, by: Any) -> Any:
    """1 for each workspace's newest row by ``by``, 2 for the next… (a window: SQLite ≥ 3.25 and PostgreSQL)."""
    return func.row_number().over(partition_by=of, order_by=by).label("rank")


def _last_held() -> Any:
    ranked = (
        select(
            _MEETING.c.workspace_id,
            _MEETING.c.notes,
            _MEETING.c.starts_at,
            _newest(of=_MEETING.c.workspace_id, by=_MEETING.c.starts_at.desc()),
        )
        .where(_of(_MEETING), _MEETING.c.status == "done", _MEETING.c.starts_at < _moment("before"))
        .subquery()
    )
    return select(ranked.c.workspace_id, ranked.c.notes, ranked.c.starts_at).where(ranked.c.rank == 1)


_LAST_HELD = _last_held()


def last_held(session: Session, workspaces: Sequence[int], before: datetime) -> dict[int, tuple[str | None, datetime]]:
    """Each workspace's last meeting held before ``before``: its notes and when it took place."""
    rows = session.execute(_LAST_HELD, {"workspaces": list(workspaces), "before": before})
    return {int(workspace): (notes, starts_at) for workspace, notes, starts_at in rows}


def _monthly() -> Any:
    """Average score and count of ratings per month (bounds m0 < m1 < m2 < m3), in one pass over the quarter's."""
    columns: list[Any] = [_FEEDBACK.c.workspace_id]
    for month in range(3):
        inside = and_(_FEEDBACK.c.created_at >= _moment(f"m{month}"), _FEEDBACK.c.created_at < _moment(f"m{month + 1}"))
        columns += [func.avg(case((inside, _FEEDBACK.c.score))), func.count(case((inside, 1)))]
    return (
        select(*columns)
        .where(_of(_FEEDBACK), _FEEDBACK.c.created_at >= _moment("m0"), _FEEDBACK.c.created_at < _moment("m3"))
        .group_by(_FEEDBACK.c.workspace_id)
    )


_MONTHLY = _monthly()


def monthly_quality(
    session: Session, workspaces: Sequence[int], bounds: Sequence[datetime]
) -> dict[int, list[tuple[float | None, int]]]:
    """(average, ratings) for each of the three months between the four ``bounds``, per workspace with ratings."""
    params = {"workspaces": list(workspaces), **{f"m{i}": bound for i, bound in enumerate(bounds)}}
    return {
        int(row[0]): [
            (float(row[1 + 2 * i]) if row[1 + 2 * i] is not None else None, int(row[2 + 2 * i] or 0)) for i in range(3)
        ]
        for row in session.execute(_MONTHLY, params)
    }


def _reasons() -> Any:
    ranked = (
        select(
            _EVENT.c.workspace_id,
            _EVENT.c.detail,
            _EVENT.c.created_at,
            _newest(of=_EVENT.c.workspace_id, by=(_EVENT.c.created_at.desc(), _EVENT.c.id.desc())),
        )
        .where(
            _of(_EVENT),
            _EVENT.c.kind == bindparam("kind"),
            _EVENT.c.created_at >= _moment("start"),
            _EVENT.c.created_at < _moment("end"),
        )
        .subquery()
    )
    return (
        select(ranked.c.workspace_id, ranked.c.detail)
        .where(ranked.c.rank <= READ_AT_MOST)
        .order_by(ranked.c.workspace_id, ranked.c.rank)
    )


_REASONS = _reasons()


def reasons(
    session: Session, workspaces: Sequence[int], kind: str, start: datetime, end: datetime
) -> dict[int, list[str]]:
    """The reasons of the trail's ``reject`` or ``lost`` events in the period, newest first, per workspace."""
    found: dict[int, list[str]] = {}
    params = {"workspaces": list(workspaces), "kind": kind, "start": start, "end": end}
    for workspace, detail in session.execute(_REASONS, params):
        found.setdefault(int(workspace), []).append(detail or "")
    return found


_LATE = or_(
    and_(_LEAD.c.status == "handed_off", func.coalesce(_LEAD.c.handed_off_at, _LEAD.c.created_at) < _moment("accept")),
    and_(
        _LEAD.c.status == "accepted",
        _LEAD.c.first_touch_at.is_(None),
        func.coalesce(_LEAD.c.accepted_at, _LEAD.c.created_at) < _moment("first_touch"),
    ),
    and_(_LEAD.c.status == "accepted", _LEAD.c.last_touch_at < _moment("stale")),
)
_BREACHING = (
    select(_LEAD.c.workspace_id, _MEMBER.c.display_name, func.count())
    .select_from(
        _LEAD.join(_MEMBER, and_(_MEMBER.c.id == _LEAD.c.owner_id, _MEMBER.c.workspace_id == _LEAD.c.workspace_id))
    )
    .where(
        _of(_LEAD),
        _LEAD.c.status.in_(bindparam("open", OPEN_STATUSES, expanding=True, literal_execute=True)),
        _LATE,
    )
    .group_by(_LEAD.c.workspace_id, _MEMBER.c.display_name)
    .order_by(_LEAD.c.workspace_id, func.count().desc(), _MEMBER.c.display_name)
)


def sla_hours(settings: Mapping[str, str]) -> tuple[int, int, int]:
    """The SLA settings the breaching count depends on: workspaces that share them are counted together."""
    return (
        int(settings.get("accept_sla_hours", "4")),
        int(settings.get("first_touch_sla_hours", "24")),
        int(settings.get("stale_after_days", "7")) * 24,
    )


def breaching(
    session: Session, workspaces: Sequence[int], now: datetime, hours: tuple[int, int, int]
) -> dict[int, tuple[tuple[str, int], ...]]:
    """Open leads past an SLA at ``now`` (the rules of bot/leads/sla.py, as SQL), counted per owner, per workspace."""
    accept, first_touch, stale = hours
    params = {
        "workspaces": list(workspaces),
        "accept": now - timedelta(hours=accept),
        "first_touch": now - timedelta(hours=first_touch),
        "stale": now - timedelta(hours=stale),
    }
    found: dict[int, list[tuple[str, int]]] = {}
    for workspace, name, count in session.execute(_BREACHING, params):
        found.setdefault(int(workspace), []).append((str(name), int(count)))
    return {workspace: tuple(owners) for workspace, owners in found.items()}


def _campaigns() -> Any:
    accepted = func.count(case((_LEAD.c.accepted_at.is_not(None), 1)))
    ranked = (
        select(
            _CAMPAIGN.c.workspace_id,
            _CAMPAIGN.c.name,
            _CAMPAIGN.c.target,
            _CAMPAIGN.c.status,
            func.count(_LEAD.c.id).label("delivered"),
            accepted.label("accepted"),
            _newest(of=_CAMPAIGN.c.workspace_id, by=_CAMPAIGN.c.id.desc()),
        )
        .select_from(
            _CAMPAIGN.outerjoin(
                _LEAD, and_(_LEAD.c.campaign_id == _CAMPAIGN.c.id, _LEAD.c.workspace_id == _CAMPAIGN.c.workspace_id)
            )
        )
        .where(
            _of(_CAMPAIGN),
            _CAMPAIGN.c.created_at < _moment("end"),
            or_(_CAMPAIGN.c.status == "active", _CAMPAIGN.c.ends_on >= bindparam("first_day", type_=Date())),
        )
        .group_by(_CAMPAIGN.c.workspace_id, _CAMPAIGN.c.id, _CAMPAIGN.c.name, _CAMPAIGN.c.target, _CAMPAIGN.c.status)
        .subquery()
    )
    return (
        select(
            ranked.c.workspace_id,
            ranked.c.name,
            ranked.c.target,
            ranked.c.status,
            ranked.c.delivered,
            ranked.c.accepted,
        )
        .where(ranked.c.rank <= bindparam("limit"))
        .order_by(ranked.c.workspace_id, ranked.c.rank)
    )


_CAMPAIGNS = _campaigns()


def campaigns(
    session: Session, workspaces: Sequence[int], end: datetime, first_day: date, limit: int
) -> dict[int, list[tuple[str, int | None, int, int, bool]]]:
    """Campaigns that ran during the period, newest first and ``limit`` per workspace: (name, target, leads
    delivered, accepted, still active)."""
    params = {"workspaces": list(workspaces), "end": end, "first_day": first_day, "limit": limit}
    found: dict[int, list[tuple[str, int | None, int, int, bool]]] = {}
    for workspace, name, target, status, delivered, accepted in session.execute(_CAMPAIGNS, params):
        found.setdefault(int(workspace), []).append(
            (str(name), target, int(delivered), int(accepted), status == "active")
        )
    return found
