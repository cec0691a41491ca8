"""What a checked row names in the workspace: its owner (by e-mail) and its campaign. Only this workspace's
members and campaigns are looked at, so a refusal never says anything about another workspace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from bot.core.args import find_campaign
from bot.core.errors import NotFound, UsageError
from bot.imports.checks import ImportRow, Refusal
from bot.imports.matching import Candidate
from storage.models import Campaign, Member

_MEMBER = Member.__table__  # type: ignore[attr-defined]
_BY_EMAIL = (
    select(_MEMBER.c.id, _MEMBER.c.display_name, func.lower(_MEMBER.c.email))
    .where(
        _MEMBER.c.workspace_id == bindparam("workspace"),
        func.lower(_MEMBER.c.email).in_(bindparam("emails", expanding=True)),
    )
    .order_by(_MEMBER.c.id.desc())
)
_CHUNK = 500


@dataclass(frozen=True)
class Resolved:
    candidates: list[Candidate]
    refused: list[Refusal]
    owner_names: dict[int, str]  # member id → display name, of the owners the file names


def resolve(session: Session, workspace_id: int, rows: Sequence[ImportRow]) -> Resolved:
    """Owners and campaigns for every row: one query per 500 distinct owner e-mails, a few per distinct
    campaign. A row naming someone or something this workspace does not have is refused with the reason."""
    owners = _members_by_email(session, workspace_id, sorted({r.owner_email for r in rows if r.owner_email}))
    campaigns: dict[str, Campaign | str] = {}
    candidates: list[Candidate] = []
    refused: list[Refusal] = []
    for row in rows:
        owner_id = None
        if row.owner_email:
            found = owners.get(row.owner_email)
            if found is None:
                refused.append(
                    Refusal(
                        row.line,
                        f"nobody with the e-mail {row.owner_email} is a member of this workspace, so the lead would "
                        "have no owner; use a member's e-mail, or leave owner_email empty to share it out round-robin.",
                    )
                )
                continue
            owner_id = found[0]
        new = row.new
        if row.campaign:
            campaign = campaigns.get(row.campaign.lower())
            if campaign is None:
                campaign = campaigns[row.campaign.lower()] = _campaign(session, workspace_id, row.campaign)
            if isinstance(campaign, str):
                refused.append(Refusal(row.line, campaign))
                continue
            new = replace(new, campaign=campaign)
        candidates.append(Candidate(row.line, new, owner_id))
    names = {member_id: name for member_id, name in owners.values()}
    return Resolved(candidates, refused, names)


def _members_by_email(session: Session, workspace_id: int, emails: list[str]) -> dict[str, tuple[int, str]]:
    """Lower-cased e-mail → (member id, display name); the oldest member where two share one, as
    ``find_member`` would find one of them."""
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(emails), _CHUNK):
        chunk = emails[start : start + _CHUNK]
        for member_id, name, email in session.execute(_BY_EMAIL, {"workspace": workspace_id, "emails": chunk}):
            found[email] = (member_id, name)  # newest first: the oldest is written last
    return found


def _campaign(session: Session, workspace_id: int, named: str) -> Campaign | str:
    """The campaign, or the reason it cannot be found, as `lead handoff campaign:` words it."""
    try:
        return find_campaign(session, workspace_id, named)
    except (NotFound, UsageError) as error:
        text = str(error)
        return text[:1].lower() + text[1:]
