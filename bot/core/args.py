"""Small helpers handlers use to read their arguments."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from bot.core.errors import NotFound, UsageError
from storage.models import Campaign


def need(args: list[str], count: int, spec_usage: str, what: str) -> None:
    if len(args) < count:
        raise UsageError(f"Missing {what}.", usage=spec_usage)


def rest(args: list[str], start: int) -> str | None:
    text = " ".join(args[start:]).strip()
    return text or None


def find_campaign(session: Session, workspace_id: int, raw: str) -> Campaign:
    """A campaign by ``C-<n>``, exact name or unique prefix (case-insensitive). Each answer is a query that
    returns a handful of rows, however many campaigns the workspace has run."""
    value = raw.strip()
    if value.upper().startswith("C-") and value[2:].isascii() and value[2:].isdigit():
        found = session.exec(
            select(Campaign).where(Campaign.workspace_id == workspace_id, Campaign.number == int(value[2:]))
        ).first()
        if found:
            return found
        raise NotFound(f"There is no campaign {value.upper()} here.")
    lowered = value.lower()
    named = select(Campaign).where(Campaign.workspace_id == workspace_id).order_by(col(Campaign.id))
    exact = session.exec(named.where(func.lower(col(Campaign.name)) == lowered).limit(1)).first()
    if exact:
        return exact
    # The typed text is a literal prefix: `%` and `_` in it match themselves.
    prefix = session.exec(
        named.where(func.lower(col(Campaign.name)).startswith(lowered, autoescape=True)).limit(6)
    ).all()
    if len(prefix) == 1:
        return prefix[0]
    if len(prefix) > 1:
        names = ", ".join(f"“{c.name}”" for c in prefix[:5])
        raise UsageError(f"`{value[:60]}` matches several campaigns: {names}. Type more of the name.")
    campaigns = session.exec(
        select(Campaign.name).where(Campaign.workspace_id == workspace_id).order_by(col(Campaign.id)).limit(6)
    ).all()
    known = ", ".join(f"“{name}”" for name in campaigns[:5]) + (", …" if len(campaigns) > 5 else "")
    raise NotFound(
        f"There is no campaign called `{value[:60]}`. "
        + (f"Campaigns here: {known}." if campaigns else "This workspace has no campaigns yet.")
    )
