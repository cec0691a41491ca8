"""What one command changed, said out loud: the services a handler calls note here the leads they moved and
the outbox rows they wrote, and the work that runs after the handler, in the same transaction (withdrawing
stale card buttons), reads it from the command's Context instead of from hidden session state."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.models import Lead, Member


@dataclass(frozen=True, slots=True)
class MovedLead:
    """A lead whose state changed, as it is now, and who moved it (None: Tandem itself)."""

    lead: Lead
    actor: Member | None


@dataclass
class Changes:
    """One command's unit of work, beside its session: made fresh for every command and gone with it (a
    command that fails rolls its session back, and its Changes are never read)."""

    moved_leads: dict[int, MovedLead] = field(default_factory=dict)
    enqueued_outbox_ids: set[int] = field(default_factory=set)

    def lead_moved(self, lead: Lead, actor: Member | None) -> None:
        assert lead.id is not None
        self.moved_leads[lead.id] = MovedLead(lead, actor)

    def enqueued(self, outbox_id: int | None) -> None:
        assert outbox_id is not None
        self.enqueued_outbox_ids.add(outbox_id)
