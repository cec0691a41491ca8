"""The demo workspace's competitive intel: over three weeks the reps (and Leo, at the summit booth) hear about
Globex undercutting on price, Initech's new AI assistant and a deal lost to HubSpot on price — the same deals
the demo's leads tell of — and file it with `intel`, so the marketing channel and `intel list` have a story."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

DEMO_INTEL = (  # days ago, hour, who, what follows `intel`
    (16, 10, "rita", "Globex cut list prices by 20% for 3-year deals — Soylent's CFO forwarded me their quote"),
    (15, 14, "sam", "Globex is offering Hooli free onboarding if they sign before the end of the quarter"),
    (13, 17, "leo", 'Globex at the RevOps Summit: two booth visitors said they demo a "one-click Salesforce sync"'),
    (12, 11, "jonas", "Initech launched an AI pipeline assistant in beta; Wayne's RevOps team asked if we have one"),
    (10, 16, "rita", "Initech's AI assistant is US-only for now — Cyberdyne ruled it out over EU data residency"),
    (8, 10, "jonas", "HubSpot offered Umbrella Health 40% off the first year; we lost L-4 on price"),
    (5, 15, "sam", "globex reps are calling our webinar attendees the day after — they must watch the registrations"),
    (3, 11, "rita", "Globex matched our price at Soylent but can't roll out in under 6 weeks; our onboarding wins"),
    (2, 9, "jonas", "Initech quoted Oscorp $38 per seat, about 15% under our list price"),
)


class Teller(Protocol):
    """The demo's storyteller: runs a command as a cast member at a past moment."""

    def at(self, moment: datetime) -> Teller: ...

    def say(self, key: str, text: str) -> None: ...


def tell_intel(story: Teller, day: Callable[..., datetime]) -> None:
    """File the demo's notes at their moments; ``day(days_ago, hour)`` is a past working day's hour."""
    for days_ago, hour, who, words in DEMO_INTEL:
        story.at(day(days_ago, hour)).say(who, "intel " + words)
