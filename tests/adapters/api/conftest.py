"""An integration's side of the REST API: a workspace whose admin made a key in chat, and HTTP into the real app.
The Slack fixtures are imported for the stories where ``owner_email`` names someone only Slack knows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from bot.core.runtime import Runtime
from bot.server import create_app
from storage.models import Lead, Member, Outbox
from tests.adapters.slack.conftest import fake_slack, slack_runtime, slack_settings, wire  # noqa: F401
from tests.adapters.teams.conftest import connector, teams_client, teams_runtime  # noqa: F401
from tests.bot.conftest import Team, text_of


def key_of(reply_text: str) -> str:
    """The key a `tandem apikey create` answer shows (its own line)."""
    [key] = [line.strip() for line in reply_text.splitlines() if line.strip().startswith("tdm_")]
    return key


@dataclass
class Integration:
    """A web form's server: posts leads with a key of one workspace."""

    http: TestClient
    team: Team
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def post(self, body: Any, *, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post("/api/v1/leads", json=body, headers={**self.headers, **(headers or {})})

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params, headers=self.headers)

    def leads(self) -> list[Lead]:
        with self.team.runtime.db.session() as session:
            return list(session.exec(select(Lead).order_by(Lead.id)).all())

    def cards_to(self, who: str) -> list[Outbox]:
        return [row for row in self.team.inbox(who) if row.kind == "handoff"]


def make_admin(team: Team, who: str, role: str = "admin") -> None:
    with team.runtime.db.session() as session:
        member = session.get(Member, team.member(who).id)
        assert member is not None
        member.role = role
        session.add(member)


def new_key(team: Team, label: str = "website", who: str = "mara") -> str:
    return key_of(text_of(team.say(who, f"tandem apikey create {label}")))


@pytest.fixture
def acme(runtime: Runtime) -> Team:
    """Mara (admin), Rita and Sam (reps) have all spoken to the bot."""
    team = Team(runtime)
    for who in ("mara", "rita", "sam"):
        team.say(who, "lead list")
    make_admin(team, "mara")
    return team


@pytest.fixture
def http(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
        yield client


@pytest.fixture
def api(acme: Team, http: TestClient) -> Integration:
    return Integration(http, acme, new_key(acme))
