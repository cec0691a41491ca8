"""Workspaces and members: who is asking, and who a command names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import and_, bindparam, case, func, or_
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from bot.core.clock import Clock, SystemClock
from bot.core.errors import NotFound, UsageError
from bot.core.grammar import UserRef, parse_user
from bot.core.replies import Mention
from bot.core.request import Named, Person
from storage.db import unit_cache
from storage.models import ROLES, Member, MemberAccount, Workspace, WorkspaceAccount

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
# Built once: every command runs these, and a prebuilt statement skips SQLAlchemy's per-call construction.
_WORKSPACE_BY_ACCOUNT = (
    select(Workspace)
    .join(WorkspaceAccount, WorkspaceAccount.workspace_id == Workspace.id)  # type: ignore[arg-type]
    .where(WorkspaceAccount.platform == bindparam("platform"), WorkspaceAccount.external_id == bindparam("team"))
)
_MEMBER_BY_ACCOUNT = (
    select(Member)
    .join(MemberAccount, MemberAccount.member_id == Member.id)  # type: ignore[arg-type]
    .where(
        MemberAccount.workspace_id == bindparam("workspace"),
        MemberAccount.platform == bindparam("platform"),
        MemberAccount.external_id == bindparam("user"),
    )
)
# A command names someone: by any of their accounts in the workspace, by e-mail, or (``@rita``) by name.
_MEMBER_BY_ANY_ACCOUNT = (
    select(Member)
    .join(MemberAccount, col(MemberAccount.member_id) == col(Member.id))
    .where(MemberAccount.workspace_id == bindparam("workspace"), MemberAccount.external_id == bindparam("user"))
)
_MEMBER_BY_EMAIL = select(Member).where(
    Member.workspace_id == bindparam("workspace"), func.lower(Member.email) == bindparam("email")
)
_NAME_MATCHES = 2  # exact names sort first: two rows tell one match from an ambiguous name
_MEMBERS_BY_NAME = (
    select(Member)
    .where(
        Member.workspace_id == bindparam("workspace"),
        or_(
            func.lower(Member.display_name) == bindparam("name"),
            func.lower(Member.display_name).like(bindparam("first"), escape="\\"),
            func.lower(Member.email).like(bindparam("local"), escape="\\"),
        ),
    )
    .order_by(case((func.lower(Member.display_name) == bindparam("name"), 0), else_=1), col(Member.id))
    .limit(_NAME_MATCHES)
)
_ACCOUNT_TABLE = MemberAccount.__table__  # type: ignore[attr-defined]
_MEMBER_TABLE = Member.__table__  # type: ignore[attr-defined]
_WORKSPACE_ACCOUNT_TABLE = WorkspaceAccount.__table__  # type: ignore[attr-defined]
# Who is speaking, in one round trip and as plain columns (every command runs it; entities cost 3x more):
# the workspace of the platform team and, when known, the member behind the account.
_SPEAKER = (
    core_select(
        _WORKSPACE_ACCOUNT_TABLE.c.workspace_id,
        _MEMBER_TABLE.c.id,
        _MEMBER_TABLE.c.role,
        _MEMBER_TABLE.c.display_name,
        _MEMBER_TABLE.c.email,
        _MEMBER_TABLE.c.timezone,
        _MEMBER_TABLE.c.last_platform,
    )
    .select_from(_WORKSPACE_ACCOUNT_TABLE)
    .outerjoin(
        _ACCOUNT_TABLE,
        and_(
            _ACCOUNT_TABLE.c.workspace_id == _WORKSPACE_ACCOUNT_TABLE.c.workspace_id,
            _ACCOUNT_TABLE.c.platform == bindparam("platform"),
            _ACCOUNT_TABLE.c.external_id == bindparam("user"),
        ),
    )
    .outerjoin(_MEMBER_TABLE, _MEMBER_TABLE.c.id == _ACCOUNT_TABLE.c.member_id)
    .where(
        _WORKSPACE_ACCOUNT_TABLE.c.platform == bindparam("platform"),
        _WORKSPACE_ACCOUNT_TABLE.c.external_id == bindparam("team"),
    )
)


class MemberFacts(Protocol):
    """What dispatch knows about a member: the entity, or the columns the speaker query read."""

    @property
    def display_name(self) -> str: ...

    @property
    def email(self) -> str | None: ...

    @property
    def timezone(self) -> str | None: ...

    @property
    def role(self) -> str: ...

    @property
    def last_platform(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: int
    role: str
    display_name: str
    email: str | None
    timezone: str | None
    last_platform: str | None

    @classmethod
    def of(cls, member: Member) -> MemberRow:
        assert member.id is not None
        return cls(member.id, member.role, member.display_name, member.email, member.timezone, member.last_platform)


@dataclass(frozen=True, slots=True)
class Speaker:
    workspace_id: int
    member: MemberRow | None


# Plain rows, not entities: a Core statement costs a third of an ORM one, and accounts are only read here.
_ACCOUNTS = select(_ACCOUNT_TABLE.c.platform, _ACCOUNT_TABLE.c.external_id).where(
    _ACCOUNT_TABLE.c.member_id == bindparam("member")
)
# Everyone a card names (owner, marketer, the trail's actors), with their accounts, in one round trip.
_MENTIONS = (
    select(_MEMBER_TABLE.c.id, _MEMBER_TABLE.c.display_name, _ACCOUNT_TABLE.c.platform, _ACCOUNT_TABLE.c.external_id)
    .select_from(_MEMBER_TABLE)
    .outerjoin(_ACCOUNT_TABLE, _ACCOUNT_TABLE.c.member_id == _MEMBER_TABLE.c.id)
    .where(
        _MEMBER_TABLE.c.workspace_id == bindparam("workspace"), _MEMBER_TABLE.c.id.in_(bindparam("ids", expanding=True))
    )
)


def find_workspace(session: Session, platform: str, team_id: str) -> Workspace | None:
    return session.exec(_WORKSPACE_BY_ACCOUNT, params={"platform": platform, "team": team_id}).first()


def find_speaker(session: Session, platform: str, team_id: str, user_id: str) -> Speaker | None:
    """The platform team's workspace and the member behind ``user_id`` there; None for an unknown team."""
    row = session.execute(_SPEAKER, {"platform": platform, "team": team_id, "user": user_id}).first()
    if row is None:
        return None
    workspace_id, member_id, role, name, email, timezone, last_platform = row
    member = MemberRow(member_id, role, name, email, timezone, last_platform) if member_id is not None else None
    return Speaker(workspace_id, member)


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
    return session.exec(
        _MEMBER_BY_ACCOUNT, params={"workspace": workspace_id, "platform": platform, "user": user_id}
    ).first()


def ensure_member(
    session: Session, workspace: Workspace, person: Person, admins: frozenset[str], clock: Clock
) -> Member:
    """The speaking member, created on first contact (role ``rep``, or ``admin`` when listed in
    ``TANDEM_ADMINS``), with what this sighting teaches (``member_changes``). A known e-mail joins the new
    platform account to the existing person."""
    assert workspace.id is not None
    member = find_member_by_account(session, workspace.id, person.platform, person.user_id)
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
    changes = member_changes(member, person, admins)
    if changes:
        for name, value in changes.items():
            setattr(member, name, value)
        session.add(member)
        unit_cache(session, "mentions").pop(member.id, None)
    return member


def member_changes(member: MemberFacts, person: Person, admins: frozenset[str]) -> dict[str, str]:
    """What this sighting of ``person`` teaches about the member: a real name for a bare id, an e-mail or time
    zone not known yet, the platform last used, the admin role TANDEM_ADMINS grants."""
    changes: dict[str, str] = {}
    if (
        person.display_name
        and person.display_name != member.display_name
        and member.display_name in (person.user_id, "")
    ):
        changes["display_name"] = person.display_name[:200]
    if person.email and not member.email:
        changes["email"] = person.email
    if person.timezone and not member.timezone:
        changes["timezone"] = person.timezone
    if member.last_platform != person.platform:
        changes["last_platform"] = person.platform
    if person.user_id in admins and member.role != "admin":
        changes["role"] = "admin"
    return changes


def add_account(session: Session, member: Member, platform: str, user_id: str) -> None:
    assert member.id is not None
    session.add(
        MemberAccount(workspace_id=member.workspace_id, member_id=member.id, platform=platform, external_id=user_id)
    )
    session.flush()
    unit_cache(session, "accounts").pop(member.id, None)
    unit_cache(session, "mentions").pop(member.id, None)


def accounts_of(session: Session, member_id: int) -> dict[str, str]:
    """Read once per transaction: a card mentions the same few people many times."""
    cache = unit_cache(session, "accounts")
    if member_id not in cache:
        rows = session.execute(_ACCOUNTS, {"member": member_id}).all()
        cache[member_id] = {platform: external_id for platform, external_id in rows}
    return dict(cache[member_id])


def mentions(session: Session, workspace_id: int, member_ids: Iterable[int | None]) -> dict[int, Mention]:
    """Mentions of the workspace's members ``member_ids`` (unknown ids are left out), read once per transaction."""
    ids = [i for i in member_ids if i is not None]
    cache: dict[int, Mention] = unit_cache(session, "mentions")
    wanted = sorted({i for i in ids if i not in cache})
    if wanted:
        found: dict[int, tuple[str, dict[str, str]]] = {}
        for member_id, name, platform, external_id in session.execute(
            _MENTIONS, {"workspace": workspace_id, "ids": wanted}
        ):
            accounts = found.setdefault(member_id, (name, {}))[1]
            if platform is not None:
                accounts[platform] = external_id
        for member_id, (name, accounts) in found.items():
            cache[member_id] = Mention(name=name, accounts=accounts)
    return {i: cache[i] for i in ids if i in cache}


def mention(session: Session, member: Member | None) -> Mention:
    if member is None or member.id is None:
        return Mention(name="nobody")
    return Mention(name=member.display_name, accounts=accounts_of(session, member.id))


class Unmet(NotFound):
    """A command names someone by platform id or e-mail whom Tandem has not met. The answer stands where no
    directory can help (playground, console); Slack and Teams look them up and run the command again."""

    def __init__(self, ref: UserRef) -> None:
        super().__init__(f"I don't know anyone called `{ref.raw}` here yet. Check it, or name them by @mention.")
        self.ref = ref


def find_member(
    session: Session,
    workspace_id: int,
    raw: str | UserRef,
    named: Sequence[Named] = (),
    *,
    clock: Clock | None = None,
    admins: frozenset[str] = frozenset(),
) -> Member:
    """The member a command names (``<@U1>``, ``<at>Rita</at>``, ``@rita``, an e-mail, a user id), as typed or
    as a ``person`` option already parsed. Someone the platform's directory found for this request (``named``)
    becomes a member on the spot."""
    ref = raw if isinstance(raw, UserRef) else parse_user(raw)
    member = _lookup(session, workspace_id, ref)
    if member is not None:
        return member
    if ref.key is None:
        raise NotFound(f"I don't know anyone called `{ref.raw}` here. Name them by @mention or e-mail.")
    answer = next((n for n in named if n.ref == ref.key), None)
    if answer is None:
        raise Unmet(ref)
    if answer.person is None:
        raise NotFound(f"I couldn't find `{ref.key}` {answer.tried}. Check it, or name them by @mention.")
    return introduce(session, workspace_id, answer.person, answer.accounts, admins, clock or SystemClock())


def introduce(
    session: Session,
    workspace_id: int,
    person: Person,
    accounts: Iterable[tuple[str, str]],
    admins: frozenset[str],
    clock: Clock,
) -> Member:
    """A person the platform's directory knows becomes a member with all their accounts, so their first message
    later is this same member; an e-mail Tandem knows joins them to that person. What the directory said is a
    full profile, so the member counts as enriched (no second lookup when they first speak)."""
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None
    member = ensure_member(session, workspace, person, admins, clock)
    assert member.id is not None
    for platform, external_id in accounts:
        if not find_member_by_account(session, workspace_id, platform, external_id):
            add_account(session, member, platform, external_id)
        if external_id in admins and member.role != "admin":
            member.role = "admin"
    member.enriched = True
    session.add(member)
    return member


def _lookup(session: Session, workspace_id: int, ref: UserRef) -> Member | None:
    """An id is exact: a Slack mention's label is not used to guess someone else by name."""
    if ref.platform_id:
        return session.exec(_MEMBER_BY_ANY_ACCOUNT, params={"workspace": workspace_id, "user": ref.platform_id}).first()
    if ref.email:
        return session.exec(_MEMBER_BY_EMAIL, params={"workspace": workspace_id, "email": ref.email}).first()
    if ref.name:
        return _by_name(session, workspace_id, ref)
    return None


def _by_name(session: Session, workspace_id: int, ref: UserRef) -> Member | None:
    """``@rita``: the one member called exactly that, else the one whose first name or e-mail local part it is.
    The database picks the candidates (exact names first), so the cost does not grow with the team."""
    assert ref.name
    name = ref.name.lower()
    rows = session.exec(
        _MEMBERS_BY_NAME,
        params={"workspace": workspace_id, "name": name, "first": _like(name) + " %", "local": _like(name) + "@%"},
    ).all()
    exact = [m for m in rows if m.display_name.lower() == name]
    if len(exact) == 1:
        return exact[0]
    first = [
        m for m in rows if m.display_name.lower().split(" ")[0] == name or (m.email or "").lower().split("@")[0] == name
    ]
    if len(first) == 1:
        return first[0]
    if len(exact) > 1 or len(first) > 1:
        raise UsageError(f"More than one person matches `{ref.raw}`; use an @mention or their e-mail.")
    return None


def _like(text: str) -> str:
    """``text`` as a literal LIKE prefix: its own ``%`` and ``_`` match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def members_with_role(session: Session, workspace_id: int, role: str) -> list[Member]:
    return list(
        session.exec(
            select(Member).where(Member.workspace_id == workspace_id, Member.role == role).order_by(Member.id)  # type: ignore[arg-type]
        ).all()
    )


def has_role(member: MemberFacts, role: str) -> bool:
    return ROLE_RANK.get(member.role, 0) >= ROLE_RANK[role]
