"""The playground's Sender: the outbox row itself is the inbox message, so sending only confirms it."""

from __future__ import annotations

from bot.core.delivery import DeliveryFailed, Target
from bot.core.replies import Reply

PLATFORM = "playground"


class PlaygroundSender:
    """Delivery marks the row sent; the playground page reads sent rows back as the person's DMs and the
    channel posts. Nothing leaves the process, so there is nothing to retry."""

    platform = PLATFORM

    async def send(self, target: Target, reply: Reply) -> str | None:
        if target.platform != PLATFORM:
            raise DeliveryFailed(f"not a playground target: {target.platform}", permanent=True)
        if target.kind == "channel" and not target.address.startswith("#"):
            raise DeliveryFailed("playground channels are named like #marketing", permanent=True)
        return f"{PLATFORM}:{target.kind}:{target.address}:{target.outbox_id or ''}"

    async def update(self, target: Target, ref: str, reply: Reply) -> str | None:
        """The page reads each card's state from the outbox when it is shown: nothing to rewrite."""
        return ref
