"""Button clicks (``block_actions``): each button is a command, run as the person who clicked. On success in
a DM or an ephemeral message the original message is replaced by the outcome, so nobody clicks twice."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.bridge import Asker, SlackBridge
from adapters.slack.modals import form_for, form_view, prompt_view
from adapters.slack.renderer import (
    ACTION_PREFIX,
    MAX_BLOCKS_MESSAGE,
    escape,
    fallback_text,
    outbox_id_of,
    parse_button_value,
    render_blocks,
)
from bot.core.replies import Buttons, Fields, Reply

ACTION_PATTERN = re.compile(rf"^{ACTION_PREFIX}:\d+$")
HomeRefresh = Callable[[AsyncWebClient, str, str], Awaitable[None]]


@dataclass
class Click:
    """Where a button was clicked and what to do with the message it sits on."""

    team_id: str
    user_id: str
    user_name: str | None
    channel: str | None
    response_url: str | None
    label: str
    replace: bool  # a DM or ephemeral message: safe to replace for everyone who sees it
    kept_blocks: list[dict[str, Any]]  # the original message without its buttons
    in_home: bool
    outbox_id: int | None

    def asker(self) -> Asker:
        return Asker(team_id=self.team_id, user_id=self.user_id, user_name=self.user_name, channel=self.channel)

    def metadata(self, command: str) -> dict[str, Any]:
        return {
            "cmd": command,
            "t": self.team_id,
            "r": self.response_url,
            "c": self.channel,
            "l": self.label,
            "rep": self.replace,
            "h": self.in_home,
            "o": self.outbox_id,
        }

    @classmethod
    def from_metadata(cls, data: dict[str, Any], user: dict[str, Any]) -> Click:
        return cls(
            team_id=str(data.get("t") or user.get("team_id") or ""),
            user_id=str(user.get("id") or ""),
            user_name=user.get("username") or user.get("name"),
            channel=data.get("c"),
            response_url=data.get("r"),
            label=str(data.get("l") or ""),
            replace=bool(data.get("rep")),
            kept_blocks=[],
            in_home=bool(data.get("h")),
            outbox_id=data.get("o"),
        )


def click_of(body: dict[str, Any], action: dict[str, Any]) -> Click:
    container = body.get("container") or {}
    user = body.get("user") or {}
    team = body.get("team") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    original = (body.get("message") or {}).get("blocks") or []
    in_dm = bool(channel and str(channel).startswith("D"))
    return Click(
        team_id=str(team.get("id") or user.get("team_id") or ""),
        user_id=str(user.get("id") or ""),
        user_name=user.get("username") or user.get("name"),
        channel=channel,
        response_url=body.get("response_url"),
        label=str((action.get("text") or {}).get("text") or ""),
        replace=bool(container.get("is_ephemeral")) or in_dm,
        kept_blocks=[block for block in original if isinstance(block, dict) and block.get("type") != "actions"],
        in_home=container.get("type") == "view",
        outbox_id=outbox_id_of(action.get("block_id")),
    )


async def show_outcome(client: AsyncWebClient, click: Click, reply: Reply, refresh_home: HomeRefresh) -> None:
    """Tell the clicker (and, in a DM, rewrite the card) what the click did. A reply that is itself a card
    replaces the old card; a short answer is added under it."""
    reply_blocks = render_blocks(reply)
    if click.in_home:
        await refresh_home(client, click.team_id, click.user_id)
        await client.chat_postMessage(channel=click.user_id, text=fallback_text(reply), blocks=reply_blocks)
        return
    if not click.response_url:
        return
    webhook = AsyncWebhookClient(click.response_url)
    if reply.ok and click.replace:
        done = {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"✅ *{escape(click.label)}* — by <@{click.user_id}>"}],
        }
        fresh_card = any(isinstance(block, Buttons | Fields) for block in reply.blocks)
        before = [] if fresh_card else click.kept_blocks + [{"type": "divider"}]
        blocks = (before + reply_blocks)[: MAX_BLOCKS_MESSAGE - 1] + [done]
        await webhook.send(text=fallback_text(reply), blocks=blocks, replace_original=True)
        return
    await webhook.send(
        text=fallback_text(reply), blocks=reply_blocks, response_type="ephemeral", replace_original=False
    )


def register(app: AsyncApp, bridge: SlackBridge, refresh_home: HomeRefresh) -> None:
    async def acknowledge(ack: AsyncAck) -> None:
        await ack()

    async def clicked(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        command, prompt = parse_button_value(str(action.get("value") or ""))
        click = click_of(body, action)
        form = form_for(command)
        if form is not None and body.get("trigger_id"):  # a bare command with a form (**Book next quarter**)
            metadata = {"r": click.response_url, "c": click.channel}
            await client.views_open(trigger_id=body["trigger_id"], view=form_view(form, metadata))
            return
        if prompt:
            if body.get("trigger_id"):  # Slack always sends one; without it there is no modal to open
                await client.views_open(
                    trigger_id=body["trigger_id"], view=prompt_view(prompt, click.label, click.metadata(command))
                )
            return
        reply = await bridge.run(client, click.asker(), command, source_message=click.outbox_id)
        await show_outcome(client, click, reply, refresh_home)

    app.action(ACTION_PATTERN)(ack=acknowledge, lazy=[clicked])
