"""A lead's history as cards show it: the newest events of its trail, read as plain rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam
from sqlmodel import Session, select

from storage.models import LeadEvent


@dataclass(frozen=True, slots=True)
class TrailEntry:
    """One line of a lead's history as a card shows it."""

    kind: str
    detail: str | None
    created_at: datetime
    actor_id: int | None


_EVENT_TABLE = LeadEvent.__table__  # type: ignore[attr-defined]
# Plain rows: the trail is only read here, and a Core statement costs a fraction of loading entities.
_TRAIL = (
    select(_EVENT_TABLE.c.kind, _EVENT_TABLE.c.detail, _EVENT_TABLE.c.created_at, _EVENT_TABLE.c.actor_id)
    .where(_EVENT_TABLE.c.workspace_id == bindparam("workspace"), _EVENT_TABLE.c.lead_id == bindparam("lead"))
    .order_by(_EVENT_TABLE.c.id.desc())
    .limit(bindparam("limit"))
)


class Identified(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def workspace_id(self) -> int: ...


def trail(session: Session, lead: Identified, limit: int = 40) -> list[TrailEntry]:
    """The newest ``limit`` events of the lead, oldest first."""
    rows = session.execute(_TRAIL, {"workspace": lead.workspace_id, "lead": lead.id, "limit": limit}).all()
    return [TrailEntry(kind, detail, created_at, actor_id) for kind, detail, created_at, actor_id in reversed(rows)]
