"""Who gets a hand-off when the marketer names nobody: round-robin among the workspace's reps."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, select

from bot.services.workspace_settings import get_setting
from storage.models import Member, Workspace

_REPS = select(Member).where(Member.workspace_id == bindparam("workspace"), Member.role == "rep").order_by(
    Member.id)  # type: ignore[arg-type]


def next_rep(session: Session, workspace: Workspace) -> Member | None:
    """The rep after the one who got the last routed lead (by member id, wrapping); None when there is none
    or routing is ``manual``."""
    assert workspace.id is not None
    if get_setting(session, workspace.id, "routing") == "manual":
        return None
    reps = list(session.exec(_REPS, params={"workspace": workspace.id}).all())
    if not reps:
        return None
    cursor = workspace.routing_cursor or 0
    chosen = next((rep for rep in reps if (rep.id or 0) > cursor), reps[0])
    workspace.routing_cursor = chosen.id
    session.add(workspace)
    return chosen
