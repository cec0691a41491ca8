"""The campaign end job (SPEC §4): a campaign past its ``ends`` date is closed and its report goes to its owner and
the managers. "Past" is in the workspace's own time zone, so the job runs hourly: a campaign ending on the 10th
closes within the hour after midnight of the 10th→11th where the team works, not at a UTC midnight. Each
workspace is its own transaction; the lease, the row lock and the report's outbox key make every campaign close
exactly once, however many replicas run it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from bot.campaigns.closing import end_campaigns
from bot.campaigns.service import Due, ended_before
from bot.core.runtime import Runtime

EVERY_SECONDS = 3600.0
EARLIEST_ZONE = timedelta(hours=14)  # UTC+14: where a day starts first


@dataclass
class EndRound:
    closed: int = 0

    def __str__(self) -> str:
        return f"closed {self.closed} campaign{'s' if self.closed != 1 else ''} past their end date"


def latest_today(now: datetime) -> date:
    """The latest calendar date anywhere on Earth at ``now``: no campaign whose day is over anywhere is missed."""
    return (now + EARLIEST_ZONE).date()


async def run_campaign_end(runtime: Runtime) -> EndRound:
    done = EndRound()
    due = await runtime.db.run(_due, runtime, latest_today(runtime.clock.now()))
    for workspace_id, items in groupby(due, key=lambda d: d.workspace_id):
        ids = [item.campaign_id for item in items]
        done.closed += await runtime.db.run(_one_workspace, runtime, workspace_id, ids)
    return done


def _due(runtime: Runtime, before: date) -> list[Due]:
    with runtime.db.session() as session:
        return ended_before(session, before)


def _one_workspace(runtime: Runtime, workspace_id: int, campaign_ids: list[int]) -> int:
    with runtime.db.session() as session:
        return end_campaigns(session, runtime.clock, workspace_id, campaign_ids)
