"""`meeting` commands (SPEC §3 "meeting"): schedule, next, agenda, done, move, cancel. Each handler asks the
service, then the view; announcements go to the sales and marketing channels in the command's transaction."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from bot.admin.settings import all_settings
from bot.core.commands import CommandSpec
from bot.core.context import Context
from bot.core.errors import UsageError
from bot.core.options import DATE, OptionSpec
from bot.core.outbox import enqueue_channel, enqueue_dm
from bot.core.people import has_role, mentions
from bot.core.replies import Reply
from bot.meetings import agenda as agenda_facts
from bot.meetings import service, views
from bot.meetings.agenda_view import agenda
from bot.meetings.notes import open_items
from bot.meetings.posts import channels_of
from bot.meetings.times import Wall, parse_wall, quarter_of, split_when
from storage.models import Meeting, Member

USAGE = {
    "schedule": "meeting schedule <YYYY-MM-DD HH:MM> [title]",
    "next": "meeting next",
    "agenda": "meeting agenda",
    "done": "meeting done [notes]",
    "move": "meeting move <YYYY-MM-DD HH:MM> [date:<day it was booked for>]",
    "cancel": "meeting cancel [date:<YYYY-MM-DD>]",
}
SUMMARY = {
    "schedule": "book the quarterly sales & marketing meeting, in the workspace's time zone (managers)",
    "next": "the next meeting with its calendar file, and the last one's notes",
    "agenda": "the agenda, built from the quarter's figures",
    "done": "record the meeting as held, with its notes and open items (managers)",
    "move": "move the next meeting to a new time; the reminders follow (managers)",
    "cancel": "cancel the next meeting; both channels are told (managers)",
}
ON = OptionSpec("date", DATE, "the day of the meeting you mean, when several are booked", "2026-06-11")


def _shown(ctx: Context, meeting: Meeting, *, organiser: bool = True) -> service.Shown:
    named = mentions(ctx.session, ctx.workspace_id, [meeting.organiser_id]) if organiser else {}
    return service.Shown(
        meeting,
        service.zone_of(meeting),
        service.ics_url(ctx.settings.base_url, meeting),
        named.get(meeting.organiser_id) if meeting.organiser_id is not None else None,
    )


def _wall(ctx: Context, args: list[str], usage: str) -> tuple[Wall, list[str]]:
    if not args:
        raise UsageError(
            "Say when, in the workspace's time zone: the day and the time, like `2026-06-11 15:00`.", usage=usage
        )
    day, clock, rest = split_when(args)
    wall = parse_wall(day, clock, service.workspace_zone(ctx.session, ctx.workspace_id), usage)
    return wall, rest


def _noted(wall: Wall) -> str | None:
    """What the organiser should double-check: a wall time that happens twice, a day at the weekend."""
    local = wall.at.astimezone(wall.zone)
    weekend = f"That is a {local:%A} ({wall.zone.key} time)." if local.weekday() >= 5 else None
    return " ".join(note for note in (wall.note, weekend) if note) or None


def _announce(
    ctx: Context, meeting: Meeting, kind: Literal["booked", "moved", "cancelled"], before: datetime | None = None
) -> tuple[list[str], bool]:
    """Post to both channels (once when they are one); returns which were told, and whether none is set."""
    channels = channels_of(all_settings(ctx.session, ctx.workspace_id))
    post = views.announcement(_shown(ctx, meeting), kind, before)
    for _label, channel in channels:
        enqueue_channel(
            ctx.session,
            ctx.clock,
            workspace_id=ctx.workspace_id,
            channel=channel,
            reply=post,
            kind=f"meeting_{kind}",
            key=f"M{meeting.id}:s{meeting.sequence}",
            changes=ctx.changes,
        )
    return [label for label, _ in channels], not channels


def schedule(ctx: Context, args: list[str]) -> Reply:
    wall, rest = _wall(ctx, args, USAGE["schedule"])
    title = service.check_title(" ".join(rest), USAGE["schedule"]) or service.default_title(wall.at, wall.zone)
    service.check_start(ctx.session, ctx.workspace_id, wall, ctx.clock.now(), USAGE["schedule"])
    meeting = service.book(
        ctx.session, ctx.clock, workspace_id=ctx.workspace_id, organiser_id=ctx.me.id, wall=wall, title=title
    )
    told, missing = _announce(ctx, meeting, "booked")
    return views.booked(_shown(ctx, meeting), told=told, note=_noted(wall), channels_missing=missing)


def move(ctx: Context, args: list[str]) -> Reply:
    wall, rest = _wall(ctx, args, USAGE["move"])
    if rest:
        raise UsageError(
            "`meeting move` takes the new day and time only; the title stays. Pick which meeting with `date:`.",
            usage=USAGE["move"],
        )
    now = ctx.clock.now()
    meeting = service.booked(ctx.session, ctx.workspace_id, now, wall.zone, ctx.opts.get(ON))
    if meeting.starts_at == wall.at:
        raise UsageError("That is when it already is; nothing to move.", usage=USAGE["move"])
    assert meeting.id is not None
    service.check_start(ctx.session, ctx.workspace_id, wall, now, USAGE["move"], moving=meeting.id)
    before = service.move(ctx.session, ctx.clock, meeting, wall)
    told, missing = _announce(ctx, meeting, "moved", before)
    return views.moved(_shown(ctx, meeting), before, told=told, note=_noted(wall), channels_missing=missing)


def cancel(ctx: Context, args: list[str]) -> Reply:
    if args:
        raise UsageError("`meeting cancel` takes no words; pick which meeting with `date:`.", usage=USAGE["cancel"])
    zone = service.workspace_zone(ctx.session, ctx.workspace_id)
    meeting = service.booked(ctx.session, ctx.workspace_id, ctx.clock.now(), zone, ctx.opts.get(ON))
    service.cancel(ctx.session, ctx.clock, meeting)
    told, missing = _announce(ctx, meeting, "cancelled")
    return views.cancelled(_shown(ctx, meeting), told=told, channels_missing=missing)


def next_meeting(ctx: Context, args: list[str]) -> Reply:
    now = ctx.clock.now()
    upcoming = service.next_up(ctx.session, ctx.workspace_id, now)
    later = service.also_booked(ctx.session, ctx.workspace_id, upcoming) if upcoming is not None else []
    last = service.last_done(ctx.session, ctx.workspace_id)
    return views.next_meeting(
        _shown(ctx, upcoming) if upcoming is not None else None,
        [_shown(ctx, other, organiser=False) for other in later],
        _shown(ctx, last, organiser=False) if last is not None else None,
        open_items(last.notes) if last is not None else [],
        now=now,
        manager=has_role(ctx.me, "manager"),
    )


def show_agenda(ctx: Context, args: list[str], *, extras: Sequence[agenda_facts.AgendaExtras]) -> Reply:
    now = ctx.clock.now()
    upcoming = service.next_up(ctx.session, ctx.workspace_id, now)
    zone = service.workspace_zone(ctx.session, ctx.workspace_id)
    starts_at = upcoming.starts_at if upcoming is not None else now
    facts = agenda_facts.for_meeting(ctx.session, ctx.workspace_id, starts_at, zone, now, extras)
    return agenda(facts, _shown(ctx, upcoming, organiser=False) if upcoming is not None else None)


_DONE = re.compile(r"^\s*/?meeting\s+done\b[ \t]*(.*)$", re.IGNORECASE | re.DOTALL)


def _notes(ctx: Context, args: list[str]) -> str:
    """The notes as typed: on several lines (Teams, the playground) the line breaks are kept, since each open item
    is a line of its own; on one line, the words as the grammar read them."""
    typed = _DONE.match(ctx.request.text)
    if typed and "\n" in typed.group(1):
        return typed.group(1)
    return " ".join(args)


def done(ctx: Context, args: list[str]) -> Reply:
    now = ctx.clock.now()
    zone = service.workspace_zone(ctx.session, ctx.workspace_id)
    notes = service.check_notes(_notes(ctx, args))
    meeting = service.to_finish(ctx.session, ctx.workspace_id, now, zone)
    service.finish(ctx.session, ctx.clock, meeting, notes)
    following = quarter_of(meeting.starts_at, zone).next()
    booked = service.booked_until(ctx.session, ctx.workspace_id, now, following.end(zone))
    organiser = ctx.session.get(Member, meeting.organiser_id) if meeting.organiser_id else None
    told = False
    if booked is None and organiser is not None and organiser.workspace_id == ctx.workspace_id:
        told = (
            enqueue_dm(
                ctx.session,
                ctx.clock,
                member=organiser,
                reply=views.book_next_dm(meeting, following.label),
                kind="meeting_book_next",
                key=f"M{meeting.id}",
                changes=ctx.changes,
            )
            is not None
        )
    return views.done(
        meeting,
        open_items(notes),
        _shown(ctx, booked, organiser=False) if booked is not None else None,
        following.label,
        organiser_told=told and organiser is not None and organiser.id != ctx.me.id,
    )


def specs(extras: Sequence[agenda_facts.AgendaExtras] = ()) -> list[CommandSpec]:
    """``extras``: the agenda's parts other features provide (intel, the pulse survey), from the composition root."""
    agenda_handler = functools.partial(show_agenda, extras=tuple(extras))
    return [
        CommandSpec(("meeting", "schedule"), schedule, "manager", USAGE["schedule"], SUMMARY["schedule"]),
        CommandSpec(("meeting", "next"), next_meeting, "rep", USAGE["next"], SUMMARY["next"]),
        CommandSpec(("meeting", "agenda"), agenda_handler, "rep", USAGE["agenda"], SUMMARY["agenda"]),
        CommandSpec(("meeting", "done"), done, "manager", USAGE["done"], SUMMARY["done"], free_text=True),
        CommandSpec(("meeting", "move"), move, "manager", USAGE["move"], SUMMARY["move"], (ON,)),
        CommandSpec(("meeting", "cancel"), cancel, "manager", USAGE["cancel"], SUMMARY["cancel"], (ON,)),
    ]
