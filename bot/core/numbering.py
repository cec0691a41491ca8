"""Per-workspace numbers (``L-<n>``, ``T-<n>``, ``C-<n>``): one ``UPDATE … RETURNING`` on the workspace's counter,
which also serialises two people numbering at once on PostgreSQL."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Update, bindparam, update
from sqlmodel import Session

from storage.models import Workspace

Counter = Literal["lead_seq", "tool_seq", "campaign_seq"]
_WORKSPACE = Workspace.__table__  # type: ignore[attr-defined]


def _statement(counter: Counter) -> Update:
    column: Any = _WORKSPACE.c[counter]
    return (
        update(_WORKSPACE)
        .where(_WORKSPACE.c.id == bindparam("workspace"))
        .values({counter: column + 1})
        .returning(column)
    )


_NEXT = {counter: _statement(counter) for counter in ("lead_seq", "tool_seq", "campaign_seq")}


def next_number(session: Session, workspace_id: int, counter: Counter) -> int:
    """The workspace's next number on ``counter``. A Core UPDATE without autoflush: pending changes (a routing
    cursor) go out with the numbered row's INSERT."""
    with session.no_autoflush:
        return int(session.execute(_NEXT[counter], {"workspace": workspace_id}).scalar_one())
