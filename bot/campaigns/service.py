"""Campaigns: announcing, finding, listing, the comments sales leaves on them, and which ones have ended.
Reads and writes only; the replies are built in views.py, the progress figures counted in progress.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import bindparam, case, func, select
from sqlmodel import Session, col
from sqlmodel import select as model_select

from bot.campaigns.checks import NewCampaign
from bot.core import numbering
from bot.core.args import find_campaign
from bot.core.clock import Clock
from bot.core.errors import UsageError
from storage.models import Campaign, CampaignComment, Member

Scope = Literal["active", "all"]
_CAMPAIGNS = Campaign.__table__  # type: ignore[attr-defined]
_COMMENTS = CampaignComment.__table__  # type: ignore[attr-defined]


def next_number(session: Session, workspace_id: int) -> int:
    """Per-workspace ``C-<n>``."""
    return numbering.next_number(session, workspace_id, "campaign_seq")


def get(session: Session, workspace_id: int, raw: str, *, for_update: bool = False) -> Campaign:
    """A campaign by ``C-<n>``, name or unique prefix; an unknown one is refused listing the real ones."""
    return find_campaign(session, workspace_id, raw, for_update=for_update)


def running_named(session: Session, workspace_id: int, name: str) -> Campaign | None:
    """The active campaign of this name, ignoring case (``ix_campaign_active_name``)."""
    return session.exec(
        model_select(Campaign).where(
            Campaign.workspace_id == workspace_id,
            func.lower(col(Campaign.name)) == name.lower(),
            Campaign.status == "active",
        )
    ).first()


def announce(session: Session, clock: Clock, *, workspace_id: int, owner: Member, new: NewCampaign) -> Campaign:
    """Store a new campaign. Its number is taken first: that locks the workspace's counter row, so two people
    announcing the same name at once are checked one after the other and the second is refused by name."""
    number = next_number(session, workspace_id)
    running = running_named(session, workspace_id, new.name)
    if running is not None:
        raise UsageError(
            f"C-{running.number} “{running.name}” is already running. Pick another name, or close it first "
            f"(`campaign close C-{running.number}`); `campaign show C-{running.number}` shows it."
        )
    campaign = Campaign(
        workspace_id=workspace_id,
        number=number,
        name=new.name,
        goal=new.goal,
        audience=new.audience,
        target=new.target,
        ends_on=new.ends_on,
        talking_points=new.talking_points,
        owner_id=owner.id,
        status="active",
        created_at=clock.now(),
    )
    session.add(campaign)
    session.flush()
    return campaign


def listing(session: Session, workspace_id: int, *, scope: Scope, limit: int) -> tuple[int, list[Campaign]]:
    """The running campaigns (``active``), newest first, or every campaign with the running ones first; and how
    many there are in all."""
    page = model_select(Campaign).where(Campaign.workspace_id == workspace_id)
    count = select(func.count()).select_from(_CAMPAIGNS).where(_CAMPAIGNS.c.workspace_id == workspace_id)
    if scope == "active":
        page = page.where(Campaign.status == "active")
        count = count.where(_CAMPAIGNS.c.status == "active")
    running_first = case((col(Campaign.status) == "active", 0), else_=1)
    rows = session.exec(page.order_by(running_first, col(Campaign.id).desc()).limit(limit)).all()
    return int(session.execute(count).scalar_one()), list(rows)


@dataclass(frozen=True, slots=True)
class CommentRow:
    member_id: int | None
    text: str
    created_at: datetime


def add_comment(session: Session, clock: Clock, campaign: Campaign, member: Member, text: str) -> CampaignComment:
    assert campaign.id is not None
    comment = CampaignComment(
        workspace_id=campaign.workspace_id,
        campaign_id=campaign.id,
        member_id=member.id,
        text=text,
        created_at=clock.now(),
    )
    session.add(comment)
    session.flush()
    return comment


_LATEST = (
    select(_COMMENTS.c.member_id, _COMMENTS.c.text, _COMMENTS.c.created_at)
    .where(_COMMENTS.c.workspace_id == bindparam("workspace"), _COMMENTS.c.campaign_id == bindparam("campaign"))
    .order_by(_COMMENTS.c.created_at.desc(), _COMMENTS.c.id.desc())
    .limit(bindparam("limit"))
)
_COMMENT_COUNT = (
    select(func.count())
    .select_from(_COMMENTS)
    .where(_COMMENTS.c.workspace_id == bindparam("workspace"), _COMMENTS.c.campaign_id == bindparam("campaign"))
)


def comments(session: Session, workspace_id: int, campaign_id: int, limit: int) -> tuple[int, list[CommentRow]]:
    """How many comments the campaign has, and the latest ``limit``, newest first."""
    params = {"workspace": workspace_id, "campaign": campaign_id}
    total = int(session.execute(_COMMENT_COUNT, params).scalar_one())
    if not total:
        return 0, []
    rows = session.execute(_LATEST, {**params, "limit": limit})
    return total, [CommentRow(member_id, text, created_at) for member_id, text, created_at in rows]


@dataclass(frozen=True, slots=True)
class Due:
    """An active campaign whose end date may have passed (the job checks it in the workspace's time zone)."""

    workspace_id: int
    campaign_id: int
    ends_on: date


_ENDED_BY = (
    select(_CAMPAIGNS.c.workspace_id, _CAMPAIGNS.c.id, _CAMPAIGNS.c.ends_on)
    .where(_CAMPAIGNS.c.status == "active", _CAMPAIGNS.c.ends_on < bindparam("before"))  # ix_campaign_active_ends
    .order_by(_CAMPAIGNS.c.workspace_id, _CAMPAIGNS.c.ends_on, _CAMPAIGNS.c.id)
)


def ended_before(session: Session, before: date) -> list[Due]:
    """Active campaigns (of every workspace) that end before ``before``: the job's one query across workspaces.
    ``before`` is the latest "today" anywhere on Earth, so no campaign whose day is over is missed."""
    return [Due(int(w), int(c), ends) for w, c, ends in session.execute(_ENDED_BY, {"before": before})]


def owners(campaigns: Sequence[Campaign]) -> list[int]:
    return [c.owner_id for c in campaigns if c.owner_id is not None]
