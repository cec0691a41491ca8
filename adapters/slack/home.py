"""App Home (``app_home_opened`` → ``views.publish``): the person's open leads, attention first."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.bridge import SlackBridge
from adapters.slack.renderer import MAX_BLOCKS_VIEW, render_blocks
from bot.core import people
from bot.core.replies import Reply
from bot.core.request import Person
from bot.home import home_reply


class Home:
    def __init__(self, bridge: SlackBridge) -> None:
        self.bridge = bridge

    def _reply(self, person: Person, team_id: str) -> Reply:
        runtime = self.bridge.runtime
        with runtime.db.session() as session:
            workspace = people.ensure_workspace(session, "slack", team_id, None, runtime.clock)
            member = people.ensure_member(session, workspace, person, runtime.settings.admins, runtime.clock)
            return home_reply(session, runtime.clock, member, runtime.dispatcher.registry, runtime.settings)

    async def publish(self, client: AsyncWebClient, team_id: str, user_id: str) -> None:
        person, fetched = await self.bridge.directory.person(client, team_id, user_id)
        reply = await self.bridge.runtime.db.run(self._reply, person, team_id)
        if fetched:
            await self.bridge.directory.mark_enriched(team_id, person)
        # data_visualization is a message block: App Home shows a chart as its figures.
        view = {"type": "home", "blocks": render_blocks(reply, max_blocks=MAX_BLOCKS_VIEW, native_charts=False)}
        await client.views_publish(user_id=user_id, view=view)


def register(app: AsyncApp, home: Home) -> None:
    async def opened(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        team_id = str(body.get("team_id") or context.team_id or "")
        await home.publish(client, team_id, str(event["user"]))

    async def acknowledge(ack: AsyncAck) -> None:
        await ack()

    app.event("app_home_opened")(ack=acknowledge, lazy=[opened])
