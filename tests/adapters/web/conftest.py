"""A playground app over a seeded demo workspace, and the dashboard over a workspace of people, driven over real
HTTP (Starlette's test client)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.replies import Link, Reply
from bot.core.runtime import Runtime
from bot.demo import seed_demo
from bot.server import build_runtime, create_app
from tests.bot.conftest import Team, _set_role


@pytest.fixture
def playground_settings(database_url: str) -> Settings:
    return Settings(
        DATABASE_URL=database_url,
        TANDEM_SECRET_KEY="test-secret-key-0123456789",  # type: ignore[call-arg]
        TANDEM_SCHEDULER="off",
        TANDEM_PLAYGROUND="1",
        _env_file=None,
    )


@pytest.fixture
def demo_runtime(playground_settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    runtime = build_runtime(playground_settings, clock=clock)
    seed_demo(runtime)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def client(demo_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(demo_runtime.settings, runtime=demo_runtime)) as test_client:
        yield test_client


class Playground:
    """Speaks to the playground's JSON API the way its page does."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def say(self, person: str, text: str, source_message: int | None = None) -> dict[str, Any]:
        response = self.client.post(
            "/playground/command", json={"person": person, "text": text, "source_message": source_message}
        )
        assert response.status_code == 200, response.text
        return response.json()

    def inbox(self, person: str) -> dict[str, Any]:
        response = self.client.get("/playground/inbox", params={"person": person})
        assert response.status_code == 200, response.text
        return response.json()

    def card_with(self, person: str, command: str) -> int:
        """The outbox id of the card in ``person``'s inbox that has a button running ``command``."""
        html = self.inbox(person)["inbox_html"]
        for match in re.finditer(r'<article class="msg[^"]*"\s+data-outbox-id="(\d+)"(.*?)</article>', html, re.S):
            if f'data-command="{command}"' in match.group(2):
                return int(match.group(1))
        raise AssertionError(f"no card with a `{command}` button in {person}'s inbox")


@pytest.fixture
def playground(client: TestClient) -> Playground:
    return Playground(client)


def lead_id(reply_html: str) -> str:
    match = re.search(r"<strong>(L-\d+)</strong>", reply_html)
    assert match, reply_html
    return match.group(1)


# The dashboard: a workspace of people speaking through dispatch, and the real app over HTTP.


def sign_in_link(reply: Reply) -> str:
    """The URL of the dashboard sign-in link a `stats dashboard` answer holds."""
    for block in reply.blocks:
        for span in getattr(block, "text", ()):
            if isinstance(span, Link) and "/dashboard/signin" in span.url:
                return span.url
    raise AssertionError(f"no sign-in link in {reply}")


def local(url: str) -> str:
    """The path and query of a Tandem URL, for the test client (which serves every host)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def make_team(runtime: Runtime, team_id: str, people: tuple[str, ...], manager: str) -> Team:
    """A workspace whose first person is its admin and ``manager`` its manager; the others are reps."""
    team = Team(runtime, team_id=team_id)
    for who in people:
        team.say(who, "lead list")
    _set_role(runtime, team, people[0], "admin")
    assert team.say(people[0], f"tandem role {manager}@{team_id.lower()}.test manager").ok
    return team


@pytest.fixture
def acme(runtime: Runtime) -> Team:
    """Mara (admin), Rita and Sam (reps), Dana (manager) of Acme."""
    return make_team(runtime, "T-ACME", ("mara", "rita", "sam", "dana"), "dana")


@pytest.fixture
def web(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime.settings, runtime=runtime)) as test_client:
        yield test_client


def signed_in(web: TestClient, team: Team, who: str) -> TestClient:
    """``web`` holding ``who``'s dashboard session, signed in through the link `stats dashboard` gave them."""
    response = web.get(local(sign_in_link(team.say(who, "stats dashboard"))), follow_redirects=False)
    assert response.status_code == 303, response.text
    return web
