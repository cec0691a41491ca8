"""The agenda's SQL: one aggregate each, scoped to the workspace, read through its indexes, and built once with
bind parameters — building a statement costs more than running it here, and the job builds agendas in batches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, bindparam, case, func, or_, select
from sqlmodel import Session

from storage.models import OPEN_STATUSES, Campaign, Feedback, Lead, LeadEvent, Meeting, Member
from storage.types import UTCDateTime

READ_AT_MOST = 1000  # reasons read per quarter: far more than a quarter holds, and a bound all the same
_LEAD = Lead.__table__  # type: ignore[attr-defined]
_EVENT = LeadEvent.__table__  # type: ignore[attr-defined]
_FEEDBACK = Feedback.__table__  # type: ignore[attr-defined]
_CAMPAIGN = Campaign.__table__  # type: ignore[attr-defined]
_MEMBER = Member.__table__  # type: ignore[attr-defined]
_MEETING = Meeting.__table__  # type: ignore[attr-defined]


def _moment(name: str) -> Any:
    return bindparam(name, type_=UTCDateTime())


_LAST_HELD = (
    select(Meeting)
    .where(
        _MEETING.c.workspace_id == bindparam("workspace"),
        _MEETING.c.status == "done",
        _MEETING.c.starts_at < _moment("before"),
    )
    .order_by(_MEETING.c.starts_at.desc())
    .limit(1)
)


def last_held(session: Session, workspace_id: int, before: datetime) -> Meeting | None:
    found: Meeting | None = session.scalars(_LAST_HELD, {"workspace": workspace_id, "before": before}).first()
    return found


def _monthly() -> Any:
    """Average score and count of ratings per month (bounds m0 < m1 < m2 < m3), in one pass over the quarter's."""
    columns: list[Any] = []
    for month in range(3):
        inside = and_(_FEEDBACK.c.created_at >= _moment(f"m{month}"), _FEEDBACK.c.created_at < _moment(f"m{month + 1}"))
        columns += [func.avg(case((inside, _FEEDBACK.c.score))), func.count(case((inside, 1)))]
    return select(*columns).where(
        _FEEDBACK.c.workspace_id == bindparam("workspace"),
        _FEEDBACK.c.created_at >= _moment("m0"),
        _FEEDBACK.c.created_at < _moment("m3"),
    )


_MONTHLY = _monthly()


def monthly_quality(session: Session, workspace_id: int, bounds: Sequence[datetime]) -> list[tuple[float | None, int]]:
    """(average, ratings) for each of the three months between the four ``bounds``."""
    row = session.execute(_MONTHLY, {"workspace": workspace_id, **{f"m{i}": b for i, b in enumerate(bounds)}}).one()
    return [(float(row[2 * i]) if row[2 * i] is not None else None, int(row[2 * i + 1] or 0)) for i in range(3)]


_REASONS = (
    select(_EVENT.c.detail)
    .where(
        _EVENT.c.workspace_id == bindparam("workspace"),
        _EVENT.c.kind == bindparam("kind"),
        _EVENT.c.created_at >= _moment("start"),
        _EVENT.c.created_at < _moment("end"),
    )
    .order_by(_EVENT.c.created_at.desc())
    .limit(READ_AT_MOST)
)


def reasons(session: Session, workspace_id: int, kind: str, start: datetime, end: datetime) -> list[str]:
    """The reasons of the trail's ``reject`` or ``lost`` events in the period, newest first (the kind index)."""
    params = {"workspace": workspace_id, "kind": kind, "start": start, "end": end}
    return [detail or "" for detail in session.execute(_REASONS, params).scalars()]


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
    select(_MEMBER.c.display_name, func.count())
    .select_from(_LEAD.join(_MEMBER, _MEMBER.c.id == _LEAD.c.owner_id))
    .where(
        _LEAD.c.workspace_id == bindparam("workspace"),
        _MEMBER.c.workspace_id == bindparam("workspace"),
        _LEAD.c.status.in_(bindparam("open", OPEN_STATUSES, expanding=True, literal_execute=True)),
        _LATE,
    )
    .group_by(_MEMBER.c.display_name)
    .order_by(func.count().desc(), _MEMBER.c.display_name)
)


def breaching(
    session: Session, workspace_id: int, now: datetime, settings: Mapping[str, str]
) -> tuple[tuple[str, int], ...]:
    """Open leads past an SLA at ``now`` (the rules of bot/leads/sla.py, as SQL), counted per owner."""
    params = {
        "workspace": workspace_id,
        "accept": now - timedelta(hours=int(settings.get("accept_sla_hours", "4"))),
        "first_touch": now - timedelta(hours=int(settings.get("first_touch_sla_hours", "24"))),
        "stale": now - timedelta(days=int(settings.get("stale_after_days", "7"))),
    }
    return tuple((str(name), int(count)) for name, count in session.execute(_BREACHING, params))


_ACCEPTED = func.count(case((_LEAD.c.accepted_at.is_not(None), 1)))
_CAMPAIGNS = (
    select(_CAMPAIGN.c.name, _CAMPAIGN.c.target, _CAMPAIGN.c.status, func.count(_LEAD.c.id), _ACCEPTED)
    .select_from(
        _CAMPAIGN.outerjoin(
            _LEAD, and_(_LEAD.c.campaign_id == _CAMPAIGN.c.id, _LEAD.c.workspace_id == _CAMPAIGN.c.workspace_id)
        )
    )
    .where(
        _CAMPAIGN.c.workspace_id == bindparam("workspace"),
        _CAMPAIGN.c.created_at < _moment("end"),
        or_(_CAMPAIGN.c.status == "active", _CAMPAIGN.c.ends_on >= bindparam("first_day", type_=Date())),
    )
    .group_by(_CAMPAIGN.c.id, _CAMPAIGN.c.name, _CAMPAIGN.c.target, _CAMPAIGN.c.status)
    .order_by(_CAMPAIGN.c.id.desc())
    .limit(bindparam("limit"))
)


def campaigns(
    session: Session, workspace_id: int, end: datetime, first_day: date, limit: int
) -> list[tuple[str, int | None, int, int, bool]]:
    """Campaigns that ran during the period: (name, target, leads delivered, accepted, still active)."""
    params = {"workspace": workspace_id, "end": end, "first_day": first_day, "limit": limit}
    return [
        (str(name), target, int(delivered), int(accepted), status == "active")
        for name, target, status, delivered, accepted in session.execute(_CAMPAIGNS, params)
    ]
