"""A lead as its card shows it, read in one query: the lead's columns, its campaign's name and its quality
ratings; with the people the card names, and for `lead show` its trail. Cards are the most read thing in
Tandem (every `lead show`, hand-off DM, nag and button click); bot/leads/views.py only draws what is read here."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Row, bindparam, func, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from bot.core.people import mentions
from bot.core.replies import Mention
from bot.leads.lifecycle import missing, parse_id
from bot.leads.trail import TrailEntry, trail
from storage.models import Campaign, Feedback, Lead


@dataclass(frozen=True, slots=True)
class LeadView:
    id: int
    workspace_id: int
    number: int
    company: str
    contact_name: str | None
    email: str | None
    source: str
    note: str | None
    owner_id: int | None
    marketer_id: int | None
    status: str
    stage: int | None
    amount: float | None
    outcome_reason: str | None
    campaign: str | None
    quality: float | None  # the average rating, None before the first one
    ratings: int


@dataclass(frozen=True, slots=True)
class LeadCard:
    """Everything a lead card draws: the lead, the people it names by id (owner, marketer, the trail's actors;
    one missing from the workspace is simply not named) and, for `lead show`, the trail, oldest first."""

    lead: LeadView
    people: Mapping[int, Mention]
    trail: tuple[TrailEntry, ...] = ()


_LEAD = Lead.__table__  # type: ignore[attr-defined]
_CAMPAIGN = Campaign.__table__  # type: ignore[attr-defined]
_FEEDBACK = Feedback.__table__  # type: ignore[attr-defined]


def _of_lead(aggregate: ColumnElement[Any]) -> ColumnElement[Any]:
    # The workspace test is wrapped in coalesce() (workspace_id is never NULL) so no index serves it: SQLite, which
    # has no statistics, otherwise reads every rating of the workspace through ix_feedback_workspace_id instead of
    # the lead's few through the (lead_id, member_id) key — 17 ms instead of 0.05 ms with 200k ratings.
    return (
        select(aggregate)
        .where(func.coalesce(_FEEDBACK.c.workspace_id, 0) == _LEAD.c.workspace_id, _FEEDBACK.c.lead_id == _LEAD.c.id)
        .scalar_subquery()
    )


_VIEW = (
    select(
        _LEAD.c.id,
        _LEAD.c.workspace_id,
        _LEAD.c.number,
        _LEAD.c.company,
        _LEAD.c.contact_name,
        _LEAD.c.email,
        _LEAD.c.source,
        _LEAD.c.note,
        _LEAD.c.owner_id,
        _LEAD.c.marketer_id,
        _LEAD.c.status,
        _LEAD.c.stage,
        _LEAD.c.amount,
        _LEAD.c.outcome_reason,
        _CAMPAIGN.c.name,
        _of_lead(func.avg(_FEEDBACK.c.score, type_=Float)),
        _of_lead(func.count(_FEEDBACK.c.id)),
    )
    .select_from(_LEAD)
    .outerjoin(_CAMPAIGN, _CAMPAIGN.c.id == _LEAD.c.campaign_id)
    .where(_LEAD.c.workspace_id == bindparam("workspace"))
)
_BY_NUMBER = _VIEW.where(_LEAD.c.number == bindparam("number"))
_BY_ID = _VIEW.where(_LEAD.c.id == bindparam("id"))
_BY_IDS = _VIEW.where(_LEAD.c.id.in_(bindparam("ids", expanding=True)))


def find(session: Session, workspace_id: int, raw_id: str) -> LeadView:
    """The card of lead ``L-<n>`` in the workspace, or NotFound."""
    number = parse_id(raw_id)
    row = session.execute(_BY_NUMBER, {"workspace": workspace_id, "number": number}).first()
    if row is None:
        raise missing(number)
    return _view(row)


def of(session: Session, lead: Lead) -> LeadView:
    """The card of a lead entity, pending changes included (the session flushes before it reads)."""
    row = session.execute(_BY_ID, {"workspace": lead.workspace_id, "id": lead.id}).one()
    return _view(row)


def of_many(session: Session, workspace_id: int, lead_ids: Collection[int]) -> dict[int, LeadView]:
    """The cards of many leads of the workspace in one query, by lead id (the nag round's batch)."""
    if not lead_ids:
        return {}
    rows = session.execute(_BY_IDS, {"workspace": workspace_id, "ids": sorted(lead_ids)}).all()
    return {view.id: view for view in map(_view, rows)}


def card(session: Session, lead: Lead | LeadView, *, with_trail: bool = False) -> LeadCard:
    """What the card of ``lead`` shows, read now (an entity's pending changes included): the view, its trail
    when asked for, and everyone it names in one read."""
    view = of(session, lead) if isinstance(lead, Lead) else lead
    entries = tuple(trail(session, view)) if with_trail else ()
    named = mentions(session, view.workspace_id, (view.owner_id, view.marketer_id, *(e.actor_id for e in entries)))
    return LeadCard(view, named, entries)


def _view(row: Row[Any]) -> LeadView:
    values = list(row)
    quality, ratings = values[-2:]
    values[-2:] = [float(quality) if quality is not None else None, int(ratings or 0)]
    return LeadView(*values)
