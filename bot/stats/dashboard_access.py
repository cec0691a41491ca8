"""Who may see the dashboard, checked again on every request: the member a signed link or session names must
still exist in that workspace and still be a manager or an admin, so a demoted member loses access at once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.core.people import MemberRow, has_role
from bot.stats.dashboard_link import SigninClaims
from storage.models import DashboardSignin, Member

ROLE = "manager"
_MEMBER: Table = Member.__table__  # type: ignore[attr-defined]
_SIGNIN: Table = DashboardSignin.__table__  # type: ignore[attr-defined]
_VIEWER = select(
    _MEMBER.c.id,
    _MEMBER.c.role,
    _MEMBER.c.display_name,
    _MEMBER.c.email,
    _MEMBER.c.timezone,
    _MEMBER.c.last_platform,
).where(_MEMBER.c.id == bindparam("member"), _MEMBER.c.workspace_id == bindparam("workspace"))
_USE_ONCE = {
    name: dialect.insert(_SIGNIN).on_conflict_do_nothing(index_elements=["nonce"]).returning(_SIGNIN.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def member_in(session: Session, workspace_id: int, member_id: int) -> MemberRow | None:
    """The member, when they belong to ``workspace_id``; None for a stranger or a deleted member."""
    row = session.execute(_VIEWER, {"member": member_id, "workspace": workspace_id}).first()
    return MemberRow(*row) if row is not None else None


def may_view(member: MemberRow | None) -> bool:
    return member is not None and has_role(member, ROLE)


def use_signin(session: Session, claims: SigninClaims, now: datetime) -> bool:
    """Marks the link used; False when it already was. The unique nonce decides, so two openings at the same
    moment (a double click, a link preview racing the person) give one session, never two."""
    statement = _USE_ONCE[session.get_bind().dialect.name].values(
        nonce=claims.nonce[:64], workspace_id=claims.workspace_id, member_id=claims.member_id, used_at=now
    )
    return session.execute(statement).scalar_one_or_none() is not None
