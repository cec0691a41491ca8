"""A card's buttons are commands on one lead. When the lead moves on by another route (a typed command, another
card, a reassignment), every card that still offers buttons on it gives them up for a line saying where the lead
is now, so nobody presses a button that no longer applies. A card not sent yet is rewritten in place; a sent
one gets a follow-up outbox row that rewrites the delivered message (``refreshes_id``)."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.outbox import ENQUEUED, enqueue_rewrite, reply_of
from bot.core.people import mention
from bot.core.replies import Buttons, Span, context, to_json
from bot.leads.lifecycle import MOVED_LEADS
from bot.leads.views import status_line
from storage.db import unit_cache
from storage.models import Lead, Member, Outbox


def settle_moved_cards(session: Session, clock: Clock) -> int:
    """Settle the cards of every lead this transaction moved; returns how many. A DM card whose own button made
    the move is answered already (``response_note``: its platform shows the outcome on it) and is left alone; a
    channel post whose button was pressed is settled like any other, so nobody else presses it."""
    moved: dict[int, tuple[Lead, Member | None]] = unit_cache(session, MOVED_LEADS)
    settled = 0
    for lead, actor in list(moved.values()):
        settled += _settle(session, clock, lead, actor)
    moved.clear()
    return settled


def _settle(session: Session, clock: Clock, lead: Lead, actor: Member | None) -> int:
    rows = session.exec(select(Outbox).where(
        col(Outbox.lead_id) == lead.id, Outbox.workspace_id == lead.workspace_id,
        col(Outbox.response_note).is_(None), col(Outbox.status).in_(("pending", "sending", "sent")),
    ).order_by(col(Outbox.id))).all()
    written_now = unit_cache(session, ENQUEUED)
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
        line: tuple[Span | str, ...] = (f"Since then: {status_line(lead)}",)
        if actor is not None:
            line += (" — ", mention(session, actor))
        settled = replace(card, blocks=(*(block for block in card.blocks if not isinstance(block, Buttons)),
                                        context(*line)))
        if row.status == "pending":
            row.payload = to_json(settled)
            session.add(row)
        elif enqueue_rewrite(session, clock, of=row, reply=settled) is None:
            continue  # rewritten once already: its buttons are gone from the message
        count += 1
    return count

