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
class Named:
    """Somebody a command names whom Tandem had not met, as the platform's directory answered before dispatch
    (an admin sets roles before the team has spoken). ``person`` is who they are, or None when the directory
    does not know them; ``tried`` says where and how it looked, for that answer. ``accounts`` are more
    (platform, id) pairs of theirs, such as the Teams user's Entra object id."""

    ref: str  # the platform id or e-mail that was typed (``UserRef.key``)
    person: Person | None
    tried: str  # "in this Slack workspace (looked up by e-mail)"
    accounts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Request:
    """One command. A button click is a Request too: its text is the button's command."""

    person: Person
    team_id: str  # Slack team id, Teams tenant id, or the demo workspace's key
    text: str
    channel: str | None = None  # where it was typed, when it was typed in a channel
    team_name: str | None = None
    source_message: int | None = None  # outbox id of the card whose button was clicked
    named: tuple[Named, ...] = ()  # people the command names, found by the platform's directory
    # Whether only the asker sees the answer: Slack answers privately everywhere, Teams only in a 1:1 chat. A
    # command whose answer holds a secret (an API key) refuses to answer where others read along.
    private: bool = True

    @property
    def platform(self) -> str:
        return self.person.platform
