"""Members enriched from the Teams roster: full name, e-mail and Entra object id (another member account,
platform ``entra``), so people are recognised across Slack and Teams by e-mail."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from microsoft_teams.api import ApiClient, TeamsChannelAccount
from sqlmodel import Session, select

from bot.core import people
from bot.core.clock import Clock
from bot.core.request import Person
from storage.models import Member, MemberAccount, Workspace

log = logging.getLogger("tandem.teams.roster")

ENTRA = "entra"


@dataclass(frozen=True)
class Profile:
    user_id: str
    name: str | None
    email: str | None
    aad_object_id: str | None

    @classmethod
    def of(cls, account: TeamsChannelAccount) -> Profile:
        email = account.email or (account.user_principal_name if "@" in (account.user_principal_name or "") else None)
        return cls(user_id=account.id, name=account.name, email=email, aad_object_id=account.aad_object_id)


async def fetch_member(api: ApiClient, conversation_id: str, user_id: str) -> Profile | None:
    """The roster entry of one member, or None when the connector cannot say (never fails the turn)."""
    try:
        return Profile.of(await api.conversations.get_member_by_id(conversation_id, user_id))
    except Exception as error:  # roster lookups are best-effort
        log.info("roster lookup failed for a member: %s", type(error).__name__)
        return None


async def fetch_all(api: ApiClient, conversation_id: str) -> list[Profile]:
    try:
        return [Profile.of(account) for account in await api.conversations.get_members(conversation_id)]
    except Exception as error:
        log.info("roster listing failed: %s", type(error).__name__)
        return []


def needs_profile(session: Session, tenant_workspace_id: int | None, user_id: str) -> bool:
    if tenant_workspace_id is None:
        return True
    member = people.find_member_by_account(session, tenant_workspace_id, "teams", user_id)
    return member is None or not member.enriched


def apply(
    session: Session,
    workspace: Workspace,
    person: Person,
    profile: Profile | None,
    admins: frozenset[str],
    clock: Clock,
    *,
    aad_object_id: str | None = None,
) -> Member:
    """The member for ``person``, created or updated with what the roster knows."""
    if profile is not None:
        person = Person(
            platform="teams",
            user_id=person.user_id,
            display_name=profile.name or person.display_name,
            email=profile.email or person.email,
            timezone=person.timezone,
        )
    member = people.ensure_member(session, workspace, person, admins, clock)
    aad = (profile.aad_object_id if profile else None) or aad_object_id
    if profile is not None and not member.enriched:
        if profile.name:
            member.display_name = profile.name[:200]
        if profile.email and not member.email:
            member.email = profile.email[:320]
        member.enriched = True
        session.add(member)
    if aad:
        _add_entra(session, member, aad)
    return member


def _add_entra(session: Session, member: Member, aad_object_id: str) -> None:
    existing = session.exec(
        select(MemberAccount).where(
            MemberAccount.workspace_id == member.workspace_id,
            MemberAccount.platform == ENTRA,
            MemberAccount.external_id == aad_object_id,
        )
    ).first()
    if existing is None:
        people.add_account(session, member, ENTRA, aad_object_id)
