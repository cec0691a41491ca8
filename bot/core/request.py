"""What an adapter hands to dispatch: who is asking, from where, and the text they typed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """The speaker as the platform knows them. Only ``platform`` and ``user_id`` are required."""

    platform: str  # "slack" | "teams" | "playground" | "console"
    user_id: str
    display_name: str | None = None
    email: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class Request:
    """One command. A button click is a Request too: its text is the button's command."""

    person: Person
    team_id: str  # Slack team id, Teams tenant id, or the demo workspace's key
    text: str
    channel: str | None = None  # where it was typed, when it was typed in a channel
    team_name: str | None = None
    source_message: int | None = None  # outbox id of the card whose button was clicked

    @property
    def platform(self) -> str:
        return self.person.platform
