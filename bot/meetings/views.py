"""Meeting replies and posts: pure builders from the rows they are given (no queries). Every time is a ``When``
span, so each reader sees it in their own zone where the platform can, and the workspace's zone, named, elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from bot.core.replies import (
    Block,
    Button,
    Buttons,
    Divider,
    Reply,
    Span,
    b,
    code,
    context,
    link,
    p,
    section,
    when,
)
from bot.meetings import reminders
from bot.meetings.service import Booked, Shown
from storage.models import Meeting

BOOK_PROMPT = "When? Type the day and time in 24-hour form, like 2026-06-11 15:00, then a title if you like."
NOTES_PREVIEW = 600


def book_button(label: str = "Book next quarter") -> Button:
    """`meeting schedule` with nothing after it: a form in Slack, a line of text elsewhere."""
    return Button(label=label, command="meeting schedule", style="primary", prompt=BOOK_PROMPT)


def _title(meeting: Booked) -> str:
    return " ".join(meeting.title.split())


def card(shown: Shown, *, lead: Sequence[Span | str] = ("📅 ",)) -> list[Block]:
    """Title, when (in each reader's zone), who organises it, and the calendar file."""
    meeting = shown.meeting
    blocks: list[Block] = [section(*lead, b(_title(meeting))), section("🕒 ", when(meeting.starts_at, shown.zone))]
    facts: list[Span | str] = [link("Add to calendar (.ics)", shown.ics_url)]
    if shown.organiser is not None:
        facts += [" · organised by ", shown.organiser]
    blocks.append(context(*facts))
    return blocks


def booked(shown: Shown, *, told: Sequence[str], note: str | None, channels_missing: bool) -> Reply:
    """The organiser's answer to `meeting schedule`."""
    blocks = [section("✅ Booked."), *card(shown)]
    if note:
        blocks.append(context("⚠️ ", note))
    blocks.append(context(_reminders_line(shown)))
    blocks.append(context(_told_line(told, channels_missing, "announced")))
    return Reply(blocks=tuple(blocks))


def _reminders_line(shown: Shown) -> str:
    """What the channels will hear, as the reminder rule will send it for this booking."""
    starts_at, booked_at = shown.meeting.starts_at, shown.meeting.created_at
    words = {"week": "7 days", "day": "1 day", "hour": "1 hour"}
    ahead = [words[k] for k in words if reminders.time_of(k, starts_at, shown.zone) > booked_at]
    if len(ahead) == len(words):
        return "Both channels are reminded 7 days, 1 day and 1 hour before, and get the agenda at the start."
    then = f", then {' and '.join(ahead)} before," if ahead else ""
    return f"It is close, so both channels get one reminder now{then} and the agenda at the start."


def _told_line(told: Sequence[str], missing: bool, what: str) -> str:
    if told:
        return f"{what.capitalize()} in {' and '.join(told)}."
    if missing:
        return (
            f"Not {what} anywhere yet: set `tandem settings sales_channel #sales` and "
            "`tandem settings marketing_channel #marketing` (an admin), and the reminders go there."
        )
    return f"Not {what}."


def announcement(shown: Shown, kind: Literal["booked", "moved", "cancelled"], before: datetime | None = None) -> Reply:
    """The post in the sales and marketing channels."""
    meeting = shown.meeting
    if kind == "cancelled":
        blocks: list[Block] = [
            section("🚫 ", b(_title(meeting)), p(" is cancelled.")),
            section("It was to be ", when(meeting.starts_at, shown.zone), p(".")),
            context(link("Update your calendar (.ics)", shown.ics_url), p(" · `meeting next` shows what is booked.")),
        ]
        return Reply(blocks=tuple(blocks), visibility="in_channel")
    if kind == "moved":
        lead: list[Span | str] = ["🔁 Moved: "]
        blocks = card(shown, lead=lead)
        if before is not None:
            blocks.insert(2, context("Was ", when(before, shown.zone), p(".")))
    else:
        blocks = card(shown, lead=("📅 The quarterly sales & marketing meeting: ",))
        blocks.insert(
            2, context("Sales and marketing together: how the quarter went, what to change, and the next date.")
        )
    blocks.append(Buttons(buttons=(Button(label="Agenda", command="meeting agenda"),)))
    return Reply(blocks=tuple(blocks), visibility="in_channel")


def moved(shown: Shown, before: datetime, *, told: Sequence[str], note: str | None, channels_missing: bool) -> Reply:
    blocks: list[Block] = [section("🔁 Moved."), *card(shown), context("Was ", when(before, shown.zone), p("."))]
    if note:
        blocks.append(context("⚠️ ", note))
    blocks.append(context("The reminders start again from the new time; calendars update from the same .ics link."))
    blocks.append(context(_told_line(told, channels_missing, "announced")))
    return Reply(blocks=tuple(blocks))


def cancelled(shown: Shown, *, told: Sequence[str], channels_missing: bool) -> Reply:
    meeting = shown.meeting
    blocks: list[Block] = [
        section("🚫 Cancelled ", b(_title(meeting)), p(" ("), when(meeting.starts_at, shown.zone), p(").")),
        context("No reminders will go out for it; its .ics link now tells calendars it is cancelled."),
        context(_told_line(told, channels_missing, "announced")),
        Buttons(buttons=(book_button("Book another"),)),
    ]
    return Reply(blocks=tuple(blocks))


def next_meeting(
    shown: Shown | None,
    later: Sequence[Shown],
    last: Shown | None,
    items: Sequence[str],
    *,
    now: datetime,
    manager: bool,
) -> Reply:
    """`meeting next`: the next meeting, anything booked after it, and the last meeting's notes until the next
    one is held."""
    blocks: list[Block] = []
    if shown is None:
        blocks.append(section("📅 No meeting is booked."))
        blocks.append(
            context(
                "Managers book it with `meeting schedule <YYYY-MM-DD HH:MM> [title]`: sales and marketing meet every "
                "quarter, and the next date is set during the current meeting."
            )
        )
    else:
        started = shown.meeting.starts_at <= now
        blocks += card(shown, lead=("🟢 Happening now: " if started else "📅 Next: ",))
        left = reminders.time_left(shown.meeting.starts_at, now)
        blocks.append(context("Starts " + left + "." if not started else "Begun; `meeting done` records it."))
    for other in later:
        blocks.append(
            context("Also booked: ", b(_title(other.meeting)), p(" — "), when(other.meeting.starts_at, other.zone))
        )
    if last is not None:
        held = last.meeting
        blocks += [Divider(), section(b("Last meeting: "), p(_title(held) + " — "), when(held.starts_at, last.zone))]
        if held.notes:
            blocks.append(section(p(_preview(held.notes))))
        if items:
            blocks.append(section(b("Open items:"), p("\n" + "\n".join(f"☐ {item}" for item in items))))
    buttons = [Button(label="Agenda", command="meeting agenda")] if shown is not None else []
    if manager and shown is None:
        buttons.append(book_button("Book the meeting"))
    if buttons:
        blocks.append(Buttons(buttons=tuple(buttons)))
    return Reply(blocks=tuple(blocks))


def _preview(notes: str) -> str:
    text = notes.strip()
    return text if len(text) <= NOTES_PREVIEW else text[: NOTES_PREVIEW - 1].rstrip() + "…"


def done(
    meeting: Meeting, items: Sequence[str], next_booked: Shown | None, quarter: str, *, organiser_told: bool
) -> Reply:
    blocks: list[Block] = [section("✅ Recorded ", b(_title(meeting)), p(" as held."))]
    if meeting.notes:
        blocks.append(context("Notes kept; `meeting next` shows them until the next meeting."))
    if items:
        blocks.append(section(b("Open items for next time: "), p("; ".join(items))))
    if next_booked is not None:
        blocks.append(
            section(
                "Next one: ",
                b(_title(next_booked.meeting)),
                p(" — "),
                when(next_booked.meeting.starts_at, next_booked.zone),
            )
        )
    else:
        blocks.append(section(f"Book {quarter}'s meeting now, while everyone is here:"))
        blocks.append(Buttons(buttons=(book_button(),)))
        if organiser_told:
            blocks.append(context("The organiser has a DM with the same button."))
    return Reply(blocks=tuple(blocks))


def book_next_dm(meeting: Meeting, quarter: str) -> Reply:
    """To the organiser after `meeting done`."""
    return Reply(
        blocks=(
            section("🗓️ Thanks for running ", b(_title(meeting)), p(".")),
            section(f"Book {quarter}'s meeting now, so both teams keep the date:"),
            Buttons(buttons=(book_button(),)),
            context("Managers are reminded weekly until it is booked."),
        )
    )


def booking_nag(quarter: str, last: Shown) -> Reply:
    """The weekly DM to managers while no meeting is booked for the next quarter."""
    return Reply(
        blocks=(
            section("🗓️ ", b(f"No sales & marketing meeting is booked for {quarter} yet.")),
            section(
                "The last one was ",
                when(last.meeting.starts_at, last.zone),
                p(". Meeting every quarter keeps both teams on one plan."),
            ),
            Buttons(buttons=(book_button(f"Book {quarter}"),)),
            context("Or type `meeting schedule <YYYY-MM-DD HH:MM> [title]`. You hear this weekly until it is booked."),
        )
    )


def reminder(shown: Shown, now: datetime) -> Reply:
    """A reminder in both channels; its wording follows the time really left."""
    meeting = shown.meeting
    left = reminders.time_left(meeting.starts_at, now)
    blocks: list[Block] = [
        section("⏰ ", b(_title(meeting)), p(f" starts {left}: "), when(meeting.starts_at, shown.zone), p(".")),
        context(
            link("Add to calendar (.ics)", shown.ics_url), p(" · come with your numbers: "), code("meeting agenda")
        ),
        Buttons(buttons=(Button(label="Agenda", command="meeting agenda"),)),
    ]
    return Reply(blocks=tuple(blocks), visibility="in_channel")
