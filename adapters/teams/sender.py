"""The Teams Sender: delivers outbox rows proactively through the Bot Connector — to a member's 1:1 chat
(opening one when the bot is installed for them but has never chatted) or to a channel."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from microsoft_teams.api import Account, ApiClient
from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.auth.cloud_environment import CloudEnvironment
from microsoft_teams.api.auth.credentials import TokenProviderProtocol
from microsoft_teams.api.clients.conversation.params import CreateConversationParams
from microsoft_teams.common import Client, ClientOptions

from adapters.teams import references
from adapters.teams.cards import render_card_message, render_message
from adapters.teams.references import Reference
from bot.core.clock import Clock
from bot.core.delivery import DeliveryFailed, Target
from bot.core.replies import Reply
from storage.db import Database
from storage.models import Member

log = logging.getLogger("tandem.teams.sender")


@dataclass(frozen=True)
class _Plan:
    workspace_id: int
    reference: Reference
    who: str  # for error messages: the member's name or the channel id


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class TeamsSender:
    platform = "teams"

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        token_provider: TokenProviderProtocol | None,
        cloud: CloudEnvironment | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.token_provider = token_provider
        self.cloud = cloud
        self.timeout = timeout

    async def send(self, target: Target, reply: Reply) -> str | None:
        plan = await self.db.run(self._plan, target)
        activity = render_message(reply, outbox_id=target.outbox_id)
        async with self._connector(target, plan) as api:
            conversation_id = plan.reference.conversation_id
            if conversation_id is None:
                conversation_id = await self._open_chat(api, target, plan)
            sent = await api.conversations.create_activity(conversation_id, _addressed(activity, plan.reference))
            return f"{conversation_id}|{sent.id}"[:400]

    async def update(self, target: Target, ref: str, reply: Reply) -> str | None:
        """Rewrite a card this sender posted (``ref`` is the ``conversation|activity`` that ``send`` returned)."""
        conversation_id, _, activity_id = ref.partition("|")
        if not conversation_id or not activity_id:
            raise DeliveryFailed(f"not a Teams message reference: {ref[:80]}", permanent=True)
        plan = await self.db.run(self._plan, target)
        activity = _addressed(render_card_message(reply, target.outbox_id), plan.reference)
        async with self._connector(target, plan) as api:
            await api.conversations.update_activity(conversation_id, activity_id, activity)
            return ref

    @asynccontextmanager
    async def _connector(self, target: Target, plan: _Plan) -> AsyncIterator[ApiClient]:
        """The Bot Connector for one delivery; its HTTP errors become ``DeliveryFailed``."""
        client = Client(ClientOptions(timeout=self.timeout))
        try:
            yield ApiClient(plan.reference.service_url, client, cloud=self.cloud, token_provider=self.token_provider)
        except httpx.HTTPStatusError as error:
            raise _failure(error, target, plan.who) from None
        except httpx.TransportError as error:
            raise DeliveryFailed(f"Bot Connector unreachable ({type(error).__name__})") from None
        finally:
            await client.http.aclose()

    async def _open_chat(self, api: ApiClient, target: Target, plan: _Plan) -> str:
        """Create the 1:1 conversation with the member and remember it for next time."""
        ref = plan.reference
        params = CreateConversationParams(
            members=[Account(id=target.address)],
            tenant_id=ref.tenant_id,
            channel_data={"tenant": {"id": ref.tenant_id}},
            bot=Account(id=ref.bot_id),
            isGroup=False,
        )  # type: ignore[call-arg]
        created = await api.conversations.create(params)
        chat = Reference(
            service_url=created.service_url or ref.service_url,
            tenant_id=ref.tenant_id,
            bot_id=ref.bot_id,
            conversation_id=created.id,
            conversation_type="personal",
            user_id=target.address,
        )
        await self.db.run(self._remember, plan.workspace_id, target, chat)
        return created.id

    def _remember(self, workspace_id: int, target: Target, chat: Reference) -> None:
        with self.db.session() as session:
            references.save(
                session,
                self.clock,
                workspace_id=workspace_id,
                address=target.address,
                reference=chat,
                member_id=target.member_id,
            )

    def _plan(self, target: Target) -> _Plan:
        with self.db.session() as session:
            found = references.load(session, target.team_id, target.address)
            if found is None:
                raise DeliveryFailed(f"Teams tenant {target.team_id} is not connected to Tandem", permanent=True)
            workspace_id, ref = found
            member = session.get(Member, target.member_id) if target.member_id else None
            who = member.display_name if member else target.address
            if ref is not None and (ref.conversation_id or target.kind == "user"):
                return _Plan(workspace_id, ref, who)
            some = references.any_reference(session, workspace_id)
        if some is None:
            raise DeliveryFailed(_unreachable(target, who), permanent=True)
        if target.kind == "channel":
            ref = Reference(
                service_url=some.service_url,
                tenant_id=target.team_id,
                bot_id=some.bot_id,
                conversation_id=target.address,
                conversation_type="channel",
            )
        else:
            ref = Reference(
                service_url=some.service_url,
                tenant_id=target.team_id,
                bot_id=some.bot_id,
                conversation_id=None,
                conversation_type="personal",
                user_id=target.address,
            )
        return _Plan(workspace_id, ref, who)


def _addressed(activity: MessageActivityInput, ref: Reference) -> MessageActivityInput:
    activity.from_ = Account(id=ref.bot_id) if ref.bot_id else None
    return activity


def _unreachable(target: Target, who: str) -> str:
    if target.kind == "channel":
        return f"Tandem is not in the Teams channel {target.address}: add the app to that team first."
    return (
        f"Tandem cannot reach {who} in Teams yet: the app is not installed for them. "
        "Ask them to add Tandem in Teams (or install it for the team) and it will be delivered."
    )


def _failure(error: httpx.HTTPStatusError, target: Target, who: str) -> DeliveryFailed:
    status = error.response.status_code
    if status == 429:
        return DeliveryFailed(
            "Bot Connector rate limit (429)", retry_after=retry_after_seconds(error.response.headers.get("Retry-After"))
        )
    if status in (403, 404):
        return DeliveryFailed(_unreachable(target, who) + f" (Bot Connector answered {status})", permanent=True)
    if status == 400:
        return DeliveryFailed("Bot Connector refused the message (400)", permanent=True)
    return DeliveryFailed(
        f"Bot Connector error {status}", retry_after=retry_after_seconds(error.response.headers.get("Retry-After"))
    )
