"""The shared, versioned definition of a qualified lead."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.errors import UsageError
from storage.models import CriteriaVersion, Member

CRITERIA_LIMIT = 2000


def current(session: Session, workspace_id: int) -> CriteriaVersion | None:
    return session.exec(
        select(CriteriaVersion)
        .where(CriteriaVersion.workspace_id == workspace_id)
        .order_by(col(CriteriaVersion.version).desc())
    ).first()


def history(session: Session, workspace_id: int, limit: int = 5) -> list[CriteriaVersion]:
    return list(
        session.exec(
            select(CriteriaVersion)
            .where(CriteriaVersion.workspace_id == workspace_id)
            .order_by(col(CriteriaVersion.version).desc())
            .limit(limit)
        ).all()
    )


def set_text(session: Session, clock: Clock, workspace_id: int, author: Member, text: str) -> CriteriaVersion:
    text = text.strip()
    if not text:
        raise UsageError(
            "Write the definition after `set`, e.g. `lead criteria set Budget confirmed, "
            "decision maker involved, need within 6 months`.",
            usage="lead criteria set <text>",
        )
    if len(text) > CRITERIA_LIMIT:
        raise UsageError(f"The definition is {len(text):,} characters long; the limit is {CRITERIA_LIMIT:,}.")
    latest = session.execute(
        select(func.max(CriteriaVersion.version)).where(CriteriaVersion.workspace_id == workspace_id)
    ).scalar()
    row = CriteriaVersion(
        workspace_id=workspace_id, version=(latest or 0) + 1, text=text, author_id=author.id, created_at=clock.now()
    )
    session.add(row)
    session.flush()
    return row
