"""What a handler gets: the open unit of work, who is asking and the tools to answer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.clock import Clock
from bot.config import Settings
from bot.grammar import Command
from bot.request import Request
from storage.models import Member, Workspace


@dataclass
class Context:
    session: Session
    settings: Settings
    clock: Clock
    workspace: Workspace
    actor: Member
    request: Request
    command: Command

    @property
    def workspace_id(self) -> int:
        assert self.workspace.id is not None
        return self.workspace.id
