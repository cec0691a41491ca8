"""Talk to Tandem exactly as Slack does: signed form-encoded slash commands, ``payload=`` interactivity
bodies and JSON event envelopes, against the real app, with a loopback fake Slack Web API."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from starlette.testclient import TestClient

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.runtime import Runtime
from bot.server import build_runtime, create_app
from tests.adapters.slack.fake_slack import FakeSlack

SECRET = "slack-signing-secret-for-tests"
PEOPLE = {"mara": "UMARA", "rita": "URITA", "sam": "USAM", "eve": "UEVE"}


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


@dataclass
class SlackWire:
    """A Slack workspace's side of the conversation."""

    http: TestClient
    fake: FakeSlack
    runtime: Runtime
    team_id: str = "T1"
    _ids: Iterator[int] = field(default_factory=lambda: count(1))

    def settle(self) -> None:
        """Wait until the work Slack's ack left running (lazy listeners, slow commands' follow-ups) is done."""
        assert self.http.portal is not None
        self.http.portal.call(self.http.app.state.slack.bridge.drain)

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        ts = int(time.time()) if timestamp is None else timestamp
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature if signature is not None else sign(body, ts),
        }
        sent.update(headers or {})
        return self.http.post("/slack/events", content=body.encode(), headers=sent)

    def command(
        self, who: str, command: str, text: str = "", *, team_id: str | None = None, channel: str = "C0GENERAL"
    ) -> httpx.Response:
        body = urlencode(
            {
                "token": "legacy",
                "team_id": team_id or self.team_id,
                "team_domain": "acme",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": PEOPLE.get(who, who),
                "user_name": who,
                "command": command,
                "text": text,
                "api_app_id": "A1",
                "is_enterprise_install": "false",
                "response_url": self.fake.response_url(f"cmd{next(self._ids)}"),
                "trigger_id": f"trigger.{who}",
            }
        )
        return self.post(body, "application/x-www-form-urlencoded")

    def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def click(
        self,
        who: str,
        message: dict[str, Any],
        action: dict[str, Any],
        *,
        channel: str,
        is_ephemeral: bool = False,
        team_id: str | None = None,
    ) -> httpx.Response:
        team = team_id or self.team_id
        return self.interact(
            {
                "type": "block_actions",
                "api_app_id": "A1",
                "trigger_id": f"trigger.click.{who}",
                "user": {"id": PEOPLE.get(who, who), "username": who, "name": who, "team_id": team},
                "team": {"id": team, "domain": "acme"},
                "container": {
                    "type": "message",
                    "message_ts": message.get("ts", "1.0"),
                    "channel_id": channel,
                    "is_ephemeral": is_ephemeral,
                },
                "channel": {"id": channel, "name": "directmessage" if channel.startswith("D") else "general"},
                "message": {
                    "type": "message",
                    "ts": message.get("ts", "1.0"),
                    "blocks": message.get("blocks", []),
                    "text": message.get("text", ""),
                },
                "response_url": self.fake.response_url(f"click{next(self._ids)}"),
                "actions": [{**action, "type": "button", "action_ts": "1.1"}],
            }
        )

    def submit(
        self, who: str, view: dict[str, Any], values: dict[str, Any], *, team_id: str | None = None
    ) -> httpx.Response:
        team = team_id or self.team_id
        state = {"values": {block: {"v": value} for block, value in values.items()}}
        return self.interact(
            {
                "type": "view_submission",
                "api_app_id": "A1",
                "user": {"id": PEOPLE.get(who, who), "username": who, "name": who, "team_id": team},
                "team": {"id": team, "domain": "acme"},
                "view": {**view, "id": "V1", "team_id": team, "state": state},
            }
        )

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str = "Ev1",
        team_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        team = team_id or self.team_id
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": team,
                "api_app_id": "A1",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
            }
        )
        return self.post(body, "application/json", headers=headers)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    for who, user in PEOPLE.items():
        fake.add_user(user, who.capitalize(), f"{who}@acme.test")
    yield fake
    fake.stop()


@pytest.fixture
def slack_settings(settings: Settings, fake_slack: FakeSlack) -> Settings:
    return settings.model_copy(
        update={
            "slack_signing_secret": SECRET,
            "slack_bot_token": "xoxb-test",
            "slack_api_url": fake_slack.api_url,
            "admins_raw": "UMARA",
        }
    )


@pytest.fixture
def slack_runtime(slack_settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    runtime = build_runtime(slack_settings, clock=clock)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def wire(slack_runtime: Runtime, fake_slack: FakeSlack) -> Iterator[SlackWire]:
    with TestClient(create_app(slack_runtime.settings, runtime=slack_runtime)) as http:
        yield SlackWire(http=http, fake=fake_slack, runtime=slack_runtime)
