"""Lead cards and trails as Replies: the same card in a reply, a hand-off DM, a nag and App Home. Pure: each
builds from what bot/leads/queries.py read (a LeadCard) and runs no query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.options import format_amount
from bot.core.people import MemberRow, has_role
from bot.core.replies import (
    Block,
    Button,
    Buttons,
    Divider,
    Mention,
    Reply,
    Span,
    b,
    code,
    context,
    fields,
    p,
    section,
)
from bot.leads import lifecycle as lead_service
from bot.leads.lists import LeadLine
from bot.leads.queries import LeadCard, LeadView
from bot.leads.trail import TrailEntry
from storage.models import Lead, Member

STATUS_ICONS = {"handed_off": "🟡", "unassigned": "⚪", "accepted": "🟢", "rejected": "↩️", "won": "🏆", "lost": "⛔"}
EVENT_WORDS = {
    "handoff": "handed off",
    "add": "logged it (self-sourced)",
    "accept": "accepted",
    "reject": "rejected",
    "first_touch": "first touch",
    "touch": "touch",
    "stage": "stage",
    "won": "won",
    "lost": "lost",
    "reassign": "reassigned",
    "feedback": "rated",
    "unassigned": "no rep available — unassigned",
    "nag": "reminder sent",
    "escalation": "escalated to managers",
}


def lead_title(lead: Lead | LeadView) -> str:
    return f"L-{lead.number} · {lead.company}"


def status_line(lead: lead_service.Stated) -> str:
    text = lead_service.describe_status(lead)
    return f"{STATUS_ICONS.get(lead.status, '•')} {text[:1].upper()}{text[1:]}"


def lead_blocks(
    card: LeadCard,
    *,
    viewer: Member | MemberRow | None = None,
    intro: tuple[Span | str, ...] = (),
    with_buttons: bool = True,
) -> list[Block]:
    lead = card.lead
    owner = card.people.get(lead.owner_id) if lead.owner_id else None
    marketer = card.people.get(lead.marketer_id) if lead.marketer_id else None
    blocks: list[Block] = []
    if intro:
        blocks.append(section(*intro))
    blocks.append(section(b(lead_title(lead)), p("\n" + status_line(lead))))
    items: list[tuple[str, Span | str | tuple[Span, ...]]] = []
    if lead.contact_name:
        items.append(("Contact", lead.contact_name))
    if lead.email:
        items.append(("E-mail", lead.email))
    items.append(("Owner", (owner,) if owner else "unassigned"))
    if marketer:
        items.append(("Handed off by", (marketer,)))
    items.append(("Source", lead.source))
    if lead.campaign:
        items.append(("Campaign", lead.campaign))
    if lead.ratings and lead.quality is not None:
        count = lead.ratings
        items.append(("Quality", f"{lead.quality:.1f} / 5 ({count} rating{'s' if count != 1 else ''})"))
    if lead.amount is not None:
        items.append(("Amount", format_amount(lead.amount)))
    if lead.outcome_reason and lead.status in ("rejected", "lost", "won"):
        items.append(("Reason", lead.outcome_reason))
    blocks.append(fields(*items))
    if lead.note:
        blocks.append(section(b("Note: "), p(lead.note)))
    if with_buttons and viewer is not None:
        row = action_buttons(lead, viewer)
        if row:
            blocks.append(Buttons(buttons=tuple(row)))
    return blocks


def action_buttons(lead: Lead | LeadView, viewer: Member | MemberRow) -> list[Button]:
    ref = f"L-{lead.number}"
    if lead.status in ("rejected", "unassigned") and has_role(viewer, "marketer"):
        return [reassign_button(lead)]
    if lead.owner_id != viewer.id:
        return []
    if lead.status == "handed_off":
        return [
            Button(label="Accept", command=f"lead accept {ref}", style="primary"),
            Button(
                label="Reject",
                command=f"lead reject {ref}",
                style="danger",
                prompt="Why are you rejecting it? (marketing will see this)",
            ),
        ]
    if lead.status == "accepted":
        row = [Button(label="Log touch", command=f"lead touch {ref}", style="primary", prompt="What did you do?")]
        if (lead.stage or 0) < 7:
            nxt = (lead.stage or 0) + 1
            row.append(Button(label=f"Stage → {lead_service.STAGE_TITLES[nxt - 1]}", command=f"lead stage {ref} {nxt}"))
        row.append(Button(label="Won", command=f"lead won {ref}", prompt="Amount and reason (optional)"))
        row.append(
            Button(
                label="Lost",
                command=f"lead lost {ref}",
                style="danger",
                prompt="Why was it lost? (price, competitor, timing…)",
            )
        )
        return row
    return []


def reassign_button(lead: Lead | LeadView, label: str = "Reassign") -> Button:
    """For a lead back with marketing: the answer to the prompt is the new owner (`lead reassign L-7 @sam`)."""
    return Button(
        label=label,
        command=f"lead reassign L-{lead.number}",
        style="primary",
        prompt="Who should own it? An @name or e-mail address",
    )


def lead_card(card: LeadCard, *, viewer: Member | MemberRow | None = None, intro: tuple[Span | str, ...] = ()) -> Reply:
    return Reply(blocks=tuple(lead_blocks(card, viewer=viewer, intro=intro)))


def trail_blocks(card: LeadCard, tz: str) -> list[Block]:
    """The card's trail (read with ``with_trail``) as its History section, in the reader's time zone."""
    zone = ZoneInfo(tz)
    lines: list[Span] = []
    for event in card.trail:
        actor = card.people.get(event.actor_id) if event.actor_id is not None else None
        if lines:
            lines.append(p("\n"))
        lines.append(code(_when(event.created_at, zone)))
        lines.append(p(" "))
        if actor is not None:
            lines.append(actor)
            lines.append(p(" "))
        lines.append(p(EVENT_WORDS.get(event.kind, event.kind)))
        if event.detail:
            lines.append(p(_detail(event)))
    if not lines:
        return []
    return [Divider(), section(b("History")), section(*lines)]


def _detail(event: TrailEntry) -> str:
    """What follows the event's word: "handed off to Sam", "stage: 2 Qualification", "rejected: no budget"."""
    detail = event.detail or ""
    if event.kind in ("handoff", "reassign"):  # the new owner's name
        return " to " + detail
    if event.kind == "stage":
        _, _, to = detail.partition("→")
        if to.isdigit() and 1 <= int(to) <= 7:
            return f": {to} {lead_service.STAGE_TITLES[int(to) - 1]}"
    return ": " + detail


def _when(moment: datetime, zone: ZoneInfo) -> str:
    """ "Mon 3 Nov 14:05 CET": the zone is named, since a trail is read by people in several time zones. A zone
    without an abbreviation (tzdata writes "+03") reads "UTC+03"."""
    local = moment.astimezone(zone)
    label = local.tzname() or ""
    if label.startswith(("+", "-")):
        label = "UTC" + label
    return f"{local:%a} {local.day} {local:%b %H:%M} {label}".rstrip()


def list_blocks(
    rows: list[LeadLine], owners: Mapping[int, Mention], more: int, title: str, *, empty: str | None = None
) -> list[Block]:
    """A page of ``lead list``; ``owners`` names the rows' owners by id; ``empty`` is what to say when no lead
    matches, instead of the general hint."""
    blocks: list[Block] = [section(b(title))]
    if not rows:
        blocks.append(context(empty or "No leads match. `lead list all` shows every lead."))
        return blocks
    for lead in rows:
        owner = owners.get(lead.owner_id) if lead.owner_id is not None else None
        spans: list[Span] = [b(f"L-{lead.number}"), p(f" {lead.company}  "), p(status_line(lead))]
        if owner is not None:
            spans += [p(" · "), owner]
        blocks.append(section(*spans))
    if more:
        blocks.append(context(f"…and {more} more. Narrow it with `owner:` or `campaign:`."))
    return blocks


def duplicate_reply(existing: Lead, owner: Mention | None, *, matched: str, again: str, anyway: str) -> Reply:
    """The answer to a hand-off or ``lead add`` that an open lead already covers: which lead, whose, where it
    stands, and how to create the new one all the same (``again``: the command with ``force:yes``)."""
    ref = f"L-{existing.number}"
    state = lead_service.describe_status(existing)
    whose: tuple[Span, ...] = (p(", owned by "), owner, p(f" ({state})")) if owner else (p(f" ({state})"),)
    return Reply(
        blocks=(
            section(
                "⚠️ There is already an open lead for ",
                p(matched),
                ": ",
                b(f"{ref} {existing.company}"),
                *whose,
                p(", so nothing was created. Add "),
                code("force:yes"),
                p(" to create it anyway."),
            ),
            Buttons(
                buttons=(Button(label=f"Show {ref}", command=f"lead show {ref}"), Button(label=anyway, command=again))
            ),
        ),
        ok=False,
    )


def settled_card(card: Reply, lead: lead_service.Stated, actor: Mention | None) -> Reply:
    """A delivered card whose lead has moved on: its buttons give way to a line saying where the lead is now."""
    line: tuple[Span | str, ...] = (f"Since then: {status_line(lead)}",)
    if actor is not None:
        line += (" — ", actor)
    return replace(card, blocks=(*(block for block in card.blocks if not isinstance(block, Buttons)), context(*line)))
