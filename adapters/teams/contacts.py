"""Everyone and every conversation an activity shows us is recorded in one transaction: the tenant's
workspace, the members (enriched from the roster) and the conversation references to reach them later."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from adapters.teams import references, roster
from adapters.teams.references import Reference
from adapters.teams.roster import Profile
from bot.core import people
from bot.core.clock import Clock
from bot.core.request import Person
from storage.models import Member


@dataclass(frozen=True)
class Contact:
    person: Person
    profile: Profile | None = None
    aad_object_id: str | None = None
    chat_id: str | None = None  # the member's 1:1 conversation, when the activity came from it


@dataclass(frozen=True)
class Sighting:
    tenant_id: str
    service_url: str
    bot_id: str
    conversation_id: str  # without a thread suffix
    conversation_type: str  # personal | groupChat | channel
    contacts: tuple[Contact, ...]
    team_name: str | None = None


def record(session: Session, clock: Clock, admins: frozenset[str], sighting: Sighting) -> dict[str, Member]:
    """Members by Teams user id, after saving them and their references."""
    workspace = people.ensure_workspace(session, "teams", sighting.tenant_id, sighting.team_name, clock)
    assert workspace.id is not None
    members: dict[str, Member] = {}
    for contact in sighting.contacts:
        member = roster.apply(
            session, workspace, contact.person, contact.profile, admins, clock, aad_object_id=contact.aad_object_id
        )
        aad = (contact.profile.aad_object_id if contact.profile else None) or contact.aad_object_id
        if aad and aad in admins and member.role != "admin":
            member.role = "admin"
            session.add(member)
        members[contact.person.user_id] = member
        chat = Reference(
            service_url=sighting.service_url,
            tenant_id=sighting.tenant_id,
            bot_id=sighting.bot_id,
            conversation_id=contact.chat_id,
            conversation_type="personal",
            user_id=contact.person.user_id,
        )
        references.save(
            session,
            clock,
            workspace_id=workspace.id,
            address=contact.person.user_id,
            reference=chat,
            member_id=member.id,
        )
    if sighting.conversation_type != "personal":
        shared = Reference(
            service_url=sighting.service_url,
            tenant_id=sighting.tenant_id,
            bot_id=sighting.bot_id,
            conversation_id=sighting.conversation_id,
            conversation_type=sighting.conversation_type,
        )
        references.save(session, clock, workspace_id=workspace.id, address=sighting.conversation_id, reference=shared)
    return members
