"""Which workspace an operator command means (`tandem apikey create … --workspace`, `tandem import leads …`):
a Slack team id, a Teams tenant id or the workspace's name; left out when the database holds one workspace."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.core.errors import NotFound, UsageError
from storage.models import Workspace, WorkspaceAccount

SHOWN = 10  # workspaces named in an answer that asks to choose


def find_workspace_by_ref(session: Session, ref: str | None) -> Workspace:
    """The workspace ``ref`` names (a platform team id first, then the name, ignoring case), or the only one when
    ``ref`` is None. An unknown, ambiguous or missing ``ref`` says which workspaces there are."""
    if ref is None or not ref.strip():
        rows = session.exec(select(Workspace).order_by(col(Workspace.id)).limit(2)).all()
        if len(rows) == 1:
            return rows[0]
        if not rows:
            raise NotFound("There is no workspace yet: Tandem creates one when someone first talks to it.")
        raise UsageError(f"There are several workspaces; choose one with --workspace. {_known(session)}")
    value = ref.strip()
    by_account = session.exec(
        select(Workspace)
        .join(WorkspaceAccount, col(WorkspaceAccount.workspace_id) == col(Workspace.id))
        .where(col(WorkspaceAccount.external_id) == value)
        .order_by(col(Workspace.id))
    ).first()
    if by_account is not None:
        return by_account
    named = session.exec(
        select(Workspace).where(func.lower(col(Workspace.name)) == value.lower()).order_by(col(Workspace.id)).limit(2)
    ).all()
    if len(named) == 1:
        return named[0]
    if named:
        raise UsageError(
            f"More than one workspace is called `{value[:80]}`; use its team or tenant id. {_known(session)}"
        )
    raise NotFound(f"There is no workspace `{value[:80]}`. {_known(session)}")


def _known(session: Session) -> str:
    rows = session.exec(
        select(
            col(Workspace.id), col(Workspace.name), col(WorkspaceAccount.platform), col(WorkspaceAccount.external_id)
        )
        .outerjoin(WorkspaceAccount, col(WorkspaceAccount.workspace_id) == col(Workspace.id))
        .order_by(col(Workspace.id), col(WorkspaceAccount.platform))
    ).all()
    described: dict[int | None, list[str]] = {}
    for workspace_id, name, platform, external_id in rows:
        accounts = described.setdefault(workspace_id, [name])
        if platform is not None:
            accounts.append(f"{platform} {external_id}")
    if not described:
        return "There are no workspaces yet."
    shown = [f"{parts[0]} ({', '.join(parts[1:])})" if parts[1:] else parts[0] for parts in described.values()]
    more = f" and {len(shown) - SHOWN} more" if len(shown) > SHOWN else ""
    return "Workspaces: " + "; ".join(shown[:SHOWN]) + more + "."
