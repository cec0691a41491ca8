"""The outbox's way into Slack: DMs (through conversations.open) and channel posts. A 429 is not retried here:
its Retry-After goes straight to the outbox, which paces the team's DMs by it; errors that retrying cannot fix
are marked permanent."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.clients import TokenBook, retry_after_of
from adapters.slack.renderer import message
from bot.core.delivery import DeliveryFailed, Target
from bot.core.replies import Reply

log = logging.getLogger("tandem.slack.sender")

# Slack errors that will be the same on every retry: the row is parked and reported instead.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "users_not_found",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "restricted_action",
        "invalid_blocks",
        "msg_too_long",
        "team_access_not_granted",
        "ekm_access_denied",
        "channel_is_archived",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",  # a message that can no longer be rewritten
    }
)


class SlackSender:
    platform = "slack"

    def __init__(self, tokens: TokenBook) -> None:
        self.tokens = tokens
        self._dm_channels: dict[tuple[str, str], str] = {}

    async def send(self, target: Target, reply: Reply) -> str | None:
        """Post ``reply``; the returned ``channel:ts`` lets a later click or update find the message."""
        client = await self.tokens.client(target.team_id, rate_limit_retries=False)
        try:
            channel = target.address
            if target.kind == "user":
                channel = await self._dm_channel(client, target.team_id, target.address)
            response = await client.chat_postMessage(
                channel=channel, unfurl_links=False, unfurl_media=False, **message(reply, outbox_id=target.outbox_id)
            )
        except SlackApiError as error:
            raise _failure(error) from None
        except (TimeoutError, SlackClientError, aiohttp.ClientError, OSError) as error:
            raise DeliveryFailed(f"Slack unreachable: {type(error).__name__}") from None
        return f"{response.get('channel') or channel}:{response.get('ts')}"

    async def update(self, target: Target, ref: str, reply: Reply) -> str | None:
        """Rewrite a message this sender posted (``ref`` is the ``channel:ts`` that ``send`` returned)."""
        channel, _, ts = ref.partition(":")
        if not channel or not ts:
            raise DeliveryFailed(f"not a Slack message reference: {ref[:80]}", permanent=True)
        client = await self.tokens.client(target.team_id, rate_limit_retries=False)
        try:
            await client.chat_update(channel=channel, ts=ts, **message(reply, outbox_id=target.outbox_id))
        except SlackApiError as error:
            raise _failure(error) from None
        except (TimeoutError, SlackClientError, aiohttp.ClientError, OSError) as error:
            raise DeliveryFailed(f"Slack unreachable: {type(error).__name__}") from None
        return ref

    async def _dm_channel(self, client: AsyncWebClient, team_id: str, user_id: str) -> str:
        key = (team_id, user_id)
        if key not in self._dm_channels:
            response = await client.conversations_open(users=user_id)
            channel = (response.get("channel") or {}).get("id")
            if not channel:
                raise DeliveryFailed("conversations.open returned no channel")
            self._dm_channels[key] = channel
        return self._dm_channels[key]


def _failure(error: SlackApiError) -> DeliveryFailed:
    response = error.response
    status = getattr(response, "status_code", None)
    code = ""
    if response is not None and isinstance(response.data, dict):
        code = str(response.data.get("error") or "")
    if status == 429 or code == "ratelimited":
        wait = retry_after_of(getattr(response, "headers", None))
        return DeliveryFailed(f"Slack rate limit (retry after {wait}s)", retry_after=wait if wait is not None else 30)
    if code in PERMANENT_ERRORS:
        log.warning("Slack refused a delivery for good: %s", code)
        return DeliveryFailed(f"Slack said {code}", permanent=True)
    return DeliveryFailed(f"Slack said {code or f'HTTP {status}'}")
