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


def _reserve_statement(counter: Counter) -> Update:
    column: Any = _WORKSPACE.c[counter]
    return (
        update(_WORKSPACE)
        .where(_WORKSPACE.c.id == bindparam("workspace"))
        .values({counter: column + bindparam("count")})
        .returning(column)
    )


_RESERVE = {counter: _reserve_statement(counter) for counter in ("lead_seq", "tool_seq", "campaign_seq")}


def reserve_numbers(session: Session, workspace_id: int, counter: Counter, count: int) -> range:
    """``count`` consecutive numbers in one UPDATE, for a batch (an import): the same numbers ``count`` calls of
    ``next_number`` would have given, in order."""
    if count <= 0:
        return range(0)
    with session.no_autoflush:
        last = int(session.execute(_RESERVE[counter], {"workspace": workspace_id, "count": count}).scalar_one())
    return range(last - count + 1, last + 1)
