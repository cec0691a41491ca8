"""Whose leads a `stats` answer counts (SPEC §2, §3): managers and admins the workspace, marketers the leads they
handed off and those of their campaigns, reps their own — narrowed further by the `campaign:`, `owner:` and
`source:` filters. One predicate for every query, so no figure can count a lead another one hides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Table, and_, bindparam, false, or_, select, true
from sqlalchemy.sql import ColumnElement

from storage.models import Campaign, Lead

Reach = Literal["workspace", "marketing", "own"]
_LEAD: Table = Lead.__table__  # type: ignore[attr-defined]
_CAMPAIGN: Table = Campaign.__table__  # type: ignore[attr-defined]


def reach_of(role: str) -> Reach:
    if role in ("manager", "admin"):
        return "workspace"
    return "marketing" if role == "marketer" else "own"


@dataclass(frozen=True, slots=True)
class Scope:
    """``viewer_id`` is who asks; ``reach`` follows their role. ``owner_id``, ``campaign_id`` and ``source`` are
    the filters given (a rep's ``owner_id`` can only be their own: the command refuses others)."""

    viewer_id: int
    reach: Reach = "workspace"
    owner_id: int | None = None
    campaign_id: int | None = None
    source: str | None = None

    @property
    def shape(self) -> tuple[str, bool, bool, bool]:
        """What the statements depend on (the values are bound): queries are built once per shape."""
        return (self.reach, self.owner_id is not None, self.campaign_id is not None, self.source is not None)

    @property
    def params(self) -> dict[str, Any]:
        return {
            "viewer": self.viewer_id,
            "owner": self.owner_id,
            "campaign": self.campaign_id,
            "source": self.source,
        }

    @property
    def sees_names(self) -> bool:
        """Whether other people's names may appear (SLA breaches by owner): not for a rep."""
        return self.reach != "own"


def lead_filter(shape: tuple[str, bool, bool, bool], lead: Table = _LEAD, *, actor: Any = None) -> ColumnElement[bool]:
    """The scope as a condition on ``lead`` (with ``:viewer``, ``:owner``, ``:campaign``, ``:source`` bound).
    ``actor``: for a decision (accept, reject) the person who made it stands for the owner, since a rejected
    lead usually has a new owner by now and the rejection is still the rep's own."""
    reach, by_owner, by_campaign, by_source = shape
    owner = actor if actor is not None else lead.c.owner_id
    terms: list[ColumnElement[bool]] = []
    if reach == "own":
        terms.append(owner == bindparam("viewer"))
    elif reach == "marketing":
        theirs = select(_CAMPAIGN.c.id).where(
            _CAMPAIGN.c.workspace_id == bindparam("workspace"), _CAMPAIGN.c.owner_id == bindparam("viewer")
        )
        terms.append(or_(lead.c.marketer_id == bindparam("viewer"), lead.c.campaign_id.in_(theirs)))
    if by_owner:
        terms.append(owner == bindparam("owner"))
    if by_campaign:
        terms.append(lead.c.campaign_id == bindparam("campaign"))
    if by_source:
        terms.append(lead.c.source == bindparam("source"))
    return and_(true(), *terms) if terms else true()


def campaign_filter(shape: tuple[str, bool, bool, bool], campaign: Table = _CAMPAIGN) -> ColumnElement[bool]:
    """Which campaigns' target progress the viewer sees: a marketer their own, a rep none (their figures are
    their own leads; `campaign why` shows a campaign's progress), with `campaign:` only that one."""
    reach, _by_owner, by_campaign, _by_source = shape
    terms: list[ColumnElement[bool]] = []
    if reach == "own":
        return false()
    if reach == "marketing":
        terms.append(campaign.c.owner_id == bindparam("viewer"))
    if by_campaign:
        terms.append(campaign.c.id == bindparam("campaign"))
    return and_(true(), *terms) if terms else true()
