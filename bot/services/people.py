"""Workspaces and members: who is asking, and who a command names."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, func
from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.errors import NotFound, UsageError
from bot.grammar import UserRef, parse_user
from bot.replies import Mention
from bot.request import Person
from storage.db import unit_cache
from storage.models import ROLES, Member, MemberAccount, Workspace, WorkspaceAccount

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
# Built once: every command runs these, and a prebuilt statement skips SQLAlchemy's per-call construction.
_WORKSPACE_BY_ACCOUNT = (
    select(Workspace).join(WorkspaceAccount, WorkspaceAccount.workspace_id == Workspace.id)  # type: ignore[arg-type]
    .where(WorkspaceAccount.platform == bindparam("platform"), WorkspaceAccount.external_id == bindparam("team"))
)
_MEMBER_BY_ACCOUNT = (
    select(Member).join(MemberAccount, MemberAccount.member_id == Member.id)  # type: ignore[arg-type]
    .where(MemberAccount.workspace_id == bindparam("workspace"), MemberAccount.platform == bindparam("platform"),
           MemberAccount.external_id == bindparam("user"))
)
# Who is speaking, in one round trip: the workspace of the platform team and (when known) the member.
_SPEAKER = (
    select(Workspace, Member).select_from(WorkspaceAccount)
    .join(Workspace, col(Workspace.id) == col(WorkspaceAccount.workspace_id))
    .outerjoin(MemberAccount, and_(col(MemberAccount.workspace_id) == col(Workspace.id),
                                   col(MemberAccount.platform) == bindparam("platform"),
                                   col(MemberAccount.external_id) == bindparam("user")))
    .outerjoin(Member, col(Member.id) == col(MemberAccount.member_id))
    .where(WorkspaceAccount.platform == bindparam("platform"), WorkspaceAccount.external_id == bindparam("team"))
)
_ACCOUNT_TABLE = MemberAccount.__table__  # type: ignore[attr-defined]
# Plain rows, not entities: a Core statement costs a third of an ORM one, and accounts are only read here.
_ACCOUNTS = select(_ACCOUNT_TABLE.c.platform, _ACCOUNT_TABLE.c.external_id).where(
    _ACCOUNT_TABLE.c.member_id == bindparam("member"))


def find_workspace(session: Session, platform: str, team_id: str) -> Workspace | None:
    return session.exec(_WORKSPACE_BY_ACCOUNT, params={"platform": platform, "team": team_id}).first()


def find_speaker(session: Session, platform: str, team_id: str, user_id: str) -> tuple[Workspace | None, Member | None]:
    """The platform team's workspace and the member behind ``user_id`` there, either None when unknown."""
    row = session.execute(_SPEAKER, {"platform": platform, "team": team_id, "user": user_id}).first()
    return (row[0], row[1]) if row is not None else (None, None)


def ensure_workspace(session: Session, platform: str, team_id: str, name: str | None, clock: Clock) -> Workspace:
    workspace = find_workspace(session, platform, team_id)
    if workspace is not None:
        return workspace
    workspace = Workspace(name=(name or team_id)[:200], created_at=clock.now())
    session.add(workspace)
    session.flush()
    assert workspace.id is not None
    session.add(WorkspaceAccount(workspace_id=workspace.id, platform=platform, external_id=team_id))
    session.flush()
    return workspace


def find_member_by_account(session: Session, workspace_id: int, platform: str, user_id: str) -> Member | None:
    return session.exec(_MEMBER_BY_ACCOUNT, params={"workspace": workspace_id, "platform": platform,
                                                    "user": user_id}).first()


def ensure_member(
    session: Session, workspace: Workspace, person: Person, admins: frozenset[str], clock: Clock,
    known: Member | None = None,
) -> Member:
    """The speaking member, created on first contact (role ``rep``, or ``admin`` when listed in
    ``TANDEM_ADMINS``). A known e-mail joins the new platform account to the existing person.
    ``known`` is the member find_speaker already found for this person's account."""
    assert workspace.id is not None
    member = known or find_member_by_account(session, workspace.id, person.platform, person.user_id)
    if member is None and person.email:
        member = session.exec(
            select(Member).where(Member.workspace_id == workspace.id, func.lower(Member.email) == person.email.lower())
        ).first()
        if member is not None:
            add_account(session, member, person.platform, person.user_id)
    if member is None:
        member = Member(
            workspace_id=workspace.id,
            display_name=(person.display_name or person.user_id)[:200],
            email=person.email,
            timezone=person.timezone,
            role="admin" if person.user_id in admins else "rep",
            created_at=clock.now(),
        )
        session.add(member)
        session.flush()
        add_account(session, member, person.platform, person.user_id)
    changed = False
    named = person.display_name and person.display_name != member.display_name
    if named and member.display_name in (person.user_id, ""):
        member.display_name = (person.display_name or "")[:200]
        changed = True
    if person.email and not member.email:
        member.email = person.email
        changed = True
    if person.timezone and not member.timezone:
        member.timezone = person.timezone
        changed = True
    if member.last_platform != person.platform:
        member.last_platform = person.platform
        changed = True
    if person.user_id in admins and member.role != "admin":
        member.role = "admin"
        changed = True
    if changed:
        session.add(member)
    return member


def add_account(session: Session, member: Member, platform: str, user_id: str) -> None:
    assert member.id is not None
    session.add(MemberAccount(workspace_id=member.workspace_id, member_id=member.id, platform=platform,
                              external_id=user_id))
    session.flush()
    unit_cache(session, "accounts").pop(member.id, None)


def accounts_of(session: Session, member_id: int) -> dict[str, str]:
    """Read once per transaction: a card mentions the same few people many times."""
    cache = unit_cache(session, "accounts")
    if member_id not in cache:
        rows = session.execute(_ACCOUNTS, {"member": member_id}).all()
        cache[member_id] = {platform: external_id for platform, external_id in rows}
    return dict(cache[member_id])


def mention(session: Session, member: Member | None) -> Mention:
    if member is None or member.id is None:
        return Mention(name="nobody")
    return Mention(name=member.display_name, accounts=accounts_of(session, member.id))


def find_member(session: Session, workspace_id: int, raw: str) -> Member:
    """The member a command names (``<@U1>``, ``<at>Rita</at>``, ``@rita``, an e-mail, a user id)."""
    ref = parse_user(raw)
    member = _lookup(session, workspace_id, ref)
    if member is None:
        raise NotFound(f"I don't know anyone called `{ref.raw}` here. They appear once they have used Tandem; "
                       "name them by @mention or e-mail.")
    return member


def _lookup(session: Session, workspace_id: int, ref: UserRef) -> Member | None:
    if ref.platform_id:
        found = session.exec(
            select(Member).join(MemberAccount, col(MemberAccount.member_id) == col(Member.id)).where(
                MemberAccount.workspace_id == workspace_id, MemberAccount.external_id == ref.platform_id
            )
        ).first()
        if found:
            return found
    if ref.email:
        return session.exec(
            select(Member).where(Member.workspace_id == workspace_id, func.lower(Member.email) == ref.email)
        ).first()
    if ref.name:
        name = ref.name.lower()
        members = session.exec(select(Member).where(Member.workspace_id == workspace_id)).all()
        exact = [m for m in members if m.display_name.lower() == name]
        if len(exact) == 1:
            return exact[0]
        first = [m for m in members if m.display_name.lower().split(" ")[0] == name
                 or (m.email or "").lower().split("@")[0] == name]
        if len(first) == 1:
            return first[0]
        if len(exact) > 1 or len(first) > 1:
            raise UsageError(f"More than one person matches `{ref.raw}`; use an @mention or their e-mail.")
    return None


def members_with_role(session: Session, workspace_id: int, role: str) -> list[Member]:
    return list(session.exec(
        select(Member).where(Member.workspace_id == workspace_id, Member.role == role).order_by(Member.id)  # type: ignore[arg-type]
    ).all())


def has_role(member: Member, role: str) -> bool:
    return ROLE_RANK.get(member.role, 0) >= ROLE_RANK[role]
