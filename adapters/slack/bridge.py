"""The one path from a Slack user's action to the bot: build a Request, run dispatch on the database lane,
hand back the Reply. Shared by commands, buttons, modals and events."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field

from slack_sdk.web.async_client import AsyncWebClient

from adapters import naming
from adapters.slack.clients import TokenBook
from adapters.slack.directory import Directory
from bot.core.grammar import UserRef
from bot.core.replies import Reply
from bot.core.request import Named, Request
from bot.core.runtime import Runtime

log = logging.getLogger("tandem.slack")


@dataclass
class Asker:
    """Who is talking to Tandem in Slack, and where."""

    team_id: str
    user_id: str
    user_name: str | None = None
    channel: str | None = None
    team_name: str | None = None


@dataclass
class SlackBridge:
    runtime: Runtime
    tokens: TokenBook
    directory: Directory
    _follow_ups: set[asyncio.Task[None]] = field(default_factory=set)

    async def run(self, client: AsyncWebClient, asker: Asker, text: str, *, source_message: int | None = None) -> Reply:
        person, fetched = await self.directory.person(client, asker.team_id, asker.user_id, asker.user_name)
        request = Request(
            person=person,
            team_id=asker.team_id,
            text=text,
            channel=asker.channel,
            team_name=asker.team_name,
            source_message=source_message,
        )
        reply = await naming.answer(
            self.runtime, request, functools.partial(self.directory.look_up, client, asker.team_id)
        )
        if fetched:
            await self.directory.mark_enriched(asker.team_id, person)
        return reply

    async def look_up_people(self, team_id: str, refs: Sequence[UserRef]) -> Sequence[Named]:
        """The people ``refs`` name in the Slack team's directory, for callers without a Slack request (the REST
        API's ``owner_email``); a team Tandem is not installed in raises ``DeliveryFailed``."""
        client = await self.tokens.client(team_id)
        return await self.directory.look_up(client, team_id, refs)

    def follow_up(self, work: Awaitable[None]) -> None:
        """Work finished after Slack got its answer; tracked so shutdown can wait for it."""
        task = asyncio.ensure_future(work)
        self._follow_ups.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._follow_ups.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Slack follow-up failed: %s", type(task.exception()).__name__)

    async def drain(self) -> None:
        """Wait until no follow-up is running, including any a follow-up started."""
        while self._follow_ups:
            await asyncio.gather(*self._follow_ups, return_exceptions=True)
