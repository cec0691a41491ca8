"""A member's home page (Slack App Home, and any platform with a personal tab): their open leads, the
ones needing attention first, each with its one-click buttons. Marketing also sees the leads it handed off:
those back with it (rejected, unassigned) to reassign, and those still waiting for a rep."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.admin.settings import get_int
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.people import has_role, mentions
from bot.core.replies import Block, Button, Buttons, Divider, Reply, Span, b, context, p, section
from bot.leads.views import action_buttons, lead_title, reassign_button, status_line
from bot.tools.home import home_section as tools_section
from storage.models import Lead, Member

HOME_LEADS = 15
HOME_HANDED_OFF = 5  # per marketing section
HANDED_OFF_WINDOW = timedelta(days=30)  # marketing's sections show recent hand-offs, not every old rejection
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


def home_reply(session: Session, clock: Clock, member: Member, settings: Settings | None = None) -> Reply:
    """``settings`` (the public URL and secret for tool links) adds the member's most-used tools."""
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
    marketing = has_role(member, "marketer")
    blocks: list[Block] = _handed_off_sections(session, member, now) if marketing else []
    if marketing and not blocks and not leads:
        blocks.append(section("Nothing waiting on you. Leads you hand off appear here until a rep accepts them."))
    if leads or not marketing:
        if blocks:
            blocks.append(Divider())
        blocks.append(section(b(f"Your open leads ({len(leads)})")))
    if attention:
        blocks.append(context(f"🔔 {attention} need{'s' if attention == 1 else ''} your attention — listed first."))
    if not leads and not marketing:
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
    tools = tools_section(session, settings, member) if settings is not None else []
    if tools:
        blocks += [Divider(), *tools]
    blocks.append(Divider())
    blocks.append(context("Type `/lead help` for the lead commands, `/tandem help` for everything Tandem can do."))
    return Reply(blocks=tuple(blocks))


def _handed_off_sections(session: Session, member: Member, now: datetime) -> list[Block]:
    """The marketer's hand-offs of the last 30 days that are back with them, then those no rep has accepted yet.
    The window keeps the read to recent leads (the workspace/status/created index) and the page current."""
    handed = list(session.exec(select(Lead).where(
        Lead.workspace_id == member.workspace_id, Lead.marketer_id == member.id,
        Lead.status.in_(("rejected", "unassigned", "handed_off")),  # type: ignore[attr-defined]
        col(Lead.created_at) >= now - HANDED_OFF_WINDOW,
    ).order_by(col(Lead.created_at))).all())
    back = [lead for lead in handed if lead.status != "handed_off"]
    waiting = [lead for lead in handed if lead.status == "handed_off"]
    named = mentions(session, member.workspace_id, (lead.owner_id for lead in waiting))
    blocks: list[Block] = []
    if back:
        blocks.append(section(b(f"Back with you ({len(back)})")))
        blocks.append(context("Rejected by their rep or with no rep available: give each one a new owner."))
        for lead in back[:HOME_HANDED_OFF]:
            why = f"\n{status_line(lead)}" + (f": {lead.outcome_reason}" if lead.outcome_reason else "")
            blocks += [Divider(), section(b(lead_title(lead)), p(why)),
                       Buttons(buttons=(reassign_button(lead), _show_button(lead)))]
        blocks += _more(len(back), "lead list all")
    if waiting:
        if blocks:
            blocks.append(Divider())
        blocks.append(section(b(f"Waiting for a rep to accept ({len(waiting)})")))
        for lead in waiting[:HOME_HANDED_OFF]:
            owner = named.get(lead.owner_id) if lead.owner_id else None
            line: tuple[Span | str, ...] = (b(lead_title(lead)),)
            if owner is not None:
                line += (p("\nwith "), owner)
            blocks += [Divider(), section(*line), Buttons(buttons=(_show_button(lead),))]
        blocks += _more(len(waiting), "lead list unworked")
    return blocks


def _more(count: int, command: str) -> list[Block]:
    if count <= HOME_HANDED_OFF:
        return []
    return [context(f"…and {count - HOME_HANDED_OFF} more. `{command}` shows them all.")]


def _show_button(lead: Lead) -> Button:
    return Button(label="Details", command=f"lead show L-{lead.number}")
