"""The lead story across chat tools, after `tandem link`: a marketer hands off in Slack, the card reaches the
rep's Teams chat, the rep accepts in Teams, and the marketer's notice is queued for Slack."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.outbox import resolve_target
from bot.core.replies import to_json
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.server import build_runtime, create_app
from schedules.jobs.delivery import deliver_due
from storage.models import Lead, Member, Outbox
from tests.adapters.teams.conftest import REP, message, teams_settings
from tests.adapters.teams.fake_connector import FakeConnector

SLACK_TEAM = "T0ACME"
SLACK_ADMIN = Person("slack", "UADMIN001", "Sam Admin", "sam@acme.test")
SLACK_MARTA = Person("slack", "UMARTA001", "Marta Marketer", "marta@acme.test")
SLACK_RITA = Person("slack", "URITA0001", "Rita R.", "rita@acme.test")
TEAMS_ADMIN = "29:tom-admin"


@pytest.fixture
def story(database_url: str, clock: FakeClock, connector: FakeConnector) -> Iterator[tuple[TestClient, Runtime]]:
    settings = teams_settings(database_url, admins=f"UADMIN001,{TEAMS_ADMIN}")
    runtime = build_runtime(settings, clock=clock)
    with TestClient(create_app(settings, runtime=runtime)) as client:
        yield client, runtime
    runtime.db.dispose()


def _slack(runtime: Runtime, person: Person, text: str) -> str:
    reply = runtime.dispatcher.handle(Request(person=person, team_id=SLACK_TEAM, text=text))
    assert reply.ok, reply
    return to_json(reply)


def _teams(client: TestClient, connector: FakeConnector, user: str, name: str, text: str = "", **extra: object) -> None:
    assert client.post("/api/messages", json=message(connector, text, user=user, name=name, **extra)).status_code == 200


def test_slack_handoff_accepted_in_teams_tells_the_marketer_in_slack(
    story: tuple[TestClient, Runtime], connector: FakeConnector
) -> None:
    client, runtime = story
    connector.roster[TEAMS_ADMIN] = {"id": TEAMS_ADMIN, "name": "Tom Admin", "email": "tom@acme.test"}
    # Slack: the company uses Tandem already; Rita is a rep there too.
    _slack(runtime, SLACK_RITA, "lead list")
    _slack(runtime, SLACK_MARTA, "lead list")
    _slack(runtime, SLACK_ADMIN, "tandem role marta@acme.test marketer")
    # Teams: the tenant's admin links it to the Slack workspace.
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", _slack(runtime, SLACK_ADMIN, "tandem link")).group(0)
    _teams(client, connector, TEAMS_ADMIN, "Tom Admin", f"tandem link {code}")
    assert "Linked" in connector.texts()[-1]
    # Rita works from Teams now.
    _teams(client, connector, REP, "Rita Rep", "lead list")

    _slack(runtime, SLACK_MARTA, "lead handoff Acme email:ceo@acme.test to:rita@acme.test")
    connector.installed.add(REP)
    connector.calls.clear()
    assert asyncio.run(deliver_due(runtime, owner="test")).sent == 1
    [card] = connector.sent()
    assert card.conversation == f"a:chat-{REP}" and "Acme" in json.dumps(card.body)
    accept = re.search(r'\{[^{}]*"tandem_command": "lead accept L-1"[^{}]*\}', json.dumps(card.body)).group(0)

    _teams(client, connector, REP, "Rita Rep", value=json.loads(accept), reply_to="1001")
    [update] = connector.updates()
    assert "Rita Rep" in json.dumps(update.body)
    with runtime.db.session() as session:
        lead = session.exec(select(Lead)).one()
        assert lead.status == "accepted"
        marta = session.exec(select(Member).where(Member.email == "marta@acme.test")).one()
        [notice] = session.exec(
            select(Outbox).where(Outbox.target_member_id == marta.id, Outbox.kind == "accepted")
        ).all()
        target = resolve_target(session, notice)
        assert target is not None and (target.platform, target.team_id, target.address) == (
            "slack",
            SLACK_TEAM,
            "UMARTA001",
        )
        assert "accepted L-1" in notice.payload
