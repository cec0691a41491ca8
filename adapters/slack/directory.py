"""Who a Slack user is: real name, e-mail and time zone, fetched from ``users.info`` once per member
(``Member.enriched``) so mentions read well, e-mails join accounts and nags respect time zones. The same
directory finds the people a command names before they have used Tandem (``look_up``)."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.core import people
from bot.core.grammar import UserRef
from bot.core.request import Named, Person
from bot.core.runtime import Runtime

log = logging.getLogger("tandem.slack.directory")
RETRY_SECONDS = 3600.0
HERE = "in this Slack workspace"
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
_NOT_FOUND = frozenset({"user_not_found", "users_not_found"})


class Directory:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._enriched: set[tuple[str, str]] = set()
        self._failed: dict[tuple[str, str], float] = {}  # users.info refused: ask again after RETRY_SECONDS

    async def person(
        self, client: AsyncWebClient, team_id: str, user_id: str, name: str | None = None
    ) -> tuple[Person, bool]:
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
        return person_of(response.get("user") or {}, user_id, name), True

    async def look_up(self, client: AsyncWebClient, team_id: str, refs: Sequence[UserRef]) -> list[Named]:
        """The people a command names whom Tandem has not met: a user id through ``users.info``, an e-mail
        through ``users.lookupByEmail``. Someone of another workspace (a Slack Connect guest) is never taken
        for one of this workspace's people."""
        return list(await asyncio.gather(*(self._look_up(client, team_id, ref) for ref in refs)))

    async def _look_up(self, client: AsyncWebClient, team_id: str, ref: UserRef) -> Named:
        key = ref.key or ref.raw
        call: Callable[[], Awaitable[AsyncSlackResponse]]
        if ref.email:
            how, call = "looked up by e-mail", lambda: client.users_lookupByEmail(email=key)
        elif _SLACK_USER_ID.match(key):
            how, call = "looked up by user id", lambda: client.users_info(user=key)
        else:
            return Named(key, None, f"{HERE} (that is not a Slack user id)")
        try:
            response = await call()
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if code in _NOT_FOUND:
                return Named(key, None, f"{HERE} ({how})")
            log.info("Slack people lookup failed: %s", code)
            if code == "missing_scope":
                return Named(
                    key,
                    None,
                    f"{HERE} ({how}: the app lacks Slack's users:read and users:read.email "
                    "permissions, so an admin needs to reinstall it)",
                )
            return Named(key, None, f"{HERE} ({how}: Slack did not answer, try again in a minute)")
        except (TimeoutError, SlackClientError, aiohttp.ClientError, OSError) as error:
            log.info("Slack people lookup failed: %s", type(error).__name__)
            return Named(key, None, f"{HERE} ({how}: Slack did not answer, try again in a minute)")
        user = response.get("user") or {}
        if not _of_team(user, team_id):
            return Named(key, None, f"{HERE} ({how})")
        if user.get("deleted"):
            return Named(key, None, f"{HERE} ({how}: that account is deactivated)")
        if user.get("is_bot") or user.get("id") == "USLACKBOT":
            return Named(key, None, f"{HERE} ({how}: that is a bot, not a person)")
        return Named(key, person_of(user, str(user.get("id") or key)), HERE)

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


def person_of(user: dict[str, Any], user_id: str, name: str | None = None) -> Person:
    """A ``users.info`` user as a Person: the real name first, then the display name."""
    profile = user.get("profile") or {}
    real_name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") or name
    return Person(
        platform="slack",
        user_id=user_id,
        display_name=real_name or name,
        email=profile.get("email") or None,
        timezone=user.get("tz") or None,
    )


def _of_team(user: dict[str, Any], team_id: str) -> bool:
    """A member of this workspace: their home team, or (Enterprise Grid) one of the teams they belong to."""
    teams = (user.get("enterprise_user") or {}).get("teams") or ()
    return user.get("team_id") == team_id or team_id in teams
