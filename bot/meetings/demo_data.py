"""The demo's quarterly meetings: last quarter's meeting, held, with its notes and open items — and, booked during it
as the ritual asks, the next one about ten days from now. Made by running the real commands at past moments."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.clock import FakeClock
from bot.core.dispatch import Dispatcher
from bot.core.request import Person, Request
from bot.core.runtime import Runtime

LAST_NOTES = (
    "Webinar leads convert; event leads need a better first call. Rejections mostly no-budget.\n"
    "- [ ] Maya: add a budget question to the webinar sign-up form\n"
    "- [ ] Leo: share the Summit attendee list with sales within a week of the event\n"
    "TODO: reps rate every lead they reject, so the reasons roll up\n"
    "- [x] Diana: book the next meeting"
)


def _weekday_at(day: datetime, hour: int, zone: ZoneInfo) -> datetime:
    local = day.astimezone(zone).date()
    while local.weekday() >= 5:
        local += timedelta(days=1)
    return datetime.combine(local, time(hour), tzinfo=zone)


def seed_meetings(runtime: Runtime, now: datetime, *, team: str, workspace: str, platform: str) -> None:
    """Diana (head of revenue) ran last quarter's meeting and booked the next one before closing it."""
    zone = ZoneInfo("America/New_York")
    held = _weekday_at(now - timedelta(days=88), 15, zone)
    upcoming = _weekday_at(now + timedelta(days=10), 15, zone)
    clock = FakeClock(held - timedelta(days=12))
    dispatcher = Dispatcher(runtime.db, runtime.settings, runtime.dispatcher.registry, clock)
    diana = Person(platform, "diana", "Diana Okafor", "diana.okafor@acme.example", "America/New_York")

    def say(text: str) -> None:
        reply = dispatcher.handle(Request(person=diana, team_id=team, text=text, team_name=workspace))
        if not reply.ok:
            raise RuntimeError(f"demo meeting step refused: {text!r}: {reply.summary}")

    say(f"meeting schedule {held:%Y-%m-%d %H:%M}")
    clock.set(held + timedelta(minutes=50))
    say(f"meeting schedule {upcoming:%Y-%m-%d %H:%M}")
    clock.set(held + timedelta(minutes=58))
    say("meeting done " + LAST_NOTES)
