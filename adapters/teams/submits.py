"""A card button press ran as the clicker; now the card itself shows the outcome (so nobody clicks twice),
through an activity update on the Bot Connector."""

from __future__ import annotations

import logging
from typing import Any

from microsoft_teams.apps import ActivityContext
from starlette.concurrency import run_in_threadpool

from adapters.teams.cards import render_message, without_buttons
from adapters.teams.references import workspace_of
from adapters.teams.translate import Submit, base_conversation_id
from bot.replies import Buttons, Fields, Reply, b, context, p
from bot.runtime import Runtime
from bot.services.outbox import reply_of
from storage.models import Member, Outbox

log = logging.getLogger("tandem.teams.submits")


def original_card(runtime: Runtime, tenant: str, outbox_id: int, clicker_id: int | None,
                  conversation_id: str) -> Reply | None:
    """The card that was clicked, if it was ours to show in this conversation (never another workspace's)."""
    with runtime.db.session() as session:
        row = session.get(Outbox, outbox_id)
        if row is None or row.workspace_id != workspace_of(session, tenant):
            return None
        mine = row.target_member_id is not None and row.target_member_id == clicker_id
        here = row.target_channel is not None and row.target_channel.endswith(":" + conversation_id)
        if not (mine or here):
            return None
        return reply_of(row)


def outcome_card(original: Reply, submit: Submit, reply: Reply, clicker: str) -> Reply:
    done = without_buttons(original)
    line = context(b(f"{submit.label or 'Done'} — {clicker}"), p(": " + reply.summary if reply.summary else ""))
    return done.model_copy(update={"blocks": (*done.blocks, line)})


async def answer_submit(ctx: ActivityContext[Any], runtime: Runtime, submit: Submit, reply: Reply, *, tenant: str,
                        clicker: Member) -> None:
    activity = ctx.activity
    card_id = activity.reply_to_id
    original = None
    if reply.ok and card_id and submit.outbox_id is not None:
        original = await run_in_threadpool(original_card, runtime, tenant, submit.outbox_id, clicker.id,
                                           base_conversation_id(activity.conversation.id))
    if original is None:
        await ctx.send(render_message(reply))
        return
    updated = render_message(outcome_card(original, submit, reply, clicker.display_name))
    updated.id = card_id
    try:
        await ctx.send(updated)  # an activity with an id is an update of that activity
    except Exception as error:
        log.warning("could not update the clicked card: %s", type(error).__name__)
        await ctx.send(render_message(reply))
        return
    if any(isinstance(block, Buttons | Fields) for block in reply.blocks):
        await ctx.send(render_message(reply))
