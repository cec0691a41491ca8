"""The contract between the outbox and the platforms. ``bot/`` defines it; adapters implement ``Sender``;
``schedules/jobs/delivery.py`` drives it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.replies import Reply


@dataclass(frozen=True)
class Target:
    """Where one outbox row goes, resolved to one platform's ids."""

    platform: str
    team_id: str  # the platform's team / tenant id
    kind: Literal["user", "channel"]
    address: str  # platform user id, or channel id
    member_id: int | None = None
    outbox_id: int | None = None
    replaces: str | None = None  # the reference of a sent message this delivery rewrites (``Sender.update``)


class DeliveryFailed(Exception):
    """A send that did not happen. ``retry_after`` (seconds) comes from the platform when it said so;
    ``permanent`` means retrying cannot help (the row is parked and reported, never silently dropped)."""

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.permanent = permanent


class Sender(Protocol):
    platform: str

    async def send(self, target: Target, reply: Reply) -> str | None:
        """Deliver ``reply``; return the platform's message reference (for later updates), if any.
        Raise ``DeliveryFailed`` on failure."""
        ...

    async def update(self, target: Target, ref: str, reply: Reply) -> str | None:
        """Rewrite the message ``send`` returned ``ref`` for; return the reference. Raise ``DeliveryFailed``
        (``permanent`` when the message is gone or can no longer be edited)."""
        ...
