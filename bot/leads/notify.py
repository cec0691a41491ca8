"""Who hears about a lead move, and the outbox rows that tell them, written in the command's own transaction
(what they are shown is bot/leads/notices.py)."""

from __future__ import annotations

from sqlmodel import Session

from bot.admin.settings import get_setting
from bot.core.clock import Clock
from bot.core.outbox import enqueue_channel, enqueue_dm
from bot.core.replies import Span
from bot.core.unit import Changes
from bot.leads import notices
from bot.leads.queries import card
from storage.models import Campaign, Lead, LeadEvent, Member


def handoff_dm(
    session: Session,
    clock: Clock,
    lead: Lead,
    owner: Member,
    event: LeadEvent,
    intro: tuple[Span | str, ...],
    *,
    changes: Changes,
) -> None:
    """The owner's lead card with Accept / Reject buttons."""
    enqueue_dm(
        session,
        clock,
        member=owner,
        reply=notices.handoff_card(card(session, lead), owner, intro),
        kind="handoff",
        key=f"e{event.id}",
        lead_id=lead.id,
        changes=changes,
    )


def tell(
    session: Session,
    clock: Clock,
    member: Member | None,
    lead: Lead,
    event: LeadEvent,
    kind: str,
    intro: tuple[Span | str, ...],
    *,
    changes: Changes,
    skip: Member | None = None,
) -> None:
    """A short notice about ``lead`` to ``member`` (the marketer, a campaign owner), never to the actor."""
    if member is None or (skip is not None and member.id == skip.id):
        return
    enqueue_dm(
        session,
        clock,
        member=member,
        reply=notices.lead_notice(card(session, lead), member, intro),
        kind=kind,
        key=f"e{event.id}",
        lead_id=lead.id,
        changes=changes,
    )


def marketer_of(session: Session, lead: Lead) -> Member | None:
    return session.get(Member, lead.marketer_id) if lead.marketer_id else None


def campaign_owner_of(session: Session, lead: Lead) -> Member | None:
    campaign = session.get(Campaign, lead.campaign_id) if lead.campaign_id else None
    return session.get(Member, campaign.owner_id) if campaign and campaign.owner_id else None


def unassigned_notice(
    session: Session, clock: Clock, lead: Lead, event: LeadEvent, intro: tuple[Span | str, ...], *, changes: Changes
) -> bool:
    """Tell the marketing channel; False when no marketing channel is configured."""
    channel = get_setting(session, lead.workspace_id, "marketing_channel")
    if not channel:
        return False
    enqueue_channel(
        session,
        clock,
        workspace_id=lead.workspace_id,
        channel=channel,
        reply=notices.unassigned_post(card(session, lead), intro),
        kind="unassigned",
        key=f"e{event.id}",
        lead_id=lead.id,
        changes=changes,
    )
    return True
