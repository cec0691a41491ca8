"""A playground app over a seeded demo workspace, driven over real HTTP (Starlette's test client)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.runtime import Runtime
from bot.demo import seed_demo
from bot.server import build_runtime, create_app


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
