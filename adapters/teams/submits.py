"""A card button press ran as the clicker; now the card itself shows the outcome (so nobody clicks twice),
through an activity update on the Bot Connector. Only a card sent to the clicker is rewritten: a channel post is
everyone's, so a click on it is answered with a message of its own (as Slack answers it ephemerally), and what
the click changed reaches the post through the outbox (a lead's stale buttons are withdrawn there)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from microsoft_teams.apps import ActivityContext

from adapters.teams.cards import render_card_message, render_message, without_buttons
from adapters.teams.references import workspace_of
from adapters.teams.translate import Submit
from bot.core.outbox import reply_of
from bot.core.replies import Buttons, Fields, Reply, context, p
from bot.core.runtime import Runtime
from storage.models import Member, Outbox

log = logging.getLogger("tandem.teams.submits")


def original_card(runtime: Runtime, tenant: str, outbox_id: int, clicker_id: int | None) -> Reply | None:
    """The card that was clicked, if it was sent to the clicker (never another workspace's, nor a channel's)."""
    with runtime.db.session() as session:
        row = session.get(Outbox, outbox_id)
        if row is None or row.workspace_id != workspace_of(session, tenant):
            return None
        if row.target_member_id is None or row.target_member_id != clicker_id:
            return None
        return reply_of(row)


def outcome_card(original: Reply, submit: Submit, reply: Reply, clicker: str) -> Reply:
    """What the clicked card becomes: the command's own card when it answered with one (the lead's fresh state
    and next steps), otherwise the original without its buttons plus the outcome."""
    said = reply.summary or f"{submit.label or 'Done'}."
    line = context(p(said if clicker in said else f"{said} — {clicker}"))
    if any(isinstance(block, Buttons | Fields) for block in reply.blocks):
        return reply if clicker in reply.summary else replace(reply, blocks=(*reply.blocks, line))
    done = without_buttons(original)
    return replace(done, blocks=(*done.blocks, line))


async def answer_submit(
    ctx: ActivityContext[Any], runtime: Runtime, submit: Submit, reply: Reply, *, tenant: str, clicker: Member
) -> None:
    activity = ctx.activity
    card_id = activity.reply_to_id
    original = None
    if reply.ok and card_id and submit.outbox_id is not None:
        original = await runtime.db.run(original_card, runtime, tenant, submit.outbox_id, clicker.id)
    if original is None:
        await ctx.send(render_message(reply))
        return
    updated = render_card_message(outcome_card(original, submit, reply, clicker.display_name), submit.outbox_id)
    updated.id = card_id
    try:
        await ctx.send(updated)  # an activity with an id is an update of that activity
    except Exception as error:
        log.warning("could not update the clicked card: %s", type(error).__name__)
        await ctx.send(render_message(reply))
