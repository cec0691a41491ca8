"""How a campaign is doing, counted by the database from the lead and feedback rows (never kept by hand):
leads delivered (hand-offs that name the campaign), accepted (accepted or later), rejected, won, lost, and the
average quality — the mean of each rated hand-off's own average score. Three statements for any number of
campaigns, each through an index that holds what it counts: the leads by status from
``ix_lead_workspace_campaign_status`` (workspace, campaign, status, marketer), the ratings from
``ix_feedback_campaign`` (workspace, campaign, lead, score), then the few leads a rep logged themselves, whose
ratings are no hand-off's. Their cost follows the campaigns' own leads and ratings, not the size of the table."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Row, and_, bindparam, func, select
from sqlmodel import Session

from storage.models import Feedback, Lead

_LEAD = Lead.__table__  # type: ignore[attr-defined]
_FEEDBACK = Feedback.__table__  # type: ignore[attr-defined]
ACCEPTED_OR_LATER = ("accepted", "won", "lost")


@dataclass(frozen=True, slots=True)
class Progress:
    """One campaign's figures so far. ``quality`` is None until a lead is rated."""

    delivered: int = 0
    accepted: int = 0
    rejected: int = 0
    won: int = 0
    lost: int = 0
    quality: float | None = None
    rated: int = 0

    @property
    def acceptance_rate(self) -> float | None:
        """accepted ÷ (accepted + rejected), as stats defines it; None before the first decision."""
        decided = self.accepted + self.rejected
        return self.accepted / decided if decided else None

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None


def _handoffs() -> Any:
    """The campaigns' hand-offs: a rep's own `lead add` names no marketer and is a lead, not a delivery."""
    return and_(
        _LEAD.c.workspace_id == bindparam("workspace"),
        _LEAD.c.campaign_id.in_(bindparam("campaigns", expanding=True)),
        _LEAD.c.marketer_id.is_not(None),
    )


_BY_STATUS = (
    select(_LEAD.c.campaign_id, _LEAD.c.status, func.count())
    .where(_handoffs())
    .group_by(_LEAD.c.campaign_id, _LEAD.c.status)
)
# Quality: every rating of the campaign (ix_feedback_campaign, which holds the score too), averaged per lead; then
# the campaign's leads that are no hand-off (a rep's own `lead add`, few) are taken out again, each lead's
# average read through its own ratings. The rating's workspace is tested through coalesce() there so no index
# serves it: SQLite, which keeps no statistics, would otherwise walk the workspace's every rating instead of the
# lead's few (as bot/leads/queries.py found).
_PER_LEAD = (
    select(_FEEDBACK.c.campaign_id.label("campaign_id"), func.avg(_FEEDBACK.c.score, type_=Float).label("score"))
    .where(
        _FEEDBACK.c.workspace_id == bindparam("workspace"),
        _FEEDBACK.c.campaign_id.in_(bindparam("campaigns", expanding=True)),
    )
    .group_by(_FEEDBACK.c.campaign_id, _FEEDBACK.c.lead_id)
    .subquery()
)
_QUALITY = select(_PER_LEAD.c.campaign_id, func.sum(_PER_LEAD.c.score, type_=Float), func.count()).group_by(
    _PER_LEAD.c.campaign_id
)
_OWN = (
    select(_LEAD.c.campaign_id.label("campaign_id"), func.avg(_FEEDBACK.c.score, type_=Float).label("score"))
    .select_from(
        _LEAD.join(
            _FEEDBACK,
            and_(
                _FEEDBACK.c.lead_id == _LEAD.c.id,
                func.coalesce(_FEEDBACK.c.workspace_id, 0) == _LEAD.c.workspace_id,
            ),
        )
    )
    .where(
        _LEAD.c.workspace_id == bindparam("workspace"),
        _LEAD.c.campaign_id.in_(bindparam("campaigns", expanding=True)),
        _LEAD.c.marketer_id.is_(None),  # ix_lead_campaign_own
    )
    .group_by(_LEAD.c.campaign_id, _LEAD.c.id)
    .subquery()
)
_OWN_QUALITY = select(_OWN.c.campaign_id, func.sum(_OWN.c.score, type_=Float), func.count()).group_by(
    _OWN.c.campaign_id
)


def of_campaigns(session: Session, workspace_id: int, campaign_ids: Collection[int]) -> dict[int, Progress]:
    """Each campaign's progress, by id (a campaign with no hand-off yet has all zeros)."""
    ids = sorted(set(campaign_ids))
    if not ids:
        return {}
    params = {"workspace": workspace_id, "campaigns": ids}
    counts: dict[int, dict[str, int]] = {campaign_id: {} for campaign_id in ids}
    for campaign_id, status, count in session.execute(_BY_STATUS, params):
        counts[int(campaign_id)][str(status)] = int(count)
    rated_all = _sums(session.execute(_QUALITY, params))
    rated_own = _sums(session.execute(_OWN_QUALITY, params))
    out: dict[int, Progress] = {}
    for campaign_id in ids:
        by_status = counts[campaign_id]
        total, rated = rated_all.get(campaign_id, (0.0, 0))
        own_total, own_rated = rated_own.get(campaign_id, (0.0, 0))
        rated -= own_rated
        score = (total - own_total) / rated if rated > 0 else None
        out[campaign_id] = Progress(
            delivered=sum(by_status.values()),
            accepted=sum(by_status.get(status, 0) for status in ACCEPTED_OR_LATER),
            rejected=by_status.get("rejected", 0),
            won=by_status.get("won", 0),
            lost=by_status.get("lost", 0),
            quality=score,
            rated=max(rated, 0),
        )
    return out


def _sums(rows: Iterable[Row[Any]]) -> dict[int, tuple[float, int]]:
    """campaign id → (sum of the rated leads' averages, how many rated leads)."""
    sums: dict[int, tuple[float, int]] = {}
    for campaign_id, total, count in (tuple(row) for row in rows):
        sums[int(campaign_id)] = (float(total or 0), int(count or 0))
    return sums


def of_campaign(session: Session, workspace_id: int, campaign_id: int) -> Progress:
    return of_campaigns(session, workspace_id, [campaign_id])[campaign_id]
