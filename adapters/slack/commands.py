"""Slash commands: one per command word of the registry (``/lead``, ``/campaign``, … ``/tandem``), as the
manifest configures them. The ack carries the reply; slow work (``/stats``, or anything past the time budget)
acks at once and finishes through ``response_url``."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.bridge import Asker, SlackBridge
from adapters.slack.modals import form_for, form_view
from adapters.slack.renderer import message
from adapters.slack.text import to_command_text
from bot.core.replies import Reply, say

log = logging.getLogger("tandem.slack.commands")
LAZY_COMMANDS = frozenset({"stats"})  # reports over a workspace's whole history
BUDGET_SECONDS = 2.0  # past this, answer "working on it" and finish through response_url


def asker_of(body: dict[str, Any]) -> Asker:
    return Asker(
        team_id=str(body.get("team_id") or ""),
        user_id=str(body.get("user_id") or ""),
        user_name=body.get("user_name"),
        channel=body.get("channel_id"),
        team_name=body.get("team_domain"),
    )


def command_text(body: dict[str, Any]) -> str:
    word = str(body.get("command") or "").lstrip("/").lower()
    text = to_command_text(str(body.get("text") or ""))
    return f"{word} {text}".strip()


def reply_payload(reply: Reply) -> dict[str, Any]:
    return {**message(reply), "response_type": reply.visibility}


def register(app: AsyncApp, bridge: SlackBridge) -> None:
    async def answer(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
        text = command_text(body)
        form = form_for(text)
        if form is not None and body.get("trigger_id"):
            metadata = {"r": body.get("response_url"), "c": body.get("channel_id")}
            try:
                await client.views_open(trigger_id=body["trigger_id"], view=form_view(form, metadata))
            except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
                # an expired trigger or a Slack hiccup: answer with the usage line instead of the form
                log.info("views.open failed: %s", type(error).__name__)
            else:
                await ack()
                return
        work = asyncio.ensure_future(bridge.run(client, asker_of(body), text))
        done, _ = await asyncio.wait({work}, timeout=BUDGET_SECONDS)
        if work in done:
            await ack(**reply_payload(work.result()))
            return
        await ack(**reply_payload(say("⏳ Working on it — the answer follows in a moment.")))
        bridge.follow_up(_finish(work, respond))

    async def acknowledge(ack: AsyncAck) -> None:
        await ack()

    async def answer_later(body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
        reply = await bridge.run(client, asker_of(body), command_text(body))
        await respond(**reply_payload(reply))

    for word in (entry.word for entry in bridge.runtime.dispatcher.registry.words):
        if word in LAZY_COMMANDS:
            app.command(f"/{word}")(ack=acknowledge, lazy=[answer_later])
        else:
            app.command(f"/{word}")(answer)


async def _finish(work: asyncio.Future[Reply], respond: AsyncRespond) -> None:
    reply = await work
    await respond(replace_original=True, **reply_payload(reply))
