"""The figures of `stats` that describe now rather than a window: the open leads breaching their SLA, by owner,
and each running campaign's progress towards its target — plus the campaign names the other figures need."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, func, literal_column, or_, select
from sqlalchemy.sql.expression import Select
from sqlmodel import Session

from bot.stats.scope import Scope, campaign_filter, lead_filter
from storage.models import OPEN_STATUSES, Campaign, Lead
from storage.types import UTCDateTime

_LEAD: Table = Lead.__table__  # type: ignore[attr-defined]
_CAMPAIGN: Table = Campaign.__table__  # type: ignore[attr-defined]


def _moment(name: str) -> Any:
    return bindparam(name, type_=UTCDateTime())


@dataclass(frozen=True, slots=True)
class Breaches:
    owner_id: int
    count: int


@functools.cache
def _breaches_statement(shape: tuple[str, bool, bool, bool]) -> Select[Any]:
    """The SLA rule of bot/leads/sla.py:sla_due_at as one condition: a hand-off not accepted within
    ``accept_sla_hours``, an accepted lead not touched within ``first_touch_sla_hours``, or one with no touch for
    ``stale_after_days``. The open statuses are spelled out so the planner takes the partial index of open
    leads (ix_lead_owner_open)."""
    lead = _LEAD
    waiting = and_(
        lead.c.status == "handed_off", func.coalesce(lead.c.handed_off_at, lead.c.created_at) <= _moment("accept_cut")
    )
    untouched = and_(
        lead.c.status == "accepted",
        lead.c.last_touch_at.is_(None),
        func.coalesce(lead.c.accepted_at, lead.c.created_at) <= _moment("touch_cut"),
    )
    stale = and_(lead.c.status == "accepted", lead.c.last_touch_at <= _moment("stale_cut"))
    count = func.count().label("count")
    return (
        select(lead.c.owner_id, count)
        .where(
            lead.c.workspace_id == bindparam("workspace"),
            literal_column("status IN ('" + "', '".join(OPEN_STATUSES) + "')"),
            lead.c.owner_id.is_not(None),
            or_(waiting, untouched, stale),
            lead_filter(shape),
        )
        .group_by(lead.c.owner_id)
        .order_by(count.desc(), lead.c.owner_id)
        .with_hint(lead, "INDEXED BY ix_lead_open_sla", "sqlite")
    )


def breaches(
    session: Session, workspace_id: int, scope: Scope, settings: Mapping[str, str], now: datetime
) -> list[Breaches]:
    """Open leads whose SLA deadline has passed at ``now``, per owner, most first."""
    params = {
        "workspace": workspace_id,
        "accept_cut": now - timedelta(hours=int(settings["accept_sla_hours"])),
        "touch_cut": now - timedelta(hours=int(settings["first_touch_sla_hours"])),
        "stale_cut": now - timedelta(days=int(settings["stale_after_days"])),
        **scope.params,
    }
    return [
        Breaches(int(owner), int(count)) for owner, count in session.execute(_breaches_statement(scope.shape), params)
    ]


@dataclass(frozen=True, slots=True)
class Progress:
    """A campaign's leads so far (up to the period's end) against its target."""

    campaign_id: int
    name: str
    target: int | None
    delivered: int
    accepted: int


@functools.cache
def _progress_statement(shape: tuple[str, bool, bool, bool]) -> Select[Any]:
    """Campaigns that ran in the period (created before its end and active, or ending within or after it) or
    that the period's leads came from, each with its leads up to the period's end: two counts per campaign on
    the (workspace, campaign, created, status) index, so the cost follows those campaigns' leads."""
    lead, campaign = _LEAD, _CAMPAIGN
    running = or_(
        campaign.c.id.in_(bindparam("seen", expanding=True)),
        and_(
            campaign.c.created_at < _moment("stop"),
            or_(campaign.c.status == "active", campaign.c.ends_on >= bindparam("first_day")),
        ),
    )

    def leads(*more: Any) -> Any:
        return (
            select(func.count())
            .where(
                lead.c.workspace_id == campaign.c.workspace_id,
                lead.c.campaign_id == campaign.c.id,
                lead.c.created_at < _moment("stop"),
                lead_filter(shape),
                *more,
            )
            .with_hint(lead, "INDEXED BY ix_lead_campaign_progress", "sqlite")
            .scalar_subquery()
        )

    return (
        select(
            campaign.c.id,
            campaign.c.name,
            campaign.c.target,
            leads().label("delivered"),
            leads(lead.c.status.in_(("accepted", "won", "lost"))).label("accepted"),
        )
        .where(campaign.c.workspace_id == bindparam("workspace"), running, campaign_filter(shape))
        .order_by(campaign.c.id.desc())
        .limit(bindparam("limit"))
    )


def progress(
    session: Session,
    workspace_id: int,
    scope: Scope,
    *,
    first_day: date,
    stop: datetime,
    seen: Collection[int],
    limit: int = 12,
) -> list[Progress]:
    """The campaigns of the period, newest first, with their leads up to ``stop`` (a rep sees none)."""
    if scope.reach == "own":
        return []
    params = {
        "workspace": workspace_id,
        "seen": sorted(seen) or [-1],
        "first_day": first_day,
        "stop": stop,
        "limit": limit,
        **scope.params,
    }
    return [
        Progress(int(cid), str(name), int(target) if target is not None else None, int(n or 0), int(a or 0))
        for cid, name, target, n, a in session.execute(_progress_statement(scope.shape), params)
    ]


_NAMES = select(_CAMPAIGN.c.id, _CAMPAIGN.c.name).where(
    _CAMPAIGN.c.workspace_id == bindparam("workspace"), _CAMPAIGN.c.id.in_(bindparam("ids", expanding=True))
)


def campaign_names(session: Session, workspace_id: int, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(i): str(n) for i, n in session.execute(_NAMES, {"workspace": workspace_id, "ids": sorted(ids)})}
