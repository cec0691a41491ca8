"""Intel replies: pure builders from the rows they are given (no queries). Competitor names and notes travel only
in plain and bold spans and button labels, which every renderer escapes; they never go inside code spans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.replies import Block, Button, Buttons, Mention, Reply, Span, b, code, context, p, section
from bot.intel.names import in_command, ordinal
from bot.intel.service import BoardRow, Tally

USAGE = {
    "file": "intel <competitor> <note> [new:yes]",
    "show": "intel show <competitor>",
    "list": "intel list",
    "help": "intel help",
}
SUMMARY = {
    "file": "tell marketing what you heard about a competitor: a price cut, a new feature, a lost deal",
    "show": "the latest notes on one competitor",
    "list": "every competitor with its notes, the most noted first",
    "help": "how to file and read competitive intel",
}
LIST_BUTTONS = 5


@dataclass(frozen=True)
class Filed:
    """What `intel <competitor> <note>` did: the competitor it went under (and what was typed, when that was
    a close spelling of it), its tally, and whether the marketing channel was told."""

    competitor: str
    typed: str | None
    tally: Tally
    posted: bool


@dataclass(frozen=True)
class ShownNote:
    text: str
    author: Mention | None
    created_at: datetime


def when(moment: datetime, zone: ZoneInfo) -> str:
    """ "Tue 3 Mar 14:05 CET" in the reader's zone, named (readers sit in several). Bare offsets read "UTC+03"."""
    local = moment.astimezone(zone)
    label = local.tzname() or ""
    if label.startswith(("+", "-")):
        label = "UTC" + label
    return f"{local:%a} {local.day} {local:%b %H:%M} {label}".rstrip()


def day(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """ "3 Mar" (with the year when it is not this year's) in the reader's zone."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    return f"{local.day} {local:%b}" + (f" {local.year}" if local.year != today.year else "")


def _notes(count: int) -> str:
    return "1 note" if count == 1 else f"{count:,} notes"


def _this_month(tally: Tally) -> str:
    if tally.total == 1:
        return ""
    if tally.recent == tally.total:
        return f" (all {tally.recent} this month)"
    return f" ({tally.recent} this month)"


def show_button(name: str) -> Button:
    return Button(label=f"More on {name}", command=f"intel show {in_command(name)}")


def add_button(name: str, label: str = "Add a note") -> Button:
    return Button(
        label=label,
        command=f"intel {in_command(name)}",
        prompt=f"What did you hear about {name}? (up to 2,000 characters)",
    )


def overview() -> Reply:
    blocks: list[Block] = [
        section(
            b("Competitive intel"),
            p(" — what sales hears about competitors, filed in one searchable log and sent to marketing."),
        )
    ]
    for key in ("file", "show", "list"):
        blocks.append(section(code(USAGE[key]), p(" — " + SUMMARY[key])))
    blocks.append(
        context(
            "For example ",
            code("intel Globex cut list prices by 20% for 3-year deals"),
            ". A name of several words goes in quotes: ",
            code('intel "Acme Corp" has a new AI assistant'),
            ". The name alone (",
            code("intel Globex"),
            ") shows that competitor.",
        )
    )
    blocks.append(
        context(
            "Names are matched whatever their case. One very close to a known name (",
            code("globx"),
            ") is filed under it (Globex) and the answer says so; add ",
            code("new:yes"),
            " to start a new competitor with the name as you typed it.",
        )
    )
    return Reply(blocks=tuple(blocks))


def filed(outcome: Filed) -> Reply:
    """The rep's answer: thanks, the count, and where the note went."""
    name, tally = outcome.competitor, outcome.tally
    which = "the first note" if tally.total == 1 else f"the {ordinal(tally.total)} note"
    blocks: list[Block] = [section(f"🙏 Thanks — that's {which} on ", b(name), p(_this_month(tally) + "."))]
    if outcome.typed is not None:
        blocks.append(context(f"Filed under {name}, the closest existing name to “{outcome.typed}”."))
    if outcome.posted:
        blocks.append(context("Posted to the marketing channel, with your name on it."))
    else:
        blocks.append(
            context(
                "Kept in the intel log. No marketing channel is set, so marketing was not told: an admin can set "
                "one with ",
                code("tandem settings marketing_channel #marketing"),
                ".",
            )
        )
    blocks.append(Buttons(buttons=(show_button(name),)))
    return Reply(blocks=tuple(blocks))


def channel_post(name: str, note: str, author: Mention, tally: Tally) -> Reply:
    """For the marketing channel: the note, who heard it, and one click to everything on that competitor."""
    count = "The first note" if tally.total == 1 else f"The {ordinal(tally.total)} note"
    blocks: list[Block] = [
        section("🕵️ ", b("Intel on " + name), p(" from "), author, p(":")),
        section(p(note)),
        context(f"{count} on {name}{_this_month(tally)}."),
        Buttons(buttons=(show_button(name), add_button(name, "Add intel"))),
    ]
    return Reply(blocks=tuple(blocks), visibility="in_channel")


def notes_page(
    name: str, notes: Sequence[ShownNote], tally: Tally, zone: ZoneInfo, *, typed: str | None = None
) -> Reply:
    """`intel show`: the newest notes first, each with who filed it and when, and the total."""
    month = f", {tally.recent} this month" if tally.recent and tally.recent != tally.total else ""
    blocks: list[Block] = [section("🕵️ ", b(name), p(f" — {_notes(tally.total)}{month}, the latest first:"))]
    if typed is not None:
        blocks.append(context(f"Showing {name}, the closest name to “{typed}”."))
    for note in notes:
        blocks.append(section(p(note.text)))
        by: list[Span | str] = [note.author, " · "] if note.author is not None else ["someone who has left · "]
        blocks.append(context(*by, when(note.created_at, zone)))
    if tally.total > len(notes):
        blocks.append(context(f"The latest {len(notes)} of {tally.total:,}."))
    blocks.append(Buttons(buttons=(add_button(name),)))
    return Reply(blocks=tuple(blocks))


def board(rows: Sequence[BoardRow], zone: ZoneInfo, now: datetime, *, limit: int) -> Reply:
    """`intel list`: competitors with their notes and the last note's date, the most noted first."""
    if not rows:
        return Reply(
            blocks=(
                section(b("Competitive intel")),
                section(
                    "No intel yet. Heard about a competitor — a price cut, a new feature, a deal lost to them? "
                    "File it with ",
                    code("intel <competitor> <note>"),
                    "; marketing hears about it at once.",
                ),
            )
        )
    total = sum(row.notes for row in rows)
    competitors = "1 competitor" if len(rows) == 1 else f"{len(rows)} competitors"
    lines: list[Span | str] = []
    for row in rows[:limit]:
        if lines:
            lines.append("\n")
        lines += [b(row.name), p(f" — {_notes(row.notes)}, last on {day(row.last_note_at, zone, now)}")]
    blocks: list[Block] = [
        section(b("Competitive intel"), p(f" — {competitors}, {_notes(total)}, the most noted first:")),
        section(*lines),
    ]
    if len(rows) > limit:
        blocks.append(context(f"…and {len(rows) - limit} more, with fewer notes."))
    blocks.append(Buttons(buttons=tuple(show_button(row.name) for row in rows[:LIST_BUTTONS])))
    blocks.append(
        context(
            code("intel show <competitor>"), " reads one; ", code("intel <competitor> <note>"), " adds what you heard."
        )
    )
    return Reply(blocks=tuple(blocks))


def unknown(typed: str, closest: Sequence[str]) -> str:
    """The NotFound message for a competitor nobody has filed intel on."""
    if not closest:
        return (
            f"There is no intel on “{typed}” yet — nobody has filed any here. "
            "Be the first: `intel <competitor> <note>`."
        )
    return (
        f"There is no intel on “{typed}” yet. Competitors with intel: {', '.join(closest)}. "
        "To file the first note on a new one: `intel <competitor> <note>`."
    )
