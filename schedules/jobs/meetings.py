"""The meetings job (SPEC §4): every minute, the reminders and agenda posts whose time has come, then the weekly
nag to book the next meeting — each in batches, each batch its own transaction (``bot.meetings``). A meeting gets
at most one post per firing and only the latest one due, so `tandem jobs run meetings` twice sends nothing new and a
server back after a long outage sends one reminder, not a burst.

On PostgreSQL the reminder batches run in two lanes side by side, each its own transaction on its own connection:
``FOR UPDATE SKIP LOCKED`` hands them different meetings, and one lane's Python work (gathering and rendering
agendas) runs while the other waits for the server. SQLite has one connection, so its batches go one by one."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.runtime import Runtime
from bot.features import agenda_extras
from bot.meetings.booking_nag import BookingRound, nag_unbooked
from bot.meetings.reminder_round import ReminderRound, remind_due_meetings

EVERY_SECONDS = 60.0
LANES_ON_POSTGRESQL = 2  # more buys nothing on two cores: the Python work of the lanes shares one interpreter


@dataclass
class MeetingsRound:
    reminders: ReminderRound = field(default_factory=ReminderRound)
    booking: BookingRound = field(default_factory=BookingRound)

    def __str__(self) -> str:
        return f"{self.reminders}; {self.booking}"


async def run_meetings(runtime: Runtime, *, batch: int = 500, max_batches: int = 20) -> MeetingsRound:
    now = runtime.clock.now()
    total = MeetingsRound()

    async def lane() -> None:
        for _ in range(max_batches):
            done = await runtime.db.run(_reminders, runtime, now, batch)
            total.reminders.add(done)
            if done.seen < batch:
                break

    await asyncio.gather(*(lane() for _ in range(1 if runtime.db.is_sqlite else LANES_ON_POSTGRESQL)))
    for _ in range(max_batches):
        asked = await runtime.db.run(_booking, runtime, now, batch)
        total.booking.add(asked)
        if asked.seen < batch:
            break
    return total


def _reminders(runtime: Runtime, now: datetime, batch: int) -> ReminderRound:
    with runtime.db.session() as session:
        return remind_due_meetings(
            session, runtime.clock, now, base_url=runtime.settings.base_url, extras=agenda_extras(), limit=batch
        )


def _booking(runtime: Runtime, now: datetime, batch: int) -> BookingRound:
    with runtime.db.session() as session:
        return nag_unbooked(session, runtime.clock, now, base_url=runtime.settings.base_url, limit=batch)
