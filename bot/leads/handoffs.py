"""A hand-off (SPEC §3 `lead handoff`): the lead, its owner (named, or the next rep in turn), its trail and the
owner's card — or, with no rep, the marketing channel's notice. Chat, the REST API and CSV imports all hand off
through this one function, so a lead from a web form is carded and timed exactly like one typed in chat."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.people import mention
from bot.core.replies import Span
from bot.core.unit import Changes
from bot.leads import lifecycle
from bot.leads.notify import handoff_dm, unassigned_notice
from bot.leads.routing import next_rep
from storage.models import Lead, Member, Workspace


@dataclass(frozen=True)
class HandedOff:
    """What became of a hand-off: ``routed`` when round-robin chose the owner; ``channel_told`` when, with no
    owner, the marketing channel was told (False also when ``notify`` was off)."""

    lead: Lead
    owner: Member | None
    routed: bool
    channel_told: bool = False


def hand_off(
    session: Session,
    clock: Clock,
    *,
    workspace: Workspace,
    new: lifecycle.NewLead,
    by: Member | None,
    owner: Member | None,
    changes: Changes,
    origin: str = "an integration",
    notify: bool = True,
) -> HandedOff:
    """Create and route one lead. ``by`` is the marketer handing it off; without one (an API key, an import by an
    operator) the messages name ``origin`` instead. ``notify=False`` writes no per-lead message: a bulk import
    sends each owner one digest of its own."""
    routed = owner is None
    if owner is None:
        owner = next_rep(session, workspace)
    assert workspace.id is not None
    lead = lifecycle.create(
        session,
        clock,
        workspace_id=workspace.id,
        new=new,
        actor=by,
        owner=owner,
        status="handed_off" if owner else "unassigned",
        default_source="marketing",
    )
    source: tuple[Span | str, ...] = (mention(session, by),) if by is not None else (origin,)
    if owner is None:
        event = lifecycle.record(session, clock, lead, by, "unassigned")
        told = notify and unassigned_notice(
            session,
            clock,
            lead,
            event,
            ("No rep is available for this hand-off from ", *source, "."),
            changes=changes,
        )
        return HandedOff(lead, None, routed=True, channel_told=told)
    event = lifecycle.record(session, clock, lead, by, "handoff", detail=owner.display_name)
    if notify:
        # the first line is also the notification's text: it names the company
        intro: tuple[Span | str, ...] = (
            ("🤝 ", *source, f" handed you a new lead: {lead.company}.")
            if by is not None
            else ("🤝 A new lead from ", *source, f": {lead.company}.")
        )
        handoff_dm(session, clock, lead, owner, event, intro, changes=changes)
    return HandedOff(lead, owner, routed=routed)
