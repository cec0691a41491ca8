"""SPEC §3 Duplicates: a hand-off, `lead add`, API lead or imported row that matches an open lead of the
workspace is not created twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, String, bindparam, func
from sqlmodel import Session, col, select

from bot.leads.lifecycle import NewLead
from storage.models import OPEN_STATUSES, Lead, Workspace

# Rendered as literals, so the planner can match the partial indexes' ``status IN (…)``. No LIMIT: with one,
# PostgreSQL may walk the primary key in id order instead (its plan for a table it has few statistics of); the
# matches are the handful of open leads with that e-mail or company, sorted after the index found them.
_OPEN_LITERALS: BindParameter[Any] = bindparam("open_statuses", OPEN_STATUSES, expanding=True, literal_execute=True)
_SAME_EMAIL = (
    select(Lead)
    .where(
        col(Lead.workspace_id) == bindparam("workspace"),
        func.lower(col(Lead.email)) == func.lower(bindparam("email", type_=String)),
        col(Lead.status).in_(_OPEN_LITERALS),
    )
    .order_by(col(Lead.id))
)
_SAME_COMPANY = (
    select(Lead)
    .where(
        col(Lead.workspace_id) == bindparam("workspace"),
        func.lower(col(Lead.company)) == func.lower(bindparam("company", type_=String)),
        col(Lead.status).in_(_OPEN_LITERALS),
    )
    .order_by(col(Lead.id))
)
_LOCK_WORKSPACE = (
    select(Workspace)
    .where(col(Workspace.id) == bindparam("workspace"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def open_duplicate(session: Session, workspace_id: int, new: NewLead) -> Lead | None:
    """The open lead ``new`` would duplicate (SPEC §3 Duplicates), or None: the same e-mail, case-insensitive, or
    without an e-mail the same company name. Hand-offs, ``lead add``, the API and imports all ask this first.

    It takes the workspace row's lock, the one that numbering takes anyway (``next_number``), so two identical
    hand-offs at the same instant cannot both find nothing: the second waits for the first and then sees its lead.
    Each of the two reads is served by a partial expression index (migration 0005)."""
    session.exec(_LOCK_WORKSPACE, params={"workspace": workspace_id}).first()
    if new.email:
        query, params = _SAME_EMAIL, {"workspace": workspace_id, "email": new.email.strip()}
    else:
        query, params = _SAME_COMPANY, {"workspace": workspace_id, "company": new.company.strip()}
    return session.exec(query, params=params).first()
