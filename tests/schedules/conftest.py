"""A Slack workspace driven through dispatch, delivered through the real Slack Sender to a loopback fake
Slack, with a clock the tests move."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from adapters.slack.clients import TokenBook
from adapters.slack.sender import SlackSender
from bot.admin.settings import set_setting
from bot.core.clock import FakeClock
from bot.core.people import find_member_by_account, find_workspace
from bot.core.replies import Reply
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.server import build_runtime
from schedules.jobs.delivery import deliver_due
from schedules.registry import Firing, run_job_now
from storage.models import Lead, LeadEvent, Member, Outbox, WorkspaceSetting
from tests.adapters.slack.fake_slack import FakeSlack
from tests.bot.conftest import buttons_of, text_of

__all__ = ["SlackTeam", "buttons_of", "deliver_on_two_replicas", "text_of"]

PEOPLE = {  # who: (user id, time zone)
    "mara": ("UMARA", "Europe/Berlin"),
    "rita": ("URITA", "Europe/Berlin"),
    "sam": ("USAM", "America/New_York"),
    "dana": ("UDANA", "Europe/Berlin"),
}
ROLES = {"mara": "admin", "dana": "manager"}


@dataclass
class SlackTeam:
    runtime: Runtime
    clock: FakeClock
    slack: FakeSlack
    team_id: str = "T1"

    def say(self, who: str, text: str) -> Reply:
        user, tz = PEOPLE[who]
        person = Person("slack", user, who.capitalize(), f"{who}@acme.test", tz)
        return self.runtime.dispatcher.handle(Request(person=person, team_id=self.team_id, text=text))

    def handoff(self, company: str, to: str = "rita") -> Lead:
        reply = self.say("mara", f"lead handoff {company} to:<@{PEOPLE[to][0]}>")
        assert reply.ok, text_of(reply)
        with self.runtime.db.session() as s:
            return s.exec(select(Lead).where(Lead.company == company)).one()

    @property
    def workspace_id(self) -> int:
        with self.runtime.db.session() as s:
            ws = find_workspace(s, "slack", self.team_id)
            assert ws is not None and ws.id is not None
            return ws.id

    def setting(self, key: str, value: str) -> None:
        with self.runtime.db.session() as s:
            if key.endswith("_channel"):
                s.merge(WorkspaceSetting(workspace_id=self.workspace_id, key=key, value=value))
            else:
                set_setting(s, self.workspace_id, key, value)

    def member(self, who: str) -> Member:
        with self.runtime.db.session() as s:
            found = find_member_by_account(s, self.workspace_id, "slack", PEOPLE[who][0])
            assert found is not None
            return found

    def lead(self, lead_id: int) -> Lead:
        with self.runtime.db.session() as s:
            lead = s.get(Lead, lead_id)
            assert lead is not None
            return lead

    def outbox(self, kind: str | None = None) -> list[Outbox]:
        with self.runtime.db.session() as s:
            query = select(Outbox).order_by(Outbox.id)  # type: ignore[arg-type]
            if kind:
                query = query.where(Outbox.kind == kind)
            return list(s.exec(query).all())

    def trail(self, lead_id: int) -> list[LeadEvent]:
        with self.runtime.db.session() as s:
            return list(s.exec(select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id)).all())

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)

    def later(self, **delta: Any) -> None:
        self.clock.advance(timedelta(**delta))

    async def run(self, job: str) -> Firing:
        firing = await run_job_now(self.runtime, job)
        assert firing.ran and not firing.error, firing
        return firing

    def posts(self) -> list[dict[str, Any]]:
        """chat.postMessage calls Slack accepted."""
        return [c.params for c in self.slack.calls_to("chat.postMessage")]


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def slack_team(runtime: Runtime, clock: FakeClock, fake_slack: FakeSlack) -> SlackTeam:
    settings = runtime.settings.model_copy(update={"slack_api_url": fake_slack.api_url, "slack_bot_token": "xoxb-test"})
    runtime.add_sender(SlackSender(TokenBook(settings)))
    team = SlackTeam(runtime, clock, fake_slack)
    for who in PEOPLE:
        assert team.say(who, "lead list").ok
    with runtime.db.session() as s:
        for who, role in ROLES.items():
            member = s.exec(select(Member).where(Member.display_name == who.capitalize())).one()
            member.role = role
            s.add(member)
    return team


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def deliver_on_two_replicas(team: SlackTeam, *, batch: int = 7) -> None:
    """Four delivery runs at once, two on each of two replicas with their own connections to one database."""
    other = build_runtime(team.runtime.settings, clock=team.clock)
    other.senders.update(team.runtime.senders)
    try:
        await asyncio.gather(
            *(
                deliver_due(rt, owner=f"replica-{i}", batch=batch)
                for i, rt in enumerate((team.runtime, other, team.runtime, other))
            )
        )
    finally:
        other.db.dispose()
