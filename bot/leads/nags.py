"""Hand-off nags (SPEC §4), one batch of due leads at a time: read what the batch needs (bot/leads/
nag_queries.py), decide each lead's step (bot/leads/nag_rules.py), word the messages (bot/leads/nag_views.py),
and write the trail, the outbox rows and the leads' new due times together. Platform-neutral: the scheduler
calls ``nag_due_leads``; nothing here knows about APScheduler or a chat platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session

from bot.admin.settings import all_settings
from bot.core.clock import Clock
from bot.core.outbox import channel_row, dm_row, enqueue_all
from bot.core.replies import Mention
from bot.leads import nag_views
from bot.leads.nag_queries import WorkspaceBatch, due_leads, prefetch
from bot.leads.nag_rules import PhaseHistory, next_step
from bot.leads.queries import LeadCard
from storage.models import Lead, LeadEvent, Member, Outbox
from storage.types import UTCDateTime

_LEAD = Lead.__table__  # type: ignore[attr-defined]
_EVENT = LeadEvent.__table__  # type: ignore[attr-defined]
# One statement for the whole batch (executemany): each lead's next due time and reminder count.
_NEXT_DUE = (
    update(_LEAD)
    .where(_LEAD.c.workspace_id == bindparam("workspace"), _LEAD.c.id == bindparam("lead"))
    .values(
        nag_due_at=bindparam("due", type_=UTCDateTime()),
        nag_count=bindparam("count"),
        last_nag_at=bindparam("nagged", type_=UTCDateTime()),
    )
)


@dataclass
class NagRound:
    """What one pass over the due leads did."""

    nagged: int = 0
    escalated: int = 0
    deferred: int = 0  # quiet hours: moved to the owner's next working hour
    settled: int = 0  # not due after all (touched, closed, SLA moved): due time corrected or cleared

    @property
    def seen(self) -> int:
        return self.nagged + self.deferred + self.settled

    def add(self, other: NagRound) -> None:
        self.nagged += other.nagged
        self.escalated += other.escalated
        self.deferred += other.deferred
        self.settled += other.settled

    def __str__(self) -> str:
        return (
            f"nagged {self.nagged}, escalated {self.escalated}, deferred to working hours {self.deferred}, "
            f"settled {self.settled}"
        )


def nag_due_leads(
    session: Session,
    clock: Clock,
    now: datetime,
    *,
    limit: int = 200,
    settings_cache: dict[int, dict[str, str]] | None = None,
) -> NagRound:
    """One batch, in the caller's transaction: every nag, escalation and trail row is written with the
    lead's new due time, so a crash either keeps all of it or none. The reads come first and the writes go
    out together when the session flushes, so the batch's round trips do not grow with its size."""
    cache = settings_cache if settings_cache is not None else {}
    leads = due_leads(session, now, limit)
    by_workspace: dict[int, list[Lead]] = {}
    for lead in leads:
        by_workspace.setdefault(lead.workspace_id, []).append(lead)
    batches: dict[int, WorkspaceBatch] = {}
    for workspace_id, group in by_workspace.items():
        if workspace_id not in cache:
            cache[workspace_id] = all_settings(session, workspace_id)
        batches[workspace_id] = prefetch(session, workspace_id, group)
    done = NagRound()
    writes = _Writes()
    for lead in leads:  # oldest due first, as the reminders were always written
        done.add(_nag_lead(session, clock, lead, batches[lead.workspace_id], cache[lead.workspace_id], now, writes))
    writes.flush(session)
    return done


@dataclass
class _Writes:
    """The batch's writes, sent together: trail rows and outbox rows in one multi-row INSERT each, the leads'
    new due times in one UPDATE. The lead entities stay as read."""

    events: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[Outbox] = field(default_factory=list)
    due: list[dict[str, Any]] = field(default_factory=list)

    def record(self, lead: Lead, kind: str, now: datetime, detail: str) -> None:
        self.events.append(
            {
                "workspace_id": lead.workspace_id,
                "lead_id": lead.id,
                "actor_id": None,
                "kind": kind,
                "from_status": lead.status,
                "to_status": lead.status,
                "detail": detail[:2000],
                "created_at": now,
            }
        )

    def next_due(self, lead: Lead, due: datetime | None, *, count: int, nagged: datetime | None) -> None:
        self.due.append({"workspace": lead.workspace_id, "lead": lead.id, "due": due, "count": count, "nagged": nagged})

    def flush(self, session: Session) -> None:
        if self.events:
            session.execute(insert(_EVENT), self.events)
        enqueue_all(session, self.outbox)
        if self.due:
            session.execute(_NEXT_DUE, self.due)


def _nag_lead(
    session: Session,
    clock: Clock,
    lead: Lead,
    batch: WorkspaceBatch,
    settings: dict[str, str],
    now: datetime,
    writes: _Writes,
) -> NagRound:
    assert lead.id is not None
    outcome = NagRound()
    owner = batch.members.get(lead.owner_id) if lead.owner_id else None
    step = next_step(lead, owner, settings, now, batch.history.get(lead.id, PhaseHistory()))
    if step.action != "nag" or owner is None:
        writes.next_due(lead, step.next_due, count=lead.nag_count, nagged=lead.last_nag_at)
        outcome.deferred, outcome.settled = (1, 0) if step.action == "defer" else (0, 1)
        return outcome
    key = f"L{lead.id}:n{lead.nag_count + 1}:{int((lead.nag_due_at or now).timestamp())}"
    card = LeadCard(batch.cards[lead.id], batch.people)
    reason = nag_views.overdue_reason(lead, settings, now)
    writes.record(lead, "nag", now, nag_views.nag_detail(step, owner, reason))
    marketer = batch.members.get(lead.marketer_id) if lead.marketer_id else None
    if step.escalate:
        earlier = step.reminder - 1  # the reminders of this phase before this one
        told = _escalate(
            session, clock, card, lead, owner, marketer, batch, settings, reason, earlier, key, writes.outbox
        )
        writes.record(lead, "escalation", now, nag_views.escalation_detail(earlier, told))
        outcome.escalated = 1
    writes.outbox.append(
        dm_row(
            clock,
            member=owner,
            kind="nag",
            key=key,
            lead_id=lead.id,
            reply=nag_views.nag_reply(card, lead, owner, step, now, marketer),
        )
    )
    writes.next_due(lead, step.next_due, count=lead.nag_count + 1, nagged=now)
    outcome.nagged = 1
    return outcome


def _escalate(
    session: Session,
    clock: Clock,
    card: LeadCard,
    lead: Lead,
    owner: Member,
    marketer: Member | None,
    batch: WorkspaceBatch,
    settings: dict[str, str],
    problem: str,
    nags: int,
    key: str,
    outbox: list[Outbox],
) -> list[str]:
    """Managers (channel, or each manager by DM when no channel is set) and the marketer who handed it off;
    returns who was told, for the trail."""
    assert owner.id is not None
    owner_named = batch.people.get(owner.id) or Mention(name=owner.display_name)
    told: list[str] = []
    channel = settings.get("managers_channel", "")
    if channel and ":" in channel:
        outbox.append(
            channel_row(
                clock,
                workspace_id=lead.workspace_id,
                channel=channel,
                kind="escalation",
                key=key,
                reply=nag_views.escalation_reply(card, owner_named, problem, nags, in_channel=True),
            )
        )
        told.append("the managers channel")
    else:
        managers = batch.managers(session)
        post = nag_views.escalation_reply(card, owner_named, problem, nags, in_channel=False)
        for manager in managers:
            if manager.id != owner.id:
                outbox.append(dm_row(clock, member=manager, reply=post, kind="escalation", key=key))
        if managers:
            told.append("the managers")
    if marketer is not None and marketer.id != owner.id:
        outbox.append(
            dm_row(
                clock,
                member=marketer,
                kind="escalation",
                key=key,
                reply=nag_views.heads_up_reply(card, marketer, owner_named, problem, nags),
            )
        )
        told.append(marketer.display_name)
    return told
