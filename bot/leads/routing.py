"""Who gets a hand-off when the marketer names nobody: round-robin among the workspace's reps."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, select

from bot.admin.settings import get_setting
from storage.models import Member, Workspace

_MEMBER = Member.__table__  # type: ignore[attr-defined]
# Only the ids: loading all reps as objects on every hand-off cost more than the rest of the routing.
_REP_IDS = (
    select(_MEMBER.c.id)
    .where(_MEMBER.c.workspace_id == bindparam("workspace"), _MEMBER.c.role == "rep")
    .order_by(_MEMBER.c.id)
)


def next_rep(session: Session, workspace: Workspace) -> Member | None:
    """The rep after the one who got the last routed lead (by member id, wrapping); None when there is none
    or routing is ``manual``."""
    assert workspace.id is not None
    if get_setting(session, workspace.id, "routing") == "manual":
        return None
    reps = list(session.execute(_REP_IDS, {"workspace": workspace.id}).scalars())
    if not reps:
        return None
    cursor = workspace.routing_cursor or 0
    chosen_id = next((rep for rep in reps if rep > cursor), reps[0])
    chosen = session.get(Member, chosen_id)
    assert chosen is not None
    workspace.routing_cursor = chosen.id
    session.add(workspace)
    return chosen
