"""Slack Web API clients: every one points at ``SLACK_API_URL`` and carries slack_sdk's retry handlers,
and each team's bot token comes from one place (the single token, or the OAuth installation store)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.config import Settings
from bot.core.delivery import DeliveryFailed


def retry_after_of(headers: Any) -> float | None:
    """Seconds from a Retry-After header (aiohttp gives a dict of lists, responses a dict of strings)."""
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


class ShortRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, but only for short waits: a long Retry-After goes back to the outbox's
    back-off instead of holding a delivery worker asleep."""

    def __init__(self, max_wait: float = 1.0) -> None:
        super().__init__(max_retry_count=1)
        self.max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after_of(response.headers)
        return wait is not None and wait <= self.max_wait

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = retry_after_of(response.headers if response is not None else None) or 0.0
        state.next_attempt_requested = True
        await asyncio.sleep(wait + random.random() * 0.1)  # Slack's wait plus a little jitter
        state.increment_current_attempt()


def retry_handlers(*, rate_limits: bool = True) -> list[AsyncRetryHandler]:
    """Connection errors are retried in place; so are short 429s, unless the caller paces itself (the outbox:
    a 429 it never sees could not slow the rest of the team's sends down)."""
    connection: list[AsyncRetryHandler] = [AsyncConnectionErrorRetryHandler(max_retry_count=2)]
    return [*connection, ShortRateLimitRetryHandler()] if rate_limits else connection


def api_base(settings: Settings) -> str:
    """slack_sdk joins method names onto the base URL, so it must end with a slash."""
    return settings.slack_api_url.rstrip("/") + "/"


def web_client(settings: Settings, token: str | None = None, *, rate_limit_retries: bool = True) -> AsyncWebClient:
    return AsyncWebClient(
        token=token,
        base_url=api_base(settings),
        retry_handlers=retry_handlers(rate_limits=rate_limit_retries),
        timeout=10,
    )


class TokenBook:
    """The bot token for a Slack team: SLACK_BOT_TOKEN in single-workspace mode, the installation store
    in OAuth mode (an uninstalled team has none)."""

    def __init__(self, settings: Settings, installation_store: AsyncInstallationStore | None = None) -> None:
        self.settings = settings
        self.installation_store = installation_store

    async def bot_token(self, team_id: str, enterprise_id: str | None = None) -> str:
        if self.installation_store is None:
            if not self.settings.slack_bot_token:
                raise DeliveryFailed("no Slack bot token configured", permanent=True)
            return self.settings.slack_bot_token
        bot = await self.installation_store.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise DeliveryFailed(f"Tandem is not installed in Slack team {team_id}", permanent=True)
        return bot.bot_token

    async def client(self, team_id: str, *, rate_limit_retries: bool = True) -> AsyncWebClient:
        return web_client(self.settings, await self.bot_token(team_id), rate_limit_retries=rate_limit_retries)
