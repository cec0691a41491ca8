"""What every campaign view draws, read for one campaign or a page of them in a fixed number of queries: the
campaign, its owner as a mention, its progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from bot.campaigns import progress
from bot.campaigns.progress import Progress
from bot.core.people import mentions
from bot.core.replies import Mention
from storage.models import Campaign


@dataclass(frozen=True)
class CampaignPage:
    """A campaign with its owner and its progress so far."""

    campaign: Campaign
    owner: Mention | None
    progress: Progress

    @property
    def label(self) -> str:
        return f"C-{self.campaign.number}"


def pages_of(session: Session, workspace_id: int, campaigns: Sequence[Campaign]) -> list[CampaignPage]:
    """Three queries for any number of campaigns: their owners, their lead counts, their ratings."""
    ids = [c.id for c in campaigns if c.id is not None]
    figures = progress.of_campaigns(session, workspace_id, ids)
    owners = mentions(session, workspace_id, (c.owner_id for c in campaigns))
    return [
        CampaignPage(c, owners.get(c.owner_id) if c.owner_id is not None else None, figures.get(c.id or 0, Progress()))
        for c in campaigns
    ]


def page_of(session: Session, campaign: Campaign) -> CampaignPage:
    return pages_of(session, campaign.workspace_id, [campaign])[0]
