"""Leads as integrations read them (the REST API's list and lead, the CSV export): plain rows with the owner's
name and e-mail and the campaign's name, one query per page. Pages are keyset pages on the lead number (the
``(workspace_id, number)`` key), so a page costs the same on the first and the thousandth, and leads created
while someone pages never shift what the next page holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from bot.core.people import mentions
from bot.leads.trail import trail
from storage.models import OPEN_STATUSES, Campaign, Feedback, Lead, Member

HISTORY_LIMIT = 500

_LEAD = Lead.__table__  # type: ignore[attr-defined]
_CAMPAIGN = Campaign.__table__  # type: ignore[attr-defined]
_FEEDBACK = Feedback.__table__  # type: ignore[attr-defined]
_OWNER = aliased(Member.__table__, name="owner")  # type: ignore[attr-defined]
_MARKETER = aliased(Member.__table__, name="marketer")  # type: ignore[attr-defined]
_MEMBER = Member.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class LeadRecord:
    """One lead with the names a reader needs. ``number`` is the ``L-<n>``."""

    id: int
    number: int
    company: str
    contact_name: str | None
    email: str | None
    source: str
    campaign: str | None
    note: str | None
    status: str
    stage: int | None
    amount: float | None
    outcome_reason: str | None
    owner: Person | None
    marketer: Person | None
    created_at: datetime
    handed_off_at: datetime | None
    accepted_at: datetime | None
    first_touch_at: datetime | None
    last_touch_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    kind: str
    by: str | None  # the member's name; None when Tandem or an integration did it
    detail: str | None


@dataclass(frozen=True, slots=True)
class LeadDetail:
    record: LeadRecord
    quality: float | None  # average rating, None before the first
    ratings: int
    history: tuple[HistoryEntry, ...]


@dataclass(frozen=True, slots=True)
class Filters:
    """What a list asks for; ``status`` may be ``open`` (waiting, working or unassigned). ``owner_ids`` are the
    members the asked-for owner e-mail belongs to (resolved by the caller)."""

    status: str | None = None
    owner_ids: tuple[int, ...] | None = None
    campaign_id: int | None = None
    since: datetime | None = None


_COLUMNS = (
    _LEAD.c.id,
    _LEAD.c.number,
    _LEAD.c.company,
    _LEAD.c.contact_name,
    _LEAD.c.email,
    _LEAD.c.source,
    _CAMPAIGN.c.name,
    _LEAD.c.note,
    _LEAD.c.status,
    _LEAD.c.stage,
    _LEAD.c.amount,
    _LEAD.c.outcome_reason,
    _OWNER.c.display_name,
    _OWNER.c.email,
    _MARKETER.c.display_name,
    _MARKETER.c.email,
    _LEAD.c.created_at,
    _LEAD.c.handed_off_at,
    _LEAD.c.accepted_at,
    _LEAD.c.first_touch_at,
    _LEAD.c.last_touch_at,
    _LEAD.c.closed_at,
)
_RECORDS = (
    select(*_COLUMNS)
    .select_from(_LEAD)
    .outerjoin(_CAMPAIGN, _CAMPAIGN.c.id == _LEAD.c.campaign_id)
    .outerjoin(_OWNER, _OWNER.c.id == _LEAD.c.owner_id)
    .outerjoin(_MARKETER, _MARKETER.c.id == _LEAD.c.marketer_id)
    .where(_LEAD.c.workspace_id == bindparam("workspace"))
)
# The export's batches: every lead, oldest first, a batch at a time after the last number sent.
_BATCH = _RECORDS.where(_LEAD.c.number > bindparam("after")).order_by(_LEAD.c.number).limit(bindparam("size"))
_ONE = _RECORDS.where(_LEAD.c.number == bindparam("number"))
_QUALITY = select(func.avg(_FEEDBACK.c.score), func.count(_FEEDBACK.c.id)).where(
    _FEEDBACK.c.workspace_id == bindparam("workspace"), _FEEDBACK.c.lead_id == bindparam("lead")
)
_OWNERS_BY_EMAIL = select(_MEMBER.c.id).where(
    _MEMBER.c.workspace_id == bindparam("workspace"), func.lower(_MEMBER.c.email) == bindparam("email")
)


def page(session: Session, workspace_id: int, filters: Filters, *, before: int | None, size: int) -> list[LeadRecord]:
    """The newest ``size`` leads matching ``filters`` whose number is below ``before`` (None: from the newest)."""
    query: Select[Any] = _RECORDS
    params: dict[str, Any] = {"workspace": workspace_id, "size": size}
    if before is not None:
        query = query.where(_LEAD.c.number < bindparam("before"))
        params["before"] = before
    if filters.status == "open":
        query = query.where(_LEAD.c.status.in_(OPEN_STATUSES))
    elif filters.status is not None:
        query = query.where(_LEAD.c.status == bindparam("status"))
        params["status"] = filters.status
    if filters.owner_ids is not None:
        query = query.where(_LEAD.c.owner_id.in_(bindparam("owners", expanding=True)))
        params["owners"] = list(filters.owner_ids)
    if filters.campaign_id is not None:
        query = query.where(_LEAD.c.campaign_id == bindparam("campaign"))
        params["campaign"] = filters.campaign_id
    if filters.since is not None:
        query = query.where(_LEAD.c.created_at >= bindparam("since", type_=_LEAD.c.created_at.type))
        params["since"] = filters.since
    query = query.order_by(_LEAD.c.number.desc()).limit(bindparam("size"))
    return [_record(row) for row in session.execute(query, params)]


def batch(session: Session, workspace_id: int, *, after: int, size: int) -> list[LeadRecord]:
    """The next ``size`` leads of the workspace after number ``after``, oldest first (the export)."""
    rows = session.execute(_BATCH, {"workspace": workspace_id, "after": after, "size": size})
    return [_record(row) for row in rows]


def detail(session: Session, workspace_id: int, number: int) -> LeadDetail | None:
    """Lead ``L-<number>`` of the workspace with its rating and history, oldest first; None when there is none."""
    row = session.execute(_ONE, {"workspace": workspace_id, "number": number}).first()
    if row is None:
        return None
    record = _record(row)
    average, count = session.execute(_QUALITY, {"workspace": workspace_id, "lead": record.id}).one()
    entries = trail(session, _Identified(record.id, workspace_id), limit=HISTORY_LIMIT)
    names = mentions(session, workspace_id, (e.actor_id for e in entries))
    history = tuple(
        HistoryEntry(e.created_at, e.kind, names[e.actor_id].name if e.actor_id in names else None, e.detail)
        for e in entries
    )
    return LeadDetail(record, float(average) if average is not None else None, int(count or 0), history)


def owners_with_email(session: Session, workspace_id: int, email: str) -> tuple[int, ...]:
    """The members of the workspace with this e-mail (ignoring case): who ``owner_email`` means."""
    rows = session.execute(_OWNERS_BY_EMAIL, {"workspace": workspace_id, "email": email.strip().lower()})
    return tuple(member_id for (member_id,) in rows)


def of_lead(lead: Lead, *, owner: Member | None, marketer: Member | None, campaign: str | None) -> LeadRecord:
    """The record of a lead this transaction holds as an entity (one just handed off), without reading it back."""
    assert lead.id is not None
    return LeadRecord(
        lead.id,
        lead.number,
        lead.company,
        lead.contact_name,
        lead.email,
        lead.source,
        campaign,
        lead.note,
        lead.status,
        lead.stage,
        lead.amount,
        lead.outcome_reason,
        Person(owner.display_name, owner.email) if owner is not None else None,
        Person(marketer.display_name, marketer.email) if marketer is not None else None,
        lead.created_at,
        lead.handed_off_at,
        lead.accepted_at,
        lead.first_touch_at,
        lead.last_touch_at,
        lead.closed_at,
    )


def brief(session: Session, workspace_id: int, lead_id: int) -> LeadRecord:
    """One lead by its row id (an idempotent replay, a duplicate): the same record a list shows."""
    row = session.execute(_RECORDS.where(_LEAD.c.id == bindparam("id")), {"workspace": workspace_id, "id": lead_id})
    return _record(row.one())


@dataclass(frozen=True, slots=True)
class _Identified:
    id: int
    workspace_id: int


def _record(row: Sequence[Any]) -> LeadRecord:
    (
        lead_id, number, company, contact_name, email, source, campaign, note, status, stage, amount, reason,
        owner_name, owner_email, marketer_name, marketer_email, *times,
    ) = row  # fmt: skip
    return LeadRecord(
        lead_id,
        number,
        company,
        contact_name,
        email,
        source,
        campaign,
        note,
        status,
        stage,
        amount,
        reason,
        Person(owner_name, owner_email) if owner_name is not None else None,
        Person(marketer_name, marketer_email) if marketer_name is not None else None,
        *times,
    )
