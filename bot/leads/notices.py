"""Proactive messages caused by lead moves. Each is an outbox row in the command's own transaction."""

from __future__ import annotations

from sqlmodel import Session

from bot.admin.settings import get_setting
from bot.core.clock import Clock
from bot.core.outbox import enqueue_channel, enqueue_dm
from bot.core.replies import Buttons, Reply, Span, context
from bot.leads.views import lead_blocks, reassign_button
from storage.models import Campaign, Lead, LeadEvent, Member


def handoff_dm(session: Session, clock: Clock, lead: Lead, owner: Member, event: LeadEvent,
               intro: tuple[Span | str, ...]) -> None:
    """The owner's lead card with Accept / Reject buttons."""
    blocks = lead_blocks(session, lead, viewer=owner, intro=intro)
    blocks.append(context("Accept within the SLA so marketing knows it is in good hands."))
    enqueue_dm(session, clock, member=owner, reply=Reply(blocks=tuple(blocks)), kind="handoff", key=f"e{event.id}",
               lead_id=lead.id)


def tell(session: Session, clock: Clock, member: Member | None, lead: Lead, event: LeadEvent, kind: str,
         intro: tuple[Span | str, ...], *, skip: Member | None = None) -> None:
    """A short notice about ``lead`` to ``member`` (the marketer, a campaign owner), never to the actor."""
    if member is None or (skip is not None and member.id == skip.id):
        return
    blocks = lead_blocks(session, lead, viewer=member, intro=intro)  # a rejected lead: Reassign, for marketing
    enqueue_dm(session, clock, member=member, reply=Reply(blocks=tuple(blocks)), kind=kind, key=f"e{event.id}",
               lead_id=lead.id)


def marketer_of(session: Session, lead: Lead) -> Member | None:
    return session.get(Member, lead.marketer_id) if lead.marketer_id else None


def campaign_owner_of(session: Session, lead: Lead) -> Member | None:
    campaign = session.get(Campaign, lead.campaign_id) if lead.campaign_id else None
    return session.get(Member, campaign.owner_id) if campaign and campaign.owner_id else None


def unassigned_notice(session: Session, clock: Clock, lead: Lead, event: LeadEvent,
                      intro: tuple[Span | str, ...]) -> bool:
    """Tell the marketing channel; False when no marketing channel is configured."""
    channel = get_setting(session, lead.workspace_id, "marketing_channel")
    if not channel:
        return False
    blocks = lead_blocks(session, lead, intro=intro, with_buttons=False)
    blocks.append(Buttons(buttons=(reassign_button(lead, "Assign"),)))
    blocks.append(context(f"Or type `lead reassign L-{lead.number} to:@rep`. Assigning needs the marketer role."))
    enqueue_channel(session, clock, workspace_id=lead.workspace_id, channel=channel,
                    reply=Reply(blocks=tuple(blocks), visibility="in_channel"), kind="unassigned", key=f"e{event.id}",
                    lead_id=lead.id)
    return True
