"""The Teams app inside our FastAPI app: the SDK's App mounted with ``FastAPIAdapter(app=...)``, JWT-validated
when ``MICROSOFT_APP_ID`` is set, handling messages, card submits and installs by handing Requests to dispatch."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from microsoft_teams.api import ApiClient, ConversationUpdateActivity
from microsoft_teams.api.activities.message.message import MessageActivity, MessageActivityInput
from microsoft_teams.api.auth.cloud_environment import CloudEnvironment
from microsoft_teams.apps import ActivityContext, App
from microsoft_teams.common import Client, ClientOptions

from adapters import naming
from adapters.teams import contacts, directory, roster
from adapters.teams.cards import render_message
from adapters.teams.contacts import Contact, Sighting
from adapters.teams.forms import answer_form, form_message, form_submit_of
from adapters.teams.http_guard import GuardedFastAPIAdapter
from adapters.teams.references import workspace_of
from adapters.teams.roster import Profile
from adapters.teams.sender import TeamsSender
from adapters.teams.submits import answer_submit
from adapters.teams.translate import (
    NotACommand,
    base_conversation_id,
    conversation_kind,
    mentioned_users,
    person_of,
    request_of,
    tenant_of,
)
from bot.core.config import Settings
from bot.core.forms import form_for
from bot.core.grammar import UserRef
from bot.core.replies import Reply
from bot.core.request import Named, Person, Request
from bot.core.runtime import Runtime

log = logging.getLogger("tandem.teams")

LOCAL_TENANT = "local"
MAX_ROSTER_LOOKUPS = 6  # per message: the speaker and up to five people they mention
LOCAL_MODE_WARNING = (
    "!" * 72 + "\n  TEAMS LOCAL MODE: TEAMS_ENABLED=1 without MICROSOFT_APP_ID, so POST /api/messages"
    " accepts UNAUTHENTICATED requests.\n  Use it only with the Bot Framework Emulator or tests;"
    " set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD in production.\n" + "!" * 72
)
SORRY = "Sorry — something went wrong on my side and nothing was changed. Please try again in a minute."
REFUSED_TENANT = (
    "Hi! This Tandem installation serves other organisations only, so I can't help here. "
    "Ask your IT team to install your company's own Tandem."
)
WELCOME = (
    "👋 Hi, I'm **Tandem** — sales and marketing, one team. Type `help` to see what I can do; "
    "in a channel, @mention me first."
)


def app_options(settings: Settings) -> dict[str, Any]:
    """SDK options from our settings: credentials when an app id is set, otherwise local (no-auth) mode."""
    if not settings.microsoft_app_id:
        return {"dangerously_allow_unauthenticated_requests": True}
    app_type = (settings.microsoft_app_type or "MultiTenant").strip().lower()
    if app_type not in {"multitenant", "singletenant", "userassignedmsi"}:
        raise ValueError("MICROSOFT_APP_TYPE must be MultiTenant, SingleTenant or UserAssignedMSI")
    if app_type in {"singletenant", "userassignedmsi"} and not settings.microsoft_app_tenant_id:
        raise ValueError(f"MICROSOFT_APP_TENANT_ID is required for MICROSOFT_APP_TYPE={settings.microsoft_app_type}")
    options: dict[str, Any] = {
        "client_id": settings.microsoft_app_id,
        "dangerously_allow_unauthenticated_requests": False,
    }
    if app_type != "multitenant":
        options["tenant_id"] = settings.microsoft_app_tenant_id
    if app_type != "userassignedmsi":
        if not settings.microsoft_app_password:
            raise ValueError("MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID")
        options["client_secret"] = settings.microsoft_app_password
    return options


class TeamsBot:
    """Owns the SDK App; ``initialize`` runs in the FastAPI lifespan and registers ``POST /api/messages``."""

    def __init__(self, fastapi_app: FastAPI, runtime: Runtime, *, cloud: CloudEnvironment | None = None) -> None:
        self.runtime = runtime
        settings = runtime.settings
        self.local_mode = not settings.microsoft_app_id
        options = app_options(settings)
        if cloud is not None:
            options["cloud"] = cloud
        adapter = GuardedFastAPIAdapter(app=fastapi_app, auth_required=not self.local_mode)
        self.app = App(http_server_adapter=adapter, messaging_endpoint="/api/messages", state=False, **options)
        self.app.on_message(self._on_message)
        self.app.on_conversation_update(self._on_conversation_update)
        self.sender = TeamsSender(
            runtime.db, runtime.clock, token_provider=self.app.token_provider, cloud=self.app.cloud
        )

    async def initialize(self) -> None:
        if self.local_mode:
            log.warning(LOCAL_MODE_WARNING)
        await self.app.initialize()

    async def look_up_people(self, tenant_id: str, refs: Sequence[UserRef]) -> Sequence[Named]:
        """The people ``refs`` name in the tenant's rosters, for callers without a Teams activity (the REST API's
        ``owner_email``)."""
        return await directory.look_up_in_tenant(self.runtime.db, tenant_id, refs, self._connector)

    @asynccontextmanager
    async def _connector(self, service_url: str) -> AsyncIterator[ApiClient]:
        client = Client(ClientOptions(timeout=15.0))
        try:
            yield ApiClient(service_url, client, cloud=self.app.cloud, token_provider=self.app.token_provider)
        finally:
            await client.http.aclose()

    # --- inbound -------------------------------------------------------------------------------------------

    def _tenant(self, activity: Any) -> str | None:
        tenant = tenant_of(activity)
        if tenant is None and self.local_mode:
            return LOCAL_TENANT
        return tenant

    def _allowed(self, tenant: str) -> bool:
        allowed = self.runtime.settings.teams_tenants
        return not allowed or tenant in allowed

    async def _on_message(self, ctx: ActivityContext[MessageActivity]) -> None:
        try:
            await self._handle_message(ctx)
        except Exception:
            log.exception("Teams message failed (conversation type %s)", conversation_kind(ctx.activity))
            await _quietly(ctx, SORRY)

    async def _handle_message(self, ctx: ActivityContext[MessageActivity]) -> None:
        activity = ctx.activity
        tenant = self._tenant(activity)
        if tenant is None:
            await ctx.send("I can't tell which organisation this chat belongs to, so I can't answer here.")
            return
        if not self._allowed(tenant):
            await ctx.send(REFUSED_TENANT)
            return
        kind = conversation_kind(activity)
        named = mentioned_users(activity)[: MAX_ROSTER_LOOKUPS - 1]
        profiles = await self._profiles(ctx, tenant, [activity.from_.id, *(m.user_id for m in named)])
        profile = profiles.get(activity.from_.id)
        person = person_of(activity, email=profile.email if profile else None, name=profile.name if profile else None)
        form_submit = form_submit_of(activity.value)
        notice = ""
        try:
            request, submit = (
                (Request(person, tenant, "", channel=base_conversation_id(activity.conversation.id)), None)
                if form_submit is not None
                else request_of(activity, tenant, person)
            )
        except NotACommand as reason:
            request, submit = None, None
            notice = str(reason)
        speaker = Contact(
            person=person,
            profile=profile,
            aad_object_id=activity.from_.aad_object_id,
            chat_id=activity.conversation.id if kind == "personal" else None,
        )
        mentioned = tuple(_contact_of(m.user_id, m.name, profiles.get(m.user_id)) for m in named)
        members = await self.runtime.db.run(self._record, self._sighting(activity, tenant, kind, (speaker, *mentioned)))
        if request is None:
            await ctx.send(notice)
            return
        look_up = functools.partial(directory.look_up, ctx.api, self.runtime.db, tenant, activity.conversation.id)
        if form_submit is not None:
            await answer_form(ctx, self.runtime, form_submit, request, look_up)
            return
        if submit is None and (form := form_for(request.text)) is not None:
            await ctx.send(form_message(form))  # typed with nothing after it: the form asks for the rest
            return
        reply: Reply = await naming.answer(self.runtime, request, look_up)
        if submit is not None:
            await answer_submit(
                ctx, self.runtime, submit, reply, tenant=tenant, clicker=members[person.user_id], sender=self.sender
            )
            return
        await ctx.send(render_message(reply))

    async def _profiles(self, ctx: ActivityContext[Any], tenant: str, user_ids: list[str]) -> dict[str, Profile]:
        """Roster entries for the speaker and the people they mention, fetched only for members not yet enriched."""

        def wanted() -> list[str]:
            with self.runtime.db.session() as session:
                workspace_id = workspace_of(session, tenant)
                return [u for u in dict.fromkeys(user_ids) if roster.needs_profile(session, workspace_id, u)]

        lookups = await self.runtime.db.run(wanted)
        found = await asyncio.gather(
            *(roster.fetch_member(ctx.api, ctx.activity.conversation.id, user_id) for user_id in lookups)
        )
        return {profile.user_id: profile for profile in found if profile is not None}

    async def _on_conversation_update(self, ctx: ActivityContext[ConversationUpdateActivity]) -> None:
        try:
            await self._handle_install(ctx)
        except Exception:
            log.exception("Teams conversationUpdate failed")

    async def _handle_install(self, ctx: ActivityContext[ConversationUpdateActivity]) -> None:
        activity = ctx.activity
        tenant = self._tenant(activity)
        if tenant is None or not self._allowed(tenant):
            return  # another organisation's install: nothing is stored
        added = activity.members_added or []
        bot_added = any(member.id == activity.recipient.id for member in added)
        kind = conversation_kind(activity)
        people_added = [member for member in added if member.id != activity.recipient.id]
        if bot_added and kind != "personal":
            profiles = await roster.fetch_all(ctx.api, activity.conversation.id)
            found = [
                Contact(
                    person=Person(platform="teams", user_id=p.user_id, display_name=p.name, email=p.email), profile=p
                )
                for p in profiles
                if p.user_id.startswith("29:")
            ]
        else:
            found = [
                Contact(
                    person=Person(platform="teams", user_id=m.id, display_name=m.name),
                    aad_object_id=m.aad_object_id,
                    chat_id=activity.conversation.id if kind == "personal" else None,
                )
                for m in people_added
                if m.id.startswith("29:")
            ]
            if bot_added and kind == "personal":
                found.append(
                    Contact(
                        person=person_of(activity),
                        aad_object_id=activity.from_.aad_object_id,
                        chat_id=activity.conversation.id,
                    )
                )
        await self.runtime.db.run(self._record, self._sighting(activity, tenant, kind, tuple(found)))
        if bot_added:
            await ctx.send(MessageActivityInput(text=WELCOME, text_format="markdown"))

    def _sighting(self, activity: Any, tenant: str, kind: str, found: tuple[Contact, ...]) -> Sighting:
        team = activity.channel_data.team if activity.channel_data is not None else None
        return Sighting(
            tenant_id=tenant,
            service_url=activity.service_url or "",
            bot_id=activity.recipient.id,
            conversation_id=base_conversation_id(activity.conversation.id),
            conversation_type=kind,
            contacts=found,
            team_name=team.name if team is not None else None,
        )

    def _record(self, sighting: Sighting) -> dict[str, Any]:
        with self.runtime.db.session() as session:
            return contacts.record(session, self.runtime.clock, self.runtime.settings.admins, sighting)


def _contact_of(user_id: str, name: str, profile: Profile | None) -> Contact:
    person = Person(
        platform="teams",
        user_id=user_id,
        display_name=(profile.name if profile else None) or name,
        email=profile.email if profile else None,
    )
    return Contact(person=person, profile=profile)


async def _quietly(ctx: ActivityContext[Any], text: str) -> None:
    try:
        await ctx.send(text)
    except Exception:
        log.warning("could not send the apology to Teams")


def mount_teams(fastapi_app: FastAPI, runtime: Runtime, *, cloud: CloudEnvironment | None = None) -> TeamsBot:
    """Wire the Teams adapter into ``fastapi_app``; the caller awaits ``initialize()`` at start-up."""
    return TeamsBot(fastapi_app, runtime, cloud=cloud)
