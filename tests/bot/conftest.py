"""Speak to the bot as people of a workspace, the way every adapter does: through dispatch."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import select

from bot.core.replies import Buttons, Context, Fields, Reply, Section, plain_text
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from storage.models import Lead, LeadEvent, Member, Outbox


def text_of(reply: Reply) -> str:
    out: list[str] = []
    for block in reply.blocks:
        if isinstance(block, Section | Context):
            out.append(plain_text(block.text))
        elif isinstance(block, Fields):
            out.append(" | ".join(f"{label}: {plain_text(value)}" for label, value in block.items))
        elif isinstance(block, Buttons):
            out.append(" ".join(f"[{button.label}]" for button in block.buttons))
    return "\n".join(out)


def buttons_of(reply: Reply) -> dict[str, str]:
    return {b.label: b.command for block in reply.blocks if isinstance(block, Buttons) for b in block.buttons}


@dataclass
class Team:
    """A workspace seen from the chat side: ``team.say("mara", "lead handoff ...")``."""

    runtime: Runtime
    team_id: str = "T-ACME"
    platform: str = "playground"

    def say(self, who: str, text: str, *, source_message: int | None = None, channel: str | None = None) -> Reply:
        person = Person(self.platform, f"{self.team_id}-{who}", who.capitalize(), f"{who}@{self.team_id.lower()}.test")
        return self.runtime.dispatcher.handle(
            Request(person=person, team_id=self.team_id, text=text, source_message=source_message, channel=channel)
        )

    def text(self, who: str, text: str) -> str:
        return text_of(self.say(who, text))

    def lead(self, number: int) -> Lead:
        with self.runtime.db.session() as s:
            from bot.core.people import find_workspace

            ws = find_workspace(s, self.platform, self.team_id)
            assert ws is not None
            lead = s.exec(select(Lead).where(Lead.workspace_id == ws.id, Lead.number == number)).one()
            return lead

    def member(self, who: str) -> Member:
        with self.runtime.db.session() as s:
            from bot.core.people import find_member_by_account, find_workspace

            ws = find_workspace(s, self.platform, self.team_id)
            assert ws is not None and ws.id is not None
            found = find_member_by_account(s, ws.id, self.platform, f"{self.team_id}-{who}")
            assert found is not None
            return found

    def inbox(self, who: str) -> list[Outbox]:
        member = self.member(who)
        with self.runtime.db.session() as s:
            return list(s.exec(select(Outbox).where(Outbox.target_member_id == member.id).order_by(Outbox.id)).all())

    def events(self, number: int) -> list[str]:
        lead = self.lead(number)
        with self.runtime.db.session() as s:
            rows = s.exec(select(LeadEvent).where(LeadEvent.lead_id == lead.id).order_by(LeadEvent.id)).all()
            return [row.kind for row in rows]


@pytest.fixture
def team(runtime: Runtime) -> Team:
    """Mara (admin → marketer), Rita and Sam (reps), Dana (manager), all introduced to the bot."""
    t = Team(runtime)
    for who in ("mara", "rita", "sam", "dana"):
        t.say(who, "lead list")
    _set_role(runtime, t, "mara", "admin")
    assert t.say("mara", "tandem role dana@t-acme.test manager").ok
    return t


def _set_role(runtime: Runtime, team: Team, who: str, role: str) -> None:
    member = team.member(who)
    with runtime.db.session() as s:
        row = s.get(Member, member.id)
        assert row is not None
        row.role = role
        s.add(row)
