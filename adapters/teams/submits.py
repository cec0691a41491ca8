"""A card button press ran as the clicker; now the card itself shows the outcome (so nobody clicks twice),
through an activity update on the Bot Connector. A button on a channel post (a campaign's Why?, an unassigned
lead's Assign) answers the clicker alone, in their 1:1 chat with Tandem, and leaves the post as everyone sees it
(a lead post whose buttons no longer apply is settled by the card refresh)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from microsoft_teams.apps import ActivityContext

from adapters.teams.cards import render_card_message, render_message, without_buttons
from adapters.teams.references import workspace_of
from adapters.teams.sender import TeamsSender
from adapters.teams.translate import Submit, base_conversation_id
from bot.core.delivery import DeliveryFailed, Target
from bot.core.outbox import reply_of
from bot.core.replies import Buttons, Fields, Reply, context, p
from bot.core.runtime import Runtime
from bot.core.stops import stops
from storage.models import Member, Outbox

log = logging.getLogger("tandem.teams.submits")


@dataclass(frozen=True)
class Clicked:
    """The card a button was pressed on, and whether it is a channel post everyone sees."""

    card: Reply
    in_channel: bool


def original_card(
    runtime: Runtime, tenant: str, outbox_id: int, clicker_id: int | None, conversation_id: str
) -> Clicked | None:
    """The card that was clicked, if it was ours to show in this conversation (never another workspace's)."""
    with runtime.db.session() as session:
        row = session.get(Outbox, outbox_id)
        if row is None or row.workspace_id != workspace_of(session, tenant):
            return None
        mine = row.target_member_id is not None and row.target_member_id == clicker_id
        here = any(stop.channel.endswith(":" + conversation_id) for stop in stops(row))
        if not (mine or here):
            return None
        return Clicked(reply_of(row), in_channel=not mine)


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
    ctx: ActivityContext[Any],
    runtime: Runtime,
    submit: Submit,
    reply: Reply,
    *,
    tenant: str,
    clicker: Member,
    sender: TeamsSender | None = None,
) -> None:
    activity = ctx.activity
    card_id = activity.reply_to_id
    clicked = None
    if card_id and submit.outbox_id is not None:
        clicked = await runtime.db.run(
            original_card, runtime, tenant, submit.outbox_id, clicker.id, base_conversation_id(activity.conversation.id)
        )
    if clicked is not None and clicked.in_channel:
        if not await _to_clicker(sender, tenant, activity.from_.id, clicker, reply):
            await ctx.send(render_message(reply))  # not reachable 1:1 yet: answered in the post's thread
        return
    if clicked is None or not reply.ok:
        await ctx.send(render_message(reply))
        return
    updated = render_card_message(outcome_card(clicked.card, submit, reply, clicker.display_name), submit.outbox_id)
    updated.id = card_id
    try:
        await ctx.send(updated)  # an activity with an id is an update of that activity
    except Exception as error:
        log.warning("could not update the clicked card: %s", type(error).__name__)
        await ctx.send(render_message(reply))


async def _to_clicker(sender: TeamsSender | None, tenant: str, user_id: str, clicker: Member, reply: Reply) -> bool:
    """The answer in the clicker's own chat with Tandem; False when the bot cannot reach them there."""
    if sender is None:
        return False
    target = Target(platform="teams", team_id=tenant, kind="user", address=user_id, member_id=clicker.id)
    try:
        await sender.send(target, reply)
    except DeliveryFailed as error:
        log.info("answering a channel click in the thread: %s", error)
        return False
    return True
