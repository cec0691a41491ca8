"""What every campaign view draws, read for one campaign or a page of them in a fixed number of queries: the
campaign, its owner as a mention, its progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.admin.settings import get_setting
from bot.campaigns import progress
from bot.campaigns.progress import Progress
from bot.core.people import mentions
from bot.core.replies import Mention
from storage.models import Campaign


@dataclass(frozen=True)
class CampaignPage:
    """A campaign with its owner and its progress so far; ``zone`` is the workspace's time zone, which the days
    it started and closed are told in."""

    campaign: Campaign
    owner: Mention | None
    progress: Progress
    zone: str = "UTC"

    @property
    def label(self) -> str:
        return f"C-{self.campaign.number}"

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.zone)).date()

    @property
    def started_on(self) -> date:
        return self.local_day(self.campaign.created_at)

    @property
    def closed_on(self) -> date | None:
        return self.local_day(self.campaign.closed_at) if self.campaign.closed_at is not None else None


def pages_of(session: Session, workspace_id: int, campaigns: Sequence[Campaign]) -> list[CampaignPage]:
    """Three queries for any number of campaigns: their owners, their lead counts, their ratings (the
    workspace's settings are read once per transaction)."""
    ids = [c.id for c in campaigns if c.id is not None]
    figures = progress.of_campaigns(session, workspace_id, ids)
    owners = mentions(session, workspace_id, (c.owner_id for c in campaigns))
    zone = get_setting(session, workspace_id, "timezone")
    return [
        CampaignPage(
            c,
            owners.get(c.owner_id) if c.owner_id is not None else None,
            figures.get(c.id or 0, Progress()),
            zone,
        )
        for c in campaigns
    ]


def page_of(session: Session, campaign: Campaign) -> CampaignPage:
    return pages_of(session, campaign.workspace_id, [campaign])[0]
