"""Tool staleness (SPEC §4): each owner hears, at most once a calendar month, which of their tools nobody has
opened for 180 days, with a Remove button for each. The job checks daily, so a server that was down on the 1st
still tells everyone that month; the outbox key (owner + month) makes every later run that month a no-op."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.outbox import enqueue_dm
from bot.tools import service
from bot.tools.links import ToolLinks
from bot.tools.views import ToolCard, stale_dm
from storage.models import Member

STALE_AFTER_DAYS = 180
STALE_KIND = "tool_stale"
PER_MESSAGE = 12  # 3 blocks a tool: a DM stays well inside Slack's 50 blocks


@dataclass
class StaleRound:
    owners: int = 0
    tools: int = 0

    def add(self, other: StaleRound) -> None:
        self.owners += other.owners
        self.tools += other.tools

    def __str__(self) -> str:
        return (
            f"told {self.owners} owner{'s' if self.owners != 1 else ''} about {self.tools} stale "
            f"tool{'s' if self.tools != 1 else ''}"
        )


def month_key(now: datetime) -> str:
    return f"{now:%Y-%m}"


def flag_stale_tools(session: Session, clock: Clock, links: ToolLinks, workspace_id: int) -> StaleRound:
    """One DM per owner of this workspace with stale tools, unless they already had this month's."""
    now = clock.now()
    done = StaleRound()
    by_owner: dict[int, list[service.ToolRow]] = {}
    for row in service.stale(session, workspace_id, now, STALE_AFTER_DAYS):
        if row.owner_id is not None:
            by_owner.setdefault(row.owner_id, []).append(row)
    for owner_id, rows in by_owner.items():
        owner = session.get(Member, owner_id)
        if owner is None or owner.workspace_id != workspace_id:
            continue
        shown = rows[:PER_MESSAGE]
        cards = [ToolCard(row, links.url(row.tool_id, workspace_id=workspace_id, member_id=owner_id)) for row in shown]
        reply = stale_dm(cards, len(rows) - len(shown), stale_days=STALE_AFTER_DAYS)
        if enqueue_dm(session, clock, member=owner, reply=reply, kind=STALE_KIND, key=month_key(now)) is not None:
            done.owners += 1
            done.tools += len(rows)
    return done


def still_stale(session: Session, links: ToolLinks, workspace_id: int, owner_id: int, now: datetime) -> list[ToolCard]:
    """The owner's remaining stale tools, for the reply to a Remove click on this month's note."""
    rows = service.stale(session, workspace_id, now, STALE_AFTER_DAYS, owner_id=owner_id)[:PER_MESSAGE]
    return [ToolCard(row, links.url(row.tool_id, workspace_id=workspace_id, member_id=owner_id)) for row in rows]
