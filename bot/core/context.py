"""What a handler gets: the open unit of work, who is asking and the tools to answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.grammar import Command, UserRef
from bot.core.options import Options
from bot.core.people import MemberRow, find_member
from bot.core.request import Request
from bot.core.unit import Changes
from storage.models import Member, Workspace

_BOTH = select(Workspace, Member).where(
    col(Workspace.id) == bindparam("workspace"),
    col(Member.id) == bindparam("member"),
    col(Member.workspace_id) == col(Workspace.id),
)


@dataclass
class Context:
    """``me`` is the asker as dispatch read them (id, role, name, time zone). ``opts`` are the command's options,
    parsed and checked against their types. ``actor`` and ``workspace`` are the entities, loaded on first use:
    a command that only reads never pays for them. ``changes`` is what the command moved and wrote, for the work
    dispatch runs after the handler."""

    session: Session
    settings: Settings
    clock: Clock
    workspace_id: int
    me: MemberRow
    request: Request
    command: Command
    opts: Options = field(default_factory=Options)
    changes: Changes = field(default_factory=Changes)
    _actor: Member | None = field(default=None, repr=False)
    _workspace: Workspace | None = field(default=None, repr=False)

    @property
    def actor(self) -> Member:
        if self._actor is None:
            self._load()
        assert self._actor is not None
        return self._actor

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._load()
        assert self._workspace is not None
        return self._workspace

    def member_named(self, raw: str | UserRef) -> Member:
        """The member this command names; someone the platform's directory found for it joins on the spot."""
        return find_member(
            self.session, self.workspace_id, raw, self.request.named, clock=self.clock, admins=self.settings.admins
        )

    def _load(self) -> None:
        """Both entities in one round trip: a command that writes usually needs both."""
        row = self.session.execute(_BOTH, {"workspace": self.workspace_id, "member": self.me.id}).one()
        self._workspace, self._actor = row[0], row[1]
