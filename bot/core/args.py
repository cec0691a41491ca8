"""Small helpers handlers use to read their arguments."""

from __future__ import annotations

from sqlalchemy import case
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.core.errors import NotFound, UsageError
from storage.models import Campaign


def need(args: list[str], count: int, spec_usage: str, what: str) -> None:
    if len(args) < count:
        raise UsageError(f"Missing {what}.", usage=spec_usage)


def rest(args: list[str], start: int) -> str | None:
    text = " ".join(args[start:]).strip()
    return text or None


def find_campaign(session: Session, workspace_id: int, raw: str, *, for_update: bool = False) -> Campaign:
    """A campaign by ``C-<n>``, exact name or unique prefix (case-insensitive). Each answer is a query that
    returns a handful of rows, however many campaigns the workspace has run. A name an ended campaign and a
    running one share means the running one (a closed campaign's name may be used again). ``for_update`` reads
    the row locked, to change it."""
    value = raw.strip()
    if value.upper().startswith("C-") and value[2:].isascii() and value[2:].isdigit():
        by_number = select(Campaign).where(Campaign.workspace_id == workspace_id, Campaign.number == int(value[2:]))
        found = session.exec(_locked(by_number) if for_update else by_number).first()
        if found:
            return found
        raise NotFound(f"There is no campaign {value.upper()} here.")
    lowered = value.lower()
    named = select(Campaign).where(Campaign.workspace_id == workspace_id).order_by(col(Campaign.id))
    running_first = (
        select(Campaign)
        .where(Campaign.workspace_id == workspace_id, func.lower(col(Campaign.name)) == lowered)
        .order_by(case((col(Campaign.status) == "active", 0), else_=1), col(Campaign.id).desc())
        .limit(1)
    )
    exact = session.exec(running_first).first()
    if exact:
        return _again_locked(session, exact) if for_update else exact
    # The typed text is a literal prefix: `%` and `_` in it match themselves.
    prefix = session.exec(
        named.where(func.lower(col(Campaign.name)).startswith(lowered, autoescape=True)).limit(6)
    ).all()
    if len({c.name.lower() for c in prefix}) == 1:  # one name (maybe run more than once): the running one
        chosen = sorted(prefix, key=lambda c: (c.status != "active", -(c.id or 0)))[0]
        return _again_locked(session, chosen) if for_update else chosen
    if len(prefix) > 1:
        names = ", ".join(f"“{c.name}”" for c in prefix[:5])
        raise UsageError(f"`{value[:60]}` matches several campaigns: {names}. Type more of the name.")
    campaigns = session.exec(  # the running ones first: those are what people mean
        select(Campaign.name)
        .where(Campaign.workspace_id == workspace_id)
        .order_by(case((col(Campaign.status) == "active", 0), else_=1), col(Campaign.id))
        .limit(6)
    ).all()
    known = ", ".join(f"“{name}”" for name in campaigns[:5]) + (", …" if len(campaigns) > 5 else "")
    raise NotFound(
        f"There is no campaign called `{value[:60]}`. "
        + (f"Campaigns here: {known}." if campaigns else "This workspace has no campaigns yet.")
    )


def _locked(query: SelectOfScalar[Campaign]) -> SelectOfScalar[Campaign]:
    return query.with_for_update().execution_options(populate_existing=True)


def _again_locked(session: Session, campaign: Campaign) -> Campaign:
    """The chosen campaign read once more, locked (its first read picked it among several)."""
    found = session.exec(_locked(select(Campaign).where(Campaign.id == campaign.id))).one()
    return found
