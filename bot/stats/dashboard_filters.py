"""The dashboard's filters (campaign, owner, source): the choices its form offers, and the values a URL carries
checked against the viewer's workspace — a campaign, person or source of another workspace is unknown here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, bindparam, select, text
from sqlmodel import Session

from bot.core.args import find_campaign
from bot.core.errors import NotFound, UsageError
from storage.models import Campaign, Member

MAX_CHOICES = 200
MAX_SOURCE = 60  # the column's length (storage/models/leads.py)
_CAMPAIGN: Table = Campaign.__table__  # type: ignore[attr-defined]
_MEMBER: Table = Member.__table__  # type: ignore[attr-defined]
_CAMPAIGNS = (
    select(_CAMPAIGN.c.number, _CAMPAIGN.c.name, _CAMPAIGN.c.status)
    .where(_CAMPAIGN.c.workspace_id == bindparam("workspace"))
    .order_by(_CAMPAIGN.c.status != "active", _CAMPAIGN.c.name)
    .limit(MAX_CHOICES)
)
_PEOPLE = (
    select(_MEMBER.c.id, _MEMBER.c.display_name, _MEMBER.c.role)
    .where(_MEMBER.c.workspace_id == bindparam("workspace"))
    .order_by(_MEMBER.c.display_name, _MEMBER.c.id)
    .limit(MAX_CHOICES)
)
_PERSON = select(_MEMBER.c.id, _MEMBER.c.display_name).where(
    _MEMBER.c.workspace_id == bindparam("workspace"), _MEMBER.c.id == bindparam("member")
)
# The workspace's distinct sources by hopping along ix_lead_workspace_source from one value to the next: a
# handful of index probes, where DISTINCT would read every lead of the workspace.
_SOURCES = text(
    """
    WITH RECURSIVE found(source, n) AS (
        SELECT (SELECT min(source) FROM lead WHERE workspace_id = :workspace), 1
        UNION ALL
        SELECT (SELECT min(source) FROM lead WHERE workspace_id = :workspace AND source > found.source), n + 1
        FROM found WHERE found.source IS NOT NULL AND n < :most
    )
    SELECT source FROM found WHERE source IS NOT NULL
    """
)


@dataclass(frozen=True, slots=True)
class Choice:
    value: str  # what the URL carries: C-<n>, a member id, a source
    label: str


@dataclass(frozen=True, slots=True)
class Choices:
    campaigns: tuple[Choice, ...]
    owners: tuple[Choice, ...]
    sources: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class Chosen:
    """The filters a URL asked for, found in the viewer's workspace (None: not filtered)."""

    campaign_id: int | None = None
    campaign: Choice | None = None
    owner_id: int | None = None
    owner: Choice | None = None
    source: str | None = None

    @property
    def any(self) -> bool:
        return self.campaign_id is not None or self.owner_id is not None or self.source is not None


def choices(session: Session, workspace_id: int) -> Choices:
    params = {"workspace": workspace_id}
    campaigns = tuple(
        Choice(f"C-{number}", name if status == "active" else f"{name} (closed)")
        for number, name, status in session.execute(_CAMPAIGNS, params)
    )
    owners = tuple(Choice(str(member_id), name) for member_id, name, _role in session.execute(_PEOPLE, params))
    sources = tuple(Choice(source, source) for (source,) in session.execute(_SOURCES, {**params, "most": MAX_CHOICES}))
    return Choices(campaigns, owners, sources)


def chosen(
    session: Session, workspace_id: int, *, campaign: str | None, owner: str | None, source: str | None
) -> Chosen:
    """The filters of a URL, or UsageError/NotFound naming the one that is wrong and how to fix it."""
    campaign_id, campaign_choice = None, None
    if campaign and campaign.strip():
        found = find_campaign(session, workspace_id, campaign[:200])
        assert found.id is not None
        campaign_id, campaign_choice = found.id, Choice(f"C-{found.number}", found.name)
    owner_id, owner_choice = None, None
    if owner and owner.strip():
        value = owner.strip()
        row = (
            session.execute(_PERSON, {"workspace": workspace_id, "member": int(value)}).first()
            if value.isascii() and value.isdigit() and len(value) < 12
            else None
        )
        if row is None:
            raise NotFound("That owner is not a member of this workspace. Pick one from the Owner list.")
        owner_id, owner_choice = row[0], Choice(str(row[0]), row[1])
    picked_source = None
    if source and source.strip():
        picked_source = source.strip().lower()
        if len(picked_source) > MAX_SOURCE:
            raise UsageError(f"A source is at most {MAX_SOURCE} characters. Pick one from the Source list.")
    return Chosen(campaign_id, campaign_choice, owner_id, owner_choice, picked_source)
