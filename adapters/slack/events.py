"""Events: ``app_mention`` and direct messages take the same grammar and are answered in thread (a private
answer to a channel mention is shown only to the asker). Bot messages are ignored; a re-delivered event
(same ``event_id``) is processed once, across replicas."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import IntegrityError

from adapters.slack.bridge import Asker, SlackBridge
from adapters.slack.renderer import message
from adapters.slack.text import strip_bot_mention, to_command_text
from bot.core.runtime import Runtime
from storage.models import ProcessedEvent

log = logging.getLogger("tandem.slack.events")


def first_delivery(runtime: Runtime, event_id: str) -> bool:
    """Insert-first-wins: the replica whose insert succeeds handles the event; everyone else drops it."""
    if not event_id:
        return True
    try:
        with runtime.db.session() as session:
            session.add(ProcessedEvent(platform="slack", event_id=event_id[:200], created_at=runtime.clock.now()))
    except IntegrityError:
        return False
    return True


def _from_a_person(event: dict[str, Any]) -> bool:
    return not (event.get("bot_id") or event.get("subtype") or event.get("bot_profile")) and bool(event.get("user"))


def register(app: AsyncApp, bridge: SlackBridge) -> None:
    async def acknowledge(ack: AsyncAck) -> None:
        await ack()

    async def answer(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if not _from_a_person(event):
            return
        if event.get("type") == "message" and event.get("channel_type") != "im":
            return  # only direct messages; channel chatter is not for us unless we are mentioned
        if not await bridge.runtime.db.run(first_delivery, bridge.runtime, str(body.get("event_id") or "")):
            log.info("dropped a re-delivered Slack event %s", body.get("event_id"))
            return
        raw = strip_bot_mention(str(event.get("text") or ""), context.bot_user_id)
        text = to_command_text(raw) or "help"
        team_id = str(body.get("team_id") or event.get("team") or context.team_id or "")
        asker = Asker(team_id=team_id, user_id=str(event["user"]), channel=event.get("channel"))
        reply = await bridge.run(client, asker, text)
        thread = event.get("thread_ts") or event.get("ts")
        channel = str(event.get("channel"))
        if reply.visibility == "ephemeral" and event.get("channel_type") != "im":
            # a private answer asked for in a channel: only the asker sees it, still in the thread
            await client.chat_postEphemeral(channel=channel, user=asker.user_id, thread_ts=thread, **message(reply))
            return
        await client.chat_postMessage(channel=channel, thread_ts=thread, unfurl_links=False, **message(reply))

    app.event("app_mention")(ack=acknowledge, lazy=[answer])
    app.event("message")(ack=acknowledge, lazy=[answer])
