"""A channel post with several channels is one outbox row that goes to them one after another (its reply stored
once): ``target_channel`` is where it goes now, ``channels_ahead`` where it goes after, ``channels_done`` where it
went. Delivery sends it to one channel at a time, exactly as a row with one channel, and on each success (or a
channel it had to give up on) moves it on to the next; the row is sent when its last channel is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from storage.models import Outbox

State = Literal["sent", "failed", "pending"]


@dataclass(frozen=True)
class Stop:
    """One channel of a post and how it went there."""

    channel: str
    state: State


@dataclass(frozen=True)
class MoveOn:
    """What a row at one of several channels becomes once that channel is done: pending again at the next one."""

    target_channel: str
    channels_ahead: str | None
    channels_done: str


@dataclass(frozen=True)
class Walk:
    """A claimed row that has channels ahead: what delivery needs to move it on without reading it again."""

    channel: str
    ahead: str
    done: str | None

    @classmethod
    def of(cls, row: Outbox) -> Walk | None:
        if not row.channels_ahead or not row.target_channel:
            return None
        return cls(row.target_channel, row.channels_ahead, row.channels_done)

    def moved_on(self, state: Literal["sent", "failed"], note: str | None) -> MoveOn:
        """Past this channel: ``note`` is the platform's reference to the post (sent) or why it could not go."""
        first, _, rest = self.ahead.partition("\n")
        line = "\t".join((state, self.channel, " ".join((note or "").split())[:300]))
        return MoveOn(first, rest or None, f"{self.done}\n{line}" if self.done else line)


def ahead_of(channels: list[str]) -> str | None:
    """``channels_ahead`` for a post that goes to ``channels`` after its first."""
    return "\n".join(channels) or None


def stops(row: Outbox) -> tuple[Stop, ...]:
    """Every channel of a channel post, in the order it goes to them, each with how it went there."""
    if not row.target_channel:
        return ()
    done: list[Stop] = []
    for line in (row.channels_done or "").splitlines():
        state, _, rest = line.partition("\t")
        channel = rest.partition("\t")[0]
        if channel:
            done.append(Stop(channel, "failed" if state == "failed" else "sent"))
    now: State = "sent" if row.status == "sent" else "failed" if row.status == "failed" else "pending"
    ahead = [Stop(channel, "pending") for channel in (row.channels_ahead or "").splitlines() if channel]
    return (*done, Stop(row.target_channel, now), *ahead)
