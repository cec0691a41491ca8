"""A meeting's reminder goes to the sales and the marketing channel as one post: the playground shows it in both,
sending until delivery reaches each channel, then sent — over HTTP, as the page reads it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.runtime import Runtime
from schedules.registry import run_job_now
from storage.models import Meeting
from tests.adapters.web.conftest import Playground


def reminders_in(channels_html: str) -> dict[str, list[str]]:
    """Per channel, the state of each "starts in 7 days" post: "sent" or what its card's class says."""
    found: dict[str, list[str]] = {}
    for channel, card in re.findall(
        r'<div class="channel-post" data-channel="([^"]+)">(.*?)</div>\s*(?=<div class="channel-post"|$)',
        channels_html,
        re.S,
    ):
        if "starts in 7 days" in card:
            state = re.search(r'class="msg[^"]*?(?: is-(sending|failed))?[^"]*"', card)
            found.setdefault(channel, []).append((state.group(1) if state else None) or "sent")
    return found


async def test_a_reminder_to_both_channels_shows_in_each_and_is_sent_to_each(
    playground: Playground, demo_runtime: Runtime, clock: FakeClock
) -> None:
    with demo_runtime.db.session() as session:
        booked = session.exec(select(Meeting).where(Meeting.status == "scheduled")).one()
    clock.set(booked.starts_at - timedelta(days=7) + timedelta(minutes=1))
    firing = await run_job_now(demo_runtime, "meetings")
    assert firing.result is not None and "reminded 1" in firing.result, firing
    assert reminders_in(playground.inbox("maya")["channels_html"]) == {"#marketing": ["sending"], "#sales": ["sending"]}
    await run_job_now(demo_runtime, "delivery")
    assert reminders_in(playground.inbox("maya")["channels_html"]) == {"#marketing": ["sent"], "#sales": ["sent"]}
