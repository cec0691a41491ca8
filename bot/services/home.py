"""A member's home page (Slack App Home, and any platform with a personal tab): their open leads, the
ones needing attention first, each with its one-click buttons."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.cards import action_buttons, lead_title, status_line
from bot.clock import Clock
from bot.replies import Block, Button, Buttons, Divider, Reply, b, context, p, section
from bot.services.workspace_settings import get_int
from storage.models import Lead, Member

HOME_LEADS = 15
OPEN_FOR_OWNER = ("handed_off", "accepted")


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


def home_reply(session: Session, clock: Clock, member: Member) -> Reply:
    assert member.id is not None
    now = clock.now()
    stale_after = timedelta(days=get_int(session, member.workspace_id, "stale_after_days"))
    leads = list(session.exec(select(Lead).where(
        Lead.workspace_id == member.workspace_id, Lead.owner_id == member.id,
        Lead.status.in_(OPEN_FOR_OWNER),  # type: ignore[attr-defined]
    )).all())
    flagged = [(needs_attention(lead, now, stale_after), lead) for lead in leads]
    flagged.sort(key=lambda pair: (pair[0] is None, pair[1].status != "handed_off", pair[1].created_at))
    attention = sum(1 for why, _ in flagged if why)
    blocks: list[Block] = [section(b(f"Your open leads ({len(leads)})"))]
    if attention:
        blocks.append(context(f"🔔 {attention} need{'s' if attention == 1 else ''} your attention — listed first."))
    if not leads:
        blocks.append(section("Nothing open right now. New hand-offs will appear here and in your DMs."))
    for why, lead in flagged[:HOME_LEADS]:
        blocks.append(Divider())
        marker = f"🔔 {why} · " if why else ""
        blocks.append(section(b(lead_title(lead)), p(f"\n{marker}{status_line(lead)}")))
        row = action_buttons(lead, member)
        row_buttons = tuple(row) + (_show_button(lead),)
        blocks.append(Buttons(buttons=row_buttons))
    if len(flagged) > HOME_LEADS:
        blocks.append(context(f"…and {len(flagged) - HOME_LEADS} more. `lead list mine` shows them all."))
    blocks.append(Divider())
    blocks.append(context("Commands: `/lead`, `/campaign`, `/tool`, `/intel`, `/stats`, `/meeting`, `/tandem help`"))
    return Reply(blocks=tuple(blocks))


def _show_button(lead: Lead) -> Button:
    return Button(label="Details", command=f"lead show L-{lead.number}")
