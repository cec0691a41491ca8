"""What the nag round reads: the due leads, and for each workspace among them everything their reminders need
(owners and marketers, their mentions, the cards, this phase's reminders) in one query each, so a batch
costs the same few round trips whether it holds five leads or two hundred."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.core.people import mentions
from bot.core.replies import Mention
from bot.leads import queries
from bot.leads.nag_rules import PhaseHistory, phase_start
from storage.models import Lead, LeadEvent, Member

_EVENT = LeadEvent.__table__  # type: ignore[attr-defined]
# The reminders and escalations of the batch's leads since the oldest of their phases; each lead then counts
# those of its own phase (bot/leads/nag_rules.py:phase_start is the one definition of when a phase began).
_PHASE_EVENTS = select(_EVENT.c.lead_id, _EVENT.c.kind, _EVENT.c.created_at).where(
    _EVENT.c.workspace_id == bindparam("workspace"),
    _EVENT.c.lead_id.in_(bindparam("leads", expanding=True)),
    _EVENT.c.kind.in_(("nag", "escalation")),
    _EVENT.c.created_at >= bindparam("since"),
)
_MEMBERS = select(Member).where(
    col(Member.workspace_id) == bindparam("workspace"), col(Member.id).in_(bindparam("ids", expanding=True))
)
_MANAGERS = (
    select(Member)
    .where(col(Member.workspace_id) == bindparam("workspace"), col(Member.role).in_(("manager", "admin")))
    .order_by(col(Member.id))
)


def due_query(now: datetime, limit: int = 200) -> SelectOfScalar[Lead]:
    return (
        select(Lead)
        .where(col(Lead.nag_due_at) <= now)
        .order_by(col(Lead.nag_due_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def due_leads(session: Session, now: datetime, limit: int) -> list[Lead]:
    """Leads whose nag is due, oldest first. Reads the partial index on ``nag_due_at``, so the cost follows
    the due leads, not the table; ``SKIP LOCKED`` lets a concurrent round on another replica take others."""
    return list(session.exec(due_query(now, limit)).all())


@dataclass
class WorkspaceBatch:
    """One workspace's share of a batch of due leads, with what their reminders need, by id."""

    workspace_id: int
    members: dict[int, Member]  # owners and marketers
    people: Mapping[int, Mention]
    cards: dict[int, queries.LeadView]
    history: dict[int, PhaseHistory]
    _managers: list[Member] | None = field(default=None, repr=False)

    def managers(self, session: Session) -> list[Member]:
        """Who hears an escalation when no managers channel is set: the managers, else the admins. Read once,
        on the batch's first escalation."""
        if self._managers is None:
            staff = list(session.exec(_MANAGERS, params={"workspace": self.workspace_id}).all())
            self._managers = [m for m in staff if m.role == "manager"] or [m for m in staff if m.role == "admin"]
        return self._managers


def prefetch(session: Session, workspace_id: int, leads: Sequence[Lead]) -> WorkspaceBatch:
    """Everything ``leads`` (all of ``workspace_id``) need, in four queries whatever their number."""
    lead_ids = [lead.id for lead in leads if lead.id is not None]
    people_ids = sorted({i for lead in leads for i in (lead.owner_id, lead.marketer_id) if i is not None})
    members = (
        {
            m.id: m
            for m in session.exec(_MEMBERS, params={"workspace": workspace_id, "ids": people_ids}).all()
            if m.id is not None
        }
        if people_ids
        else {}
    )
    named = mentions(session, workspace_id, people_ids)
    cards = queries.of_many(session, workspace_id, lead_ids)
    return WorkspaceBatch(workspace_id, members, named, cards, _phase_history(session, workspace_id, leads))


def _phase_history(session: Session, workspace_id: int, leads: Sequence[Lead]) -> dict[int, PhaseHistory]:
    if not leads:
        return {}
    since = {lead.id: phase_start(lead) for lead in leads if lead.id is not None}
    nags: dict[int, int] = {}
    escalated: set[int] = set()
    rows = session.execute(
        _PHASE_EVENTS, {"workspace": workspace_id, "leads": sorted(since), "since": min(since.values())}
    )
    for lead_id, kind, created_at in rows:
        if created_at < since[lead_id]:
            continue
        if kind == "nag":
            nags[lead_id] = nags.get(lead_id, 0) + 1
        else:
            escalated.add(lead_id)
    return {lead_id: PhaseHistory(nags.get(lead_id, 0), lead_id in escalated) for lead_id in since}
