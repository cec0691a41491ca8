"""What the playground shows besides the reply: a person's DMs, the channel posts and example commands —
read straight from the outbox, because for the playground the outbox row is the message."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session, col, or_, select

from adapters.web.render import render_reply, status_chip
from bot.admin.settings import CHANNEL_KEYS, get_setting
from bot.core.outbox import reply_of
from bot.core.replies import Buttons, Reply
from bot.core.stops import stops
from bot.demo import DemoPerson
from bot.leads.lifecycle import describe_status
from storage.models import Lead, Outbox

CHANNEL_PREFIX = "playground:"
KIND_TITLES = {
    "handoff": "New lead for you",
    "survey_question": "Pulse survey",
    "survey_reminder": "Pulse survey reminder",
    "survey_result": "Pulse survey result",
    "import_digest": "New leads for you",
    "import_unassigned": "Unassigned leads",
    "unassigned": "Unassigned lead",
    "nag": "Reminder",
    "escalation": "Escalation",
    "accepted": "Lead accepted",
    "accept": "Lead accepted",
    "campaign_announce": "New campaign",
    "campaign_comment": "Campaign comment",
    "campaign_report": "Campaign report",
    "rejected": "Lead returned",
    "reject": "Lead returned",
    "feedback": "Lead feedback",
    "won": "Deal won",
    "lost": "Deal lost",
    "reassign": "Lead reassigned",
    "reassigned": "Lead reassigned",
    "touch": "Lead update",
    "stage": "Lead update",
    "meeting_booked": "Meeting booked",
    "meeting_moved": "Meeting moved",
    "meeting_cancelled": "Meeting cancelled",
    "meeting_reminder": "Meeting reminder",
    "meeting_agenda": "Meeting agenda",
    "meeting_book_next": "Book the next meeting",
    "meeting_booking": "Book the next meeting",
}
PAGE = 50
_LEAD_BUTTON = re.compile(r"^lead (\w+) L-(\d+)\b", re.I)
_OWNER_MOVES = {
    "accept": ("handed_off",),
    "reject": ("handed_off",),
    "touch": ("accepted",),
    "stage": ("accepted",),
    "won": ("accepted",),
    "lost": ("accepted",),
}


@dataclass(frozen=True)
class Message:
    """One DM or channel post as the page shows it."""

    id: int
    title: str
    kind: str
    html: Markup
    when: str
    when_iso: str
    status: str  # "sent" | "sending" | "failed"
    channel: str | None
    answered: str | None  # the card's response_note once a button on it was clicked
    settled: Markup | None = None  # the lead's state now, when it moved on without this card's buttons

    @property
    def waiting(self) -> bool:
        """Still asking its reader to act: it has buttons, nobody pressed one and they still apply."""
        return self.answered is None and self.settled is None and 'data-command="' in self.html


def inbox(
    session: Session, workspace_id: int, member_id: int, now: datetime, zone: ZoneInfo | None = None
) -> list[Message]:
    rows = session.exec(
        select(Outbox)
        .where(
            Outbox.workspace_id == workspace_id,
            Outbox.target_member_id == member_id,
            col(Outbox.refreshes_id).is_(None),
        )
        .order_by(col(Outbox.id).desc())
        .limit(PAGE)
    ).all()
    return [_message(row, now, session=session, member_id=member_id, zone=zone) for row in rows]


def channel_posts(session: Session, workspace_id: int, now: datetime, zone: ZoneInfo | None = None) -> list[Message]:
    """Every playground channel's posts, newest first; a post to several channels shows in each of them."""
    rows = session.exec(
        select(Outbox)
        .where(
            Outbox.workspace_id == workspace_id,
            or_(
                col(Outbox.target_channel).startswith(CHANNEL_PREFIX + "#"),
                col(Outbox.channels_ahead).is_not(None),
                col(Outbox.channels_done).is_not(None),
            ),
            col(Outbox.target_channel).is_not(None),
            col(Outbox.refreshes_id).is_(None),
        )
        .order_by(col(Outbox.id).desc())
        .limit(PAGE)
    ).all()
    posts: list[Message] = []
    for row in rows:
        shown = _message(row, now, zone=zone)
        for stop in stops(row):
            if stop.channel.startswith(CHANNEL_PREFIX + "#"):
                posts.append(replace(shown, channel=stop.channel[len(CHANNEL_PREFIX) :], status=_SHOWN[stop.state]))
    return posts


_SHOWN = {"sent": "sent", "failed": "failed", "pending": "sending"}


@dataclass(frozen=True)
class ChannelPurpose:
    """What an empty channel says: what lands there, and a command worth trying meanwhile."""

    text: str
    command: str


CHANNEL_PURPOSES = {
    "sales_channel": ChannelPurpose(
        "The sales team's channel: new campaigns are announced here, with their goal and "
        "talking points, so reps know what the leads they get are about; and the quarterly meeting.",
        "campaign list",
    ),
    "marketing_channel": ChannelPurpose(
        "Marketing's channel: leads no rep could take are posted here to be "
        "routed by hand, with what sales reports about competitors.",
        "lead list open",
    ),
    "managers_channel": ChannelPurpose(
        "For managers: a lead that stays untouched after its owner was reminded "
        "is escalated here, and the weekly report arrives here.",
        "lead list unworked",
    ),
}
_OTHER_CHANNEL = ChannelPurpose("Tandem posts here when a setting names this channel.", "tandem settings")


def channel_purposes(session: Session, workspace_id: int, channels: list[tuple[str, int]]) -> dict[str, ChannelPurpose]:
    """Each channel's purpose, by the setting that names it."""
    named = {
        get_setting(session, workspace_id, key)[len(CHANNEL_PREFIX) :]: purpose
        for key, purpose in CHANNEL_PURPOSES.items()
    }
    return {name: named.get(name, _OTHER_CHANNEL) for name, _ in channels}


def channel_names(session: Session, workspace_id: int, posts: list[Message]) -> list[tuple[str, int]]:
    """The workspace's playground channels (from its settings, plus any with posts) and their post counts."""
    counts: dict[str, int] = {}
    for key in CHANNEL_KEYS:
        value = get_setting(session, workspace_id, key)
        if value.startswith(CHANNEL_PREFIX + "#"):
            counts[value[len(CHANNEL_PREFIX) :]] = 0
    for post in posts:
        if post.channel:
            counts[post.channel] = counts.get(post.channel, 0) + 1
    return sorted(counts.items())


def _message(
    row: Outbox,
    now: datetime,
    *,
    session: Session | None = None,
    member_id: int | None = None,
    zone: ZoneInfo | None = None,
) -> Message:
    assert row.id is not None
    if row.status == "sent":
        status = "sent"
    elif row.status in ("failed", "parked", "dead"):
        status = "failed"
    else:
        status = "sending"
    channel = row.target_channel[len(CHANNEL_PREFIX) :] if row.target_channel else None
    settled = None
    try:
        reply = reply_of(row)
        if session is not None and member_id is not None and row.response_note is None:
            settled = lead_moved_on(session, row.workspace_id, member_id, reply)
        # once answered (or moved on), the card's own status chip is history: its footer tells what happened
        html = render_reply(reply, without_status=row.response_note is not None or settled is not None, zone=zone)
    except ValueError:
        html = Markup('<div class="reply"><div class="r-context">This message could not be shown.</div></div>')
    moment = row.created_at
    return Message(
        id=row.id,
        title=KIND_TITLES.get(row.kind, row.kind.replace("_", " ").capitalize()),
        kind=row.kind,
        html=html,
        when=ago(moment, now),
        when_iso=moment.isoformat(),
        status=status,
        channel=channel,
        answered=row.response_note,
        settled=settled,
    )


def lead_moved_on(session: Session, workspace_id: int, member_id: int, reply: Reply) -> Markup | None:
    """A card's buttons are commands on a lead; when the lead has moved on by another route (typed in chat,
    another card), the card says where the lead is now instead of offering buttons that no longer apply."""
    moves: dict[int, set[str]] = {}
    for block in reply.blocks:
        if isinstance(block, Buttons):
            for button in block.buttons:
                match = _LEAD_BUTTON.match(button.command.strip())
                if match and match.group(1).lower() in _OWNER_MOVES:
                    moves.setdefault(int(match.group(2)), set()).add(match.group(1).lower())
    if len(moves) != 1:
        return None
    number, actions = next(iter(moves.items()))
    lead = session.exec(select(Lead).where(Lead.workspace_id == workspace_id, Lead.number == number)).first()
    if lead is None:
        return None
    applies = lead.owner_id == member_id and any(lead.status in _OWNER_MOVES[action] for action in actions)
    if applies:
        return None
    return status_chip(describe_status(lead).capitalize(), status=lead.status)


def ago(moment: datetime, now: datetime) -> str:
    """'just now', '5 min ago', '3 h ago', 'yesterday', 'Tue 12 Mar'."""
    delta = now - moment
    if delta < timedelta(minutes=1):
        return "just now"
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)} min ago"
    if delta < timedelta(hours=24):
        return f"{int(delta.total_seconds() // 3600)} h ago"
    if delta < timedelta(hours=48):
        return "yesterday"
    if delta < timedelta(days=7):
        return f"{delta.days} days ago"
    return moment.strftime("%a %d %b")


# Prospects for the example hand-offs and `lead add`s: none of them is a lead of the demo, so an example never
# runs into the duplicates rule (a hand-off whose e-mail matches an open lead is refused). Once someone has tried
# one, the next unused one is offered.
HANDOFF_PROSPECTS = (
    ("Aperture Science", "cave@aperture.example", "Cave Johnson", 'note:"Asked for a demo at the webinar"'),
    ("Black Mesa", "gordon@blackmesa.example", "Gordon Freeman", "source:webinar"),
    ("Prestige Worldwide", "brennan@prestige.example", "Brennan Huff", 'note:"Downloaded the pricing guide"'),
    ("Sirius Cybernetics", "zaphod@sirius.example", "Zaphod Beeblebrox", "source:event"),
)
ADD_PROSPECTS = (
    ("Initech", "bill@initech.example", "Bill Lumbergh", 'note:"Met at the meetup"'),
    ("Bluth Company", "michael@bluth.example", "Michael Bluth", 'note:"Referral from a customer"'),
    ("Wonka Industries", "charlie@wonka.example", "Charlie Bucket", 'note:"Inbound call"'),
)


def _fresh(
    session: Session, workspace_id: int, prospects: tuple[tuple[str, str, str, str], ...], count: int
) -> list[tuple[str, str, str, str]]:
    """The first ``count`` prospects that are no lead of the workspace yet (by e-mail or company)."""
    taken = session.exec(select(Lead.email, Lead.company).where(Lead.workspace_id == workspace_id)).all()
    emails = {(email or "").lower() for email, _ in taken}
    companies = {company.lower() for _, company in taken}
    fresh = [p for p in prospects if p[1].lower() not in emails and p[0].lower() not in companies]
    return fresh[:count]


def example_commands(session: Session, workspace_id: int, person: DemoPerson, everyone: list[DemoPerson]) -> list[str]:
    """A few commands worth trying as this person, using real lead ids from the workspace."""
    reps = [p for p in everyone if p.role == "rep"]
    rep = next((p for p in reps if p.key != person.key), None)
    if person.role == "rep":
        own = session.exec(
            select(Lead.number, Lead.status)
            .where(
                Lead.workspace_id == workspace_id,
                Lead.owner_id == person.member_id,
                col(Lead.status).in_(("handed_off", "accepted")),
            )
            .order_by(col(Lead.id).desc())
            .limit(5)
        ).all()
        waiting = next((n for n, s in own if s == "handed_off"), None)
        working = next((n for n, s in own if s == "accepted"), None)
        out = ["lead list mine"]
        if waiting:
            out.append(f"lead accept L-{waiting}")
        if working:
            out += [
                f'lead touch L-{working} "Discovery call booked for Thursday"',
                f"lead stage L-{working} 2",
                f"lead feedback L-{working} 4 great-fit",
            ]
        out += [
            f'lead add "{company}" email:{email} name:"{name}" {extra}'
            for company, email, name, extra in _fresh(session, workspace_id, ADD_PROSPECTS, 1)
        ]
        out += ["campaign list", "lead criteria", "tandem survey", "help"]
        return out
    if person.role == "marketer":
        target = f" to:@{rep.name.split(' ')[0].lower()}" if rep else ""
        out = [
            f'lead handoff "{company}" email:{email} name:"{name}"{target if number == 0 else ""} {extra}'
            for number, (company, email, name, extra) in enumerate(_fresh(session, workspace_id, HANDOFF_PROSPECTS, 2))
        ]
        return out + ["campaign announce", "lead list open", "lead list unworked", "lead criteria", "help"]
    if person.role == "admin":
        marketer = next((p for p in everyone if p.role == "marketer"), None)
        out = ["tandem settings", "tandem settings accept_sla_hours 2"]
        if marketer:
            out.append(f"tandem role @{marketer.name.split(' ')[0].lower()} manager")
        return out + ["lead list all", "tandem help"]
    latest = session.exec(
        select(Lead.number).where(Lead.workspace_id == workspace_id).order_by(col(Lead.id).desc()).limit(1)
    ).first()
    out = ["lead list all", "lead list unworked", "meeting next", "meeting agenda"]
    if latest:
        out.append(f"lead show L-{latest}")
    out += [
        "lead criteria",
        'lead criteria set "Budget confirmed, 50+ seats, a decision this quarter"',
        "tandem survey results",
        "help",
    ]
    return out
