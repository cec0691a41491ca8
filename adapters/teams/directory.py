"""The people a Teams command names before they have used Tandem (``tandem role 29:… marketer``), found in the
rosters the bot can read: the conversation the command came from, then the teams Tandem was added to. A Teams
user id, an Entra object id or a UPN is one member lookup per roster; an e-mail that is no UPN is looked for in
the roster's pages. Someone of another tenant (a guest's home organisation) is never taken for one of ours."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

import httpx
from microsoft_teams.api import ApiClient, TeamsChannelAccount
from microsoft_teams.api.models.conversation import PagedMembersResult
from sqlmodel import col, select

from adapters.teams.references import PLATFORM, Reference, workspace_of
from adapters.teams.roster import ENTRA, Profile
from adapters.teams.translate import base_conversation_id
from bot.core.grammar import UserRef
from bot.core.request import Named, Person
from storage.db import Database
from storage.models import ConversationRef

log = logging.getLogger("tandem.teams.directory")

HERE = "in this Teams organisation"
MAX_ROSTERS = 4  # this conversation and the teams Tandem was added to most recently
PAGE_SIZE = 500  # the Bot Connector's largest page
MAX_PAGES = 4  # per roster, for an e-mail that is not a UPN: 2,000 people
_TEAMS_USER = re.compile(r"^29:\S+$")
_ENTRA_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class _Unanswered(Exception):
    """The Bot Connector failed (not a plain "no such member"): the answer says so."""


async def look_up(
    api: ApiClient, db: Database, tenant_id: str, conversation_id: str, refs: Sequence[UserRef]
) -> list[Named]:
    rosters = await db.run(_rosters, db, tenant_id, base_conversation_id(conversation_id))
    return [await _look_up(api, tenant_id, rosters, ref) for ref in refs]


Connector = Callable[[str], AbstractAsyncContextManager[ApiClient]]  # service URL → a Bot Connector client


async def look_up_in_tenant(db: Database, tenant_id: str, refs: Sequence[UserRef], connect: Connector) -> list[Named]:
    """The same search without a conversation to start from (the REST API's ``owner_email``): the rosters of
    the teams and group chats Tandem was added to in the tenant, through their Bot Connector."""
    shared = await db.run(_shared_rosters, db, tenant_id)
    if not shared:
        return [
            Named(ref.key or ref.raw, None, f"{HERE} (Tandem has not been added to a team there yet)") for ref in refs
        ]
    async with connect(shared[0][1]) as api:
        return [await _look_up(api, tenant_id, [c for c, _ in shared], ref) for ref in refs]


def _shared_rosters(db: Database, tenant_id: str) -> list[tuple[str, str]]:
    """(conversation id, service URL) of the tenant's shared conversations, the most recently seen first."""
    with db.session() as session:
        workspace_id = workspace_of(session, tenant_id)
        if workspace_id is None:
            return []
        rows = session.exec(
            select(ConversationRef.address, ConversationRef.reference)
            .where(
                ConversationRef.workspace_id == workspace_id,
                ConversationRef.platform == PLATFORM,
                col(ConversationRef.member_id).is_(None),
            )
            .order_by(col(ConversationRef.updated_at).desc())
            .limit(MAX_ROSTERS)
        ).all()
    found = []
    for address, raw in rows:
        reference = Reference.from_json(raw)
        if reference is not None and reference.tenant_id == tenant_id and reference.service_url:
            found.append((address, reference.service_url))
    return found


def _rosters(db: Database, tenant_id: str, conversation_id: str) -> list[str]:
    """The conversations whose rosters may hold the person: this one, then the tenant's shared conversations."""
    with db.session() as session:
        workspace_id = workspace_of(session, tenant_id)
        if workspace_id is None:
            return [conversation_id]
        shared = session.exec(
            select(ConversationRef.address)
            .where(
                ConversationRef.workspace_id == workspace_id,
                ConversationRef.platform == PLATFORM,
                col(ConversationRef.member_id).is_(None),
                ConversationRef.address != conversation_id,
            )
            .order_by(col(ConversationRef.updated_at).desc())
            .limit(MAX_ROSTERS - 1)
        ).all()
    return [conversation_id, *shared]


async def _look_up(api: ApiClient, tenant_id: str, rosters: list[str], ref: UserRef) -> Named:
    key = ref.key or ref.raw
    if ref.email:
        how = "looked up by e-mail in the rosters Tandem can read"
    elif _TEAMS_USER.match(key):
        how = "looked up by Teams user id in the rosters Tandem can read"
    elif _ENTRA_ID.match(key):
        how = "looked up by Entra object id in the rosters Tandem can read"
    else:
        return Named(key, None, f"{HERE} (that is not a Teams user id, an Entra object id or an e-mail)")
    failed = False
    for conversation in rosters:
        try:
            account = await _member(api, conversation, key)
            if account is None and ref.email:
                account = await _member_by_email(api, conversation, key)
        except _Unanswered:
            failed = True
            continue
        if account is not None and _of_tenant(account, tenant_id):
            return _named(key, Profile.of(account))
    if failed:
        how += ": the Bot Connector did not answer every lookup, try again in a minute"
    return Named(key, None, f"{HERE} ({how})")


async def _member(api: ApiClient, conversation_id: str, member_id: str) -> TeamsChannelAccount | None:
    """One roster entry by Teams user id, Entra object id or UPN; None when the roster has no such member."""
    try:
        account: TeamsChannelAccount = await api.conversations.get_member_by_id(conversation_id, member_id)
        return account
    except httpx.HTTPStatusError as error:
        if error.response.status_code in (400, 403, 404):
            return None
        raise _Unanswered from None
    except (httpx.TransportError, ValueError) as error:
        log.info("roster lookup failed: %s", type(error).__name__)
        raise _Unanswered from None


async def _member_by_email(api: ApiClient, conversation_id: str, email: str) -> TeamsChannelAccount | None:
    """An e-mail that is not the person's UPN: read the roster a page at a time."""
    token: str | None = None
    for _ in range(MAX_PAGES):
        try:
            page: PagedMembersResult = await api.conversations.get_paged_members(conversation_id, PAGE_SIZE, token)
        except httpx.HTTPStatusError as error:
            if error.response.status_code in (400, 403, 404):
                return None
            raise _Unanswered from None
        except (httpx.TransportError, ValueError) as error:
            log.info("roster listing failed: %s", type(error).__name__)
            raise _Unanswered from None
        for account in page.members:
            if email in {(account.email or "").lower(), (account.user_principal_name or "").lower()}:
                return account
        token = page.continuation_token
        if not token:
            return None
    return None


def _of_tenant(account: TeamsChannelAccount, tenant_id: str) -> bool:
    """A person (``29:``, not a bot) of this tenant; a roster entry that names no tenant is the roster's own."""
    return bool(_TEAMS_USER.match(account.id)) and account.tenant_id in (None, "", tenant_id)


def _named(key: str, profile: Profile) -> Named:
    person = Person(platform="teams", user_id=profile.user_id, display_name=profile.name, email=profile.email)
    accounts = ((ENTRA, profile.aad_object_id),) if profile.aad_object_id else ()
    return Named(key, person, HERE, accounts)
