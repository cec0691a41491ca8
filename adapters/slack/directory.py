"""Who a Slack user is: real name, e-mail and time zone, fetched from ``users.info`` once per member
(``Member.enriched``) so mentions read well, e-mails join accounts and nags respect time zones."""

from __future__ import annotations

import logging
import time

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import people
from bot.core.request import Person
from bot.core.runtime import Runtime

log = logging.getLogger("tandem.slack.directory")
RETRY_SECONDS = 3600.0


class Directory:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._enriched: set[tuple[str, str]] = set()
        self._failed: dict[tuple[str, str], float] = {}  # users.info refused: ask again after RETRY_SECONDS

    async def person(self, client: AsyncWebClient, team_id: str, user_id: str,
                     name: str | None = None) -> tuple[Person, bool]:
        """The speaker, with users.info details when not enriched yet; the flag says "mark it enriched"."""
        basic = Person(platform="slack", user_id=user_id, display_name=name)
        key = (team_id, user_id)
        if key in self._enriched or time.monotonic() - self._failed.get(key, -RETRY_SECONDS) < RETRY_SECONDS:
            return basic, False
        if await self.runtime.db.run(self._is_enriched, team_id, user_id):
            self._enriched.add(key)
            return basic, False
        try:
            response = await client.users_info(user=user_id)
        except (TimeoutError, SlackApiError, SlackClientError, aiohttp.ClientError, OSError) as error:
            log.info("users.info failed for %s: %s", user_id, type(error).__name__)
            self._failed[key] = time.monotonic()
            return basic, False
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        real_name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") or name
        return Person(platform="slack", user_id=user_id, display_name=real_name or name,
                      email=profile.get("email") or None, timezone=user.get("tz") or None), True

    async def mark_enriched(self, team_id: str, person: Person) -> None:
        await self.runtime.db.run(self._mark, team_id, person)
        self._enriched.add((team_id, person.user_id))

    def _is_enriched(self, team_id: str, user_id: str) -> bool:
        with self.runtime.db.session() as session:
            workspace = people.find_workspace(session, "slack", team_id)
            if workspace is None or workspace.id is None:
                return False
            member = people.find_member_by_account(session, workspace.id, "slack", user_id)
            return bool(member and member.enriched)

    def _mark(self, team_id: str, person: Person) -> None:
        with self.runtime.db.session() as session:
            workspace = people.find_workspace(session, "slack", team_id)
            if workspace is None or workspace.id is None:
                return
            member = people.find_member_by_account(session, workspace.id, "slack", person.user_id)
            if member is None:
                return
            if person.display_name:
                member.display_name = person.display_name[:200]
            if person.email and not member.email:
                member.email = person.email[:320]
            if person.timezone:
                member.timezone = person.timezone[:64]
            member.enriched = True
            session.add(member)
