"""The running product's parts, built once by the composition root and handed to adapters and jobs."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.delivery import Sender
from bot.core.dispatch import Dispatcher
from bot.core.pacing import Pacing
from storage.db import Database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    dispatcher: Dispatcher
    senders: dict[str, Sender] = field(default_factory=dict)
    pacing: Pacing = field(default_factory=Pacing)  # this replica's pace per team, learned across firings

    def add_sender(self, sender: Sender) -> None:
        self.senders[sender.platform] = sender
