"""Which workspace an operator command means (`tandem import leads --workspace …`, `tandem apikey create
--workspace …`): a Slack team id, a Teams tenant id or the workspace's name — or, on an install that serves one
company, nothing at all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.core.errors import NotFound, UsageError
from storage.models import Workspace, WorkspaceAccount

PLATFORM_NAMES = {"slack": "Slack team", "teams": "Teams tenant", "playground": "playground"}
_LISTED = 10


@dataclass(frozen=True)
class WorkspaceRef:
    """A workspace as an operator sees it: its name and the platform accounts that lead to it."""

    id: int
    name: str
    accounts: tuple[tuple[str, str], ...]  # (platform, external id)

    def describe(self) -> str:
        """``Acme (Slack team T0123, Teams tenant 72f9…)``."""
        ids = ", ".join(f"{PLATFORM_NAMES.get(platform, platform)} {external}" for platform, external in self.accounts)
        return f"{self.name} ({ids})" if ids else self.name


def find_workspace_by_ref(session: Session, ref: str | None) -> WorkspaceRef:
    """The workspace ``ref`` names: a platform account id exactly (Teams tenant ids ignoring case), else a
    workspace name ignoring case. Without ``ref``, the one workspace there is. Anything else raises with the
    workspaces to choose from, since the operator running the command may see them all."""
    everyone = _all(session)
    if not everyone:
        raise NotFound(
            "There is no workspace in this database yet. Tandem creates one when someone first talks to it in "
            "Slack or Teams (or run `tandem demo` for a sample one)."
        )
    if ref is None or not ref.strip():
        if len(everyone) == 1:
            return everyone[0]
        raise UsageError(
            f"This database holds {len(everyone)} workspaces; say which one with --workspace "
            f"(a Slack team id, a Teams tenant id or a name): {_choices(everyone)}."
        )
    wanted = ref.strip()
    by_account = [
        w
        for w in everyone
        if any(external == wanted or external.lower() == wanted.lower() for _, external in w.accounts)
    ]
    if len(by_account) == 1:
        return by_account[0]
    by_name = [w for w in everyone if w.name.lower() == wanted.lower()]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise UsageError(
            f"{len(by_name)} workspaces are called “{wanted[:60]}”; name one by its team or tenant id: "
            f"{_choices(by_name)}."
        )
    raise NotFound(f"No workspace has the id or name “{wanted[:60]}”. Workspaces here: {_choices(everyone)}.")


def _all(session: Session) -> list[WorkspaceRef]:
    """Every workspace with its accounts: two small queries (an install serves a handful of companies)."""
    workspaces = session.exec(select(Workspace.id, Workspace.name).order_by(col(Workspace.id))).all()
    accounts: dict[int, list[tuple[str, str]]] = {}
    rows = session.exec(
        select(WorkspaceAccount.workspace_id, WorkspaceAccount.platform, WorkspaceAccount.external_id).order_by(
            col(WorkspaceAccount.id)
        )
    ).all()
    for workspace_id, platform, external in rows:
        accounts.setdefault(workspace_id, []).append((platform, external))
    return [WorkspaceRef(id_, name, tuple(accounts.get(id_, ()))) for id_, name in workspaces if id_ is not None]


def _choices(workspaces: list[WorkspaceRef]) -> str:
    shown = "; ".join(w.describe() for w in workspaces[:_LISTED])
    return shown + (f"; and {len(workspaces) - _LISTED} more" if len(workspaces) > _LISTED else "")
