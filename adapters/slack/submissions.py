"""Modal submissions (``view_submission``): the form becomes command text and runs through dispatch; a
refusal is shown under the field it is about; success closes the modal and answers where it was opened."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.actions import Click, HomeRefresh, show_outcome
from adapters.slack.bridge import Asker, SlackBridge
from adapters.slack.modals import (
    FORM_CALLBACK,
    FORMS,
    PROMPT_CALLBACK,
    compose,
    field_errors,
    read_values,
    unpack,
    validate,
)
from adapters.slack.renderer import fallback_text, render_blocks
from bot.core.replies import Reply


def _asker(body: dict[str, Any], channel: str | None) -> Asker:
    user = body.get("user") or {}
    team = body.get("team") or {}
    return Asker(
        team_id=str(team.get("id") or user.get("team_id") or ""),
        user_id=str(user.get("id") or ""),
        user_name=user.get("username") or user.get("name"),
        channel=channel,
    )


async def _tell(client: AsyncWebClient, response_url: str | None, user_id: str, reply: Reply) -> None:
    """Answer the person where the form was opened (the command's response_url), else in their DM."""
    if response_url:
        await AsyncWebhookClient(response_url).send(
            text=fallback_text(reply), blocks=render_blocks(reply), response_type=reply.visibility
        )
    else:
        await client.chat_postMessage(channel=user_id, text=fallback_text(reply), blocks=render_blocks(reply))


def register(app: AsyncApp, bridge: SlackBridge, refresh_home: HomeRefresh) -> None:
    async def submit_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        form = FORMS.get(str(view.get("callback_id", "")).partition(":")[2])
        if form is None:
            await ack()
            return
        values = read_values(view.get("state") or {})
        errors = validate(form, values)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        metadata = unpack(view.get("private_metadata"))
        reply = await bridge.run(client, _asker(body, metadata.get("c")), compose(form, values))
        if not reply.ok:
            await ack(response_action="errors", errors=field_errors(form, reply.summary))
            return
        await ack()
        await _tell(client, metadata.get("r"), str((body.get("user") or {}).get("id")), reply)

    async def submit_prompt(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        metadata = unpack(view.get("private_metadata"))
        command = str(metadata.get("cmd") or "")
        if not command:
            await ack()
            return
        text = read_values(view.get("state") or {}).get("f_text", "")
        click = Click.from_metadata(metadata, body.get("user") or {})
        reply = await bridge.run(client, click.asker(), f"{command} {text}".strip(), source_message=click.outbox_id)
        if not reply.ok:
            await ack(response_action="errors", errors={"f_text": reply.summary[:1900] or "That didn't work."})
            return
        await ack()
        await show_outcome(client, click, reply, refresh_home)

    app.view(re.compile(rf"^{FORM_CALLBACK}:"))(submit_form)
    app.view(PROMPT_CALLBACK)(submit_prompt)
