"""What the people concerned by a lead move are shown: the new owner's hand-off card, a short notice to the
marketer or campaign owner, the marketing channel's post about a lead no rep could take. Pure: built from a
LeadCard; bot/leads/notify.py reads the card, decides who hears and writes the outbox rows."""

from __future__ import annotations

from bot.core.people import MemberRow
from bot.core.replies import Buttons, Reply, Span, context
from bot.leads.queries import LeadCard
from bot.leads.views import lead_blocks, reassign_button
from storage.models import Member


def handoff_card(card: LeadCard, owner: Member | MemberRow, intro: tuple[Span | str, ...]) -> Reply:
    """The owner's lead card with Accept / Reject buttons."""
    blocks = lead_blocks(card, viewer=owner, intro=intro)
    blocks.append(context("Accept within the SLA so marketing knows it is in good hands."))
    return Reply(blocks=tuple(blocks))


def lead_notice(card: LeadCard, member: Member | MemberRow, intro: tuple[Span | str, ...]) -> Reply:
    """The card as ``member`` may act on it: a rejected lead offers marketing its Reassign button."""
    return Reply(blocks=tuple(lead_blocks(card, viewer=member, intro=intro)))


def unassigned_post(card: LeadCard, intro: tuple[Span | str, ...]) -> Reply:
    """For the marketing channel: anyone with the marketer role may assign the lead."""
    blocks = lead_blocks(card, intro=intro, with_buttons=False)
    blocks.append(Buttons(buttons=(reassign_button(card.lead, "Assign"),)))
    blocks.append(context(f"Or type `lead reassign L-{card.lead.number} to:@rep`. Assigning needs the marketer role."))
    return Reply(blocks=tuple(blocks), visibility="in_channel")
