"""A member's home page (Slack App Home, and any platform with a personal tab): their open leads, the
ones needing attention first, each with its one-click buttons. Marketing also sees the leads it handed off:
those back with it (rejected, unassigned) to reassign, and those still waiting for a rep. This module reads
the page; bot/home_view.py draws it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.admin.settings import get_int
from bot.campaigns.home import home_section as campaigns_section
from bot.core.clock import Clock
from bot.core.commands import Registry
from bot.core.config import Settings
from bot.core.people import has_role, mentions
from bot.core.replies import Divider, Mention, Reply
from bot.home_view import home_view
from bot.tools.home import home_section as tools_section
from storage.models import Lead, Member

HANDED_OFF_WINDOW = timedelta(days=30)  # marketing's sections show recent hand-offs, not every old rejection
OPEN_FOR_OWNER = ("handed_off", "accepted")


@dataclass(frozen=True, slots=True)
class HomePage:
    """What the page shows, read for ``member``: their open leads with why each wants them now (attention
    first), and for marketing its recent hand-offs back with it and those waiting for a rep, with their owners."""

    member: Member
    marketing: bool
    owned: list[tuple[str | None, Lead]]
    back: list[Lead]
    waiting: list[Lead]
    people: Mapping[int, Mention]


def needs_attention(lead: Lead, now: datetime, stale_after: timedelta) -> str | None:
    """Why this lead wants its owner now, or None."""
    if lead.status == "handed_off":
        return "new hand-off"
    if lead.first_touch_at is None:
        return "no first touch yet"
    if lead.nag_due_at is not None and lead.nag_due_at <= now:
        return "overdue"
    if lead.last_touch_at is not None and now - lead.last_touch_at >= stale_after:
        return "no touch for a while"
    return None


def read_home(session: Session, clock: Clock, member: Member) -> HomePage:
    assert member.id is not None
    now = clock.now()
    stale_after = timedelta(days=get_int(session, member.workspace_id, "stale_after_days"))
    leads = list(
        session.exec(
            select(Lead).where(
                Lead.workspace_id == member.workspace_id,
                Lead.owner_id == member.id,
                Lead.status.in_(OPEN_FOR_OWNER),  # type: ignore[attr-defined]
            )
        ).all()
    )
    owned = [(needs_attention(lead, now, stale_after), lead) for lead in leads]
    owned.sort(key=lambda pair: (pair[0] is None, pair[1].status != "handed_off", pair[1].created_at))
    marketing = has_role(member, "marketer")
    back: list[Lead] = []
    waiting: list[Lead] = []
    if marketing:
        for lead in _handed_off(session, member, now):
            (waiting if lead.status == "handed_off" else back).append(lead)
    people = mentions(session, member.workspace_id, (lead.owner_id for lead in waiting)) if waiting else {}
    return HomePage(member, marketing, owned, back, waiting, people)


def _handed_off(session: Session, member: Member, now: datetime) -> list[Lead]:
    """The marketer's hand-offs of the last 30 days that are back with them or no rep has accepted yet. The
    window keeps the read to recent leads (the workspace/status/created index) and the page current."""
    return list(
        session.exec(
            select(Lead)
            .where(
                Lead.workspace_id == member.workspace_id,
                Lead.marketer_id == member.id,
                Lead.status.in_(("rejected", "unassigned", "handed_off")),  # type: ignore[attr-defined]
                col(Lead.created_at) >= now - HANDED_OFF_WINDOW,
            )
            .order_by(col(Lead.created_at))
        ).all()
    )


def home_reply(
    session: Session, clock: Clock, member: Member, registry: Registry, settings: Settings | None = None
) -> Reply:
    """The page for ``member``, read now; its footer names the command words ``registry`` answers. Everyone
    sees the campaigns running now; ``settings`` (the public URL and secret for tool links) adds the member's
    most-used tools."""
    features = campaigns_section(session, member)
    tools = tools_section(session, settings, member) if settings is not None else []
    if tools:
        features += [Divider(), *tools]
    return home_view(read_home(session, clock, member), registry.built, features)
