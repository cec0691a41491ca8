"""Closing a campaign (`campaign close`, and the campaign end job): the row is read locked, so two closes at
once give one report; the report goes by outbox, in the same transaction, to the owner and to the managers
channel (or each manager by DM when none is set). The outbox keys name the campaign, so a report is never
written twice, whoever closes it and however often."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.admin.settings import get_setting
from bot.campaigns import views
from bot.campaigns.pages import CampaignPage, page_of
from bot.core.clock import Clock
from bot.core.errors import Conflict
from bot.core.outbox import enqueue_channel, enqueue_dm
from bot.core.people import members_with_role, mention
from bot.core.replies import Mention
from bot.core.unit import Changes
from storage.models import Campaign, Member

REPORT_KIND = "campaign_report"


@dataclass(frozen=True)
class Closed:
    page: CampaignPage
    told: str  # who the report went to, for the answer


def close(
    session: Session, clock: Clock, campaign: Campaign, *, closer: Member | None, changes: Changes | None = None
) -> Closed:
    """Close ``campaign``, read ``FOR UPDATE`` by the caller; ``closer`` None is the campaign end job."""
    if campaign.status != "active":
        when = views.day(campaign.closed_at) if campaign.closed_at else "earlier"
        raise Conflict(f"C-{campaign.number} “{campaign.name}” was already closed ({when}); its report went out then.")
    campaign.status = "closed"
    campaign.closed_at = clock.now()
    campaign.closed_by_id = closer.id if closer is not None else None
    session.add(campaign)
    session.flush()
    page = page_of(session, campaign)
    by = mention(session, closer) if closer is not None else None
    return Closed(page, _send_report(session, clock, page, closer, by, changes))


def _send_report(
    session: Session,
    clock: Clock,
    page: CampaignPage,
    closer: Member | None,
    by: Mention | None,
    changes: Changes | None,
) -> str:
    """Who hears: the owner (unless they closed it: the answer shows them), then the managers channel, or each
    manager by DM (the admins where there is no manager)."""
    campaign = page.campaign
    report = views.report(page, by)
    key = f"c{campaign.id}"
    told: list[str] = []
    owner = session.get(Member, campaign.owner_id) if campaign.owner_id is not None else None
    skip: set[int | None] = {closer.id} if closer is not None else set()
    if owner is not None and owner.id not in skip:
        enqueue_dm(session, clock, member=owner, reply=report, kind=REPORT_KIND, key=key, changes=changes)
        told.append("its owner")
    if owner is not None:
        skip.add(owner.id)
    channel = get_setting(session, campaign.workspace_id, "managers_channel")
    if channel:
        post = views.report(page, by, in_channel=True)
        enqueue_channel(
            session,
            clock,
            workspace_id=campaign.workspace_id,
            channel=channel,
            reply=post,
            kind=REPORT_KIND,
            key=key,
            changes=changes,
        )
        told.append("the managers channel")
    else:
        managers = members_with_role(session, campaign.workspace_id, "manager") or members_with_role(
            session, campaign.workspace_id, "admin"
        )
        reached = [m for m in managers if m.id not in skip]
        for manager in reached:
            enqueue_dm(session, clock, member=manager, reply=report, kind=REPORT_KIND, key=key, changes=changes)
        if reached:
            told.append("the managers")
    if not told:
        return "Nobody else needed the report: it is below."
    return "Its report went to " + " and ".join(told) + "."


def today_in(session: Session, workspace_id: int, now: datetime) -> date:
    return now.astimezone(ZoneInfo(get_setting(session, workspace_id, "timezone"))).date()


def end_campaigns(session: Session, clock: Clock, workspace_id: int, campaign_ids: Sequence[int]) -> int:
    """The campaign end job's work in one workspace: close each campaign whose end date is before today in the
    workspace's time zone. Each is read locked and still active, so a replica (or a person) that closed it
    first leaves nothing to do; returns how many this run closed."""
    today = today_in(session, workspace_id, clock.now())
    closed = 0
    for campaign_id in campaign_ids:
        campaign = session.exec(
            select(Campaign)
            .where(Campaign.workspace_id == workspace_id, Campaign.id == campaign_id, Campaign.status == "active")
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if campaign is None or campaign.ends_on is None or campaign.ends_on >= today:
            continue
        close(session, clock, campaign, closer=None)
        closed += 1
    return closed
