"""Which leads ``lead list`` shows, a page at a time. Each shape of list (scope and filters) is built into
statements once and reused with parameters: building a statement costs more than running it here."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, or_, select
from sqlmodel import Session, col

from storage.id_lists import among
from storage.models import OPEN_STATUSES, Lead

SCOPES = ("mine", "handed", "unworked", "open", "all")


@dataclass(frozen=True, slots=True)
class LeadLine:
    """A lead as a list shows it."""

    number: int
    company: str
    status: str
    stage: int | None
    owner_id: int | None


@dataclass(frozen=True, slots=True)
class Wanted:
    """``scope`` is one of SCOPES (``mine``: ``actor_id`` owns them; ``handed``: ``actor_id`` handed them off);
    ``own_only`` narrows any scope to ``actor_id``'s leads (what a rep sees)."""

    scope: str
    actor_id: int
    owner_id: int | None = None
    campaign_id: int | None = None
    own_only: bool = False


def page(session: Session, workspace_id: int, wanted: Wanted, size: int) -> tuple[int, list[LeadLine]]:
    """How many leads match in all, and the newest ``size`` of them."""
    count, rows = _statements(
        wanted.scope, wanted.owner_id is not None, wanted.campaign_id is not None, wanted.own_only
    )
    params = {
        "workspace": workspace_id,
        "actor": wanted.actor_id,
        "owner": wanted.owner_id,
        "campaign": wanted.campaign_id,
        "size": size,
    }
    total = int(session.execute(count, params).scalar_one())
    return total, [LeadLine(*row) for row in session.execute(rows, params)]


@functools.cache
def _statements(
    scope: str, by_owner: bool, by_campaign: bool, own_only: bool
) -> tuple[Select[int], Select[int, str, str, int | None, int | None]]:
    status = col(Lead.status)
    query = select(col(Lead.number), col(Lead.company), status, col(Lead.stage), col(Lead.owner_id)).where(
        col(Lead.workspace_id) == bindparam("workspace")
    )
    if scope == "mine":
        query = query.where(col(Lead.owner_id) == bindparam("actor"), status.in_(_open_statuses()))
    elif scope == "handed":  # the leads ``actor`` handed off (or gave a new owner), of every status
        query = query.where(col(Lead.marketer_id) == bindparam("actor"))
    elif scope == "unworked":
        query = query.where(_unworked())
    elif scope == "open":
        query = query.where(status.in_(_open_statuses()))
    if by_owner:
        query = query.where(col(Lead.owner_id) == bindparam("owner"))
    if by_campaign:
        query = query.where(col(Lead.campaign_id) == bindparam("campaign"))
    if own_only:
        query = query.where(col(Lead.owner_id) == bindparam("actor"))
    count = select(func.count()).select_from(query.subquery())
    newest: Any = col(Lead.created_at)
    if (scope == "mine" or by_owner or own_only) and scope not in ("mine", "open"):
        # One person's leads of every status: sort their rows found by the owner index. Ordering by the bare
        # column lets SQLite (no statistics) walk the whole workspace's created-at index instead (0.3 s at 1M).
        # Open leads need no trick: ix_lead_owner_open serves both the filter and the order.
        newest = func.coalesce(Lead.created_at, Lead.created_at)
    return count, query.order_by(newest.desc(), col(Lead.id).desc()).limit(bindparam("size", type_=Integer))


def unworked_counts(session: Session, workspaces: list[int]) -> dict[int, int]:
    """How many leads wait for someone to work them (the ``unworked`` list), per workspace, in one GROUP BY;
    a workspace with none is left out."""
    rows = session.execute(_UNWORKED_COUNTS, {"workspaces": workspaces})
    return {int(workspace): int(count) for workspace, count in rows}


def _unworked() -> Any:
    """Handed off and not accepted, waiting for an owner, or accepted and never touched."""
    status = col(Lead.status)
    return or_(
        status == "handed_off",
        status == "unassigned",
        (status == "accepted") & col(Lead.first_touch_at).is_(None),
    )


_UNWORKED_COUNTS = (
    select(col(Lead.workspace_id), func.count())
    .where(among(col(Lead.workspace_id), "workspaces"), _unworked())
    .group_by(col(Lead.workspace_id))
)


def _open_statuses() -> Any:
    """Rendered as literals so the planner can match the partial index ``ix_lead_owner_open``."""
    return bindparam("open_statuses", OPEN_STATUSES, expanding=True, literal_execute=True)
