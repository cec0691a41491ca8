"""A card's buttons are commands on one lead. When the lead moves on by another route (a typed command, another
card, a reassignment), every card that still offers buttons on it gives them up for a line saying where the lead
is now, so nobody presses a button that no longer applies. A card not sent yet is rewritten in place; a sent
one gets a follow-up outbox row that rewrites the delivered message (``refreshes_id``)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.context import Context
from bot.core.outbox import enqueue_rewrite, reply_of
from bot.core.people import mention
from bot.core.replies import Buttons, to_json
from bot.core.unit import Changes
from bot.leads.views import settled_card
from storage.models import Lead, Member, Outbox


def after_command(ctx: Context) -> None:
    """Run by dispatch after every command (registered in bot/features.py)."""
    settle_moved_cards(ctx.session, ctx.clock, ctx.changes)


def settle_moved_cards(session: Session, clock: Clock, changes: Changes) -> int:
    """Settle the cards of every lead the command moved (``changes``); returns how many. A DM card whose own
    button made the move is answered already (``response_note``: its platform shows the outcome on it) and is
    left alone; a channel post whose button was pressed is settled like any other, so nobody else presses it.
    Cards the command wrote itself are current and left alone too."""
    settled = 0
    for moved in list(changes.moved_leads.values()):
        settled += _settle(session, clock, moved.lead, moved.actor, changes.enqueued_outbox_ids)
    return settled


def _settle(session: Session, clock: Clock, lead: Lead, actor: Member | None, written_now: set[int]) -> int:
    rows = session.exec(
        select(Outbox)
        .where(
            col(Outbox.lead_id) == lead.id,
            Outbox.workspace_id == lead.workspace_id,
            col(Outbox.response_note).is_(None),
            col(Outbox.status).in_(("pending", "sending", "sent")),
        )
        .order_by(col(Outbox.id))
    ).all()
    count = 0
    for row in rows:
        if row.id in written_now:
            continue
        try:
            card = reply_of(row)
        except ValueError:  # a payload from an older version that no longer reads: leave it as it is
            continue
        if not any(isinstance(block, Buttons) for block in card.blocks):
            continue  # settled before (rewritten while still waiting to be sent)
        settled = settled_card(card, lead, mention(session, actor) if actor is not None else None)
        if row.status == "pending":
            row.payload = to_json(settled)
            session.add(row)
        elif enqueue_rewrite(session, clock, of=row, reply=settled) is None:
            continue  # rewritten once already: its buttons are gone from the message
        count += 1
    return count
