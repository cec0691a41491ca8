"""Teams fixtures: the fake Bot Connector, Teams-enabled settings and app, and real-shaped activities."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.runtime import Runtime
from bot.server import build_runtime, create_app
from tests.adapters.teams.fake_connector import ConnectorServer, FakeConnector

TENANT = "7a1b2c3d-0000-4000-8000-00000000aaaa"
BOT = "28:tandem-bot"
MARKETER = "29:marta-marketer"
REP = "29:rita-rep"
_ids = itertools.count(1)


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    with ConnectorServer() as fake:
        fake.roster.update(
            {
                MARKETER: {
                    "id": MARKETER,
                    "name": "Marta Marketer",
                    "aadObjectId": "aad-marta",
                    "email": "marta@acme.test",
                    "userPrincipalName": "marta@acme.test",
                },
                REP: {
                    "id": REP,
                    "name": "Rita Rep",
                    "aadObjectId": "aad-rita",
                    "email": "rita@acme.test",
                    "userPrincipalName": "rita@acme.test",
                },
            }
        )
        yield fake


def teams_settings(database_url: str, *, admins: str = MARKETER, **extra: str) -> Settings:
    return Settings(
        DATABASE_URL=database_url,
        TANDEM_SECRET_KEY="test-secret-key-0123456789",  # type: ignore[call-arg]
        TANDEM_SCHEDULER="off",
        TEAMS_ENABLED="1",
        TANDEM_ADMINS=admins,
        _env_file=None,
        **extra,
    )


@pytest.fixture
def teams_runtime(database_url: str, clock: FakeClock) -> Iterator[Runtime]:
    runtime = build_runtime(teams_settings(database_url), clock=clock)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def teams_client(teams_runtime: Runtime) -> Iterator[TestClient]:
    app = create_app(teams_runtime.settings, runtime=teams_runtime)
    with TestClient(app) as client:
        yield client


def message(
    connector: FakeConnector,
    text: str = "",
    *,
    user: str = REP,
    name: str = "Rita Rep",
    conversation: str | None = None,
    kind: str = "personal",
    tenant: str | None = TENANT,
    entities: list[dict[str, Any]] | None = None,
    value: Any = None,
    reply_to: str | None = None,
    aad: str | None = None,
) -> dict[str, Any]:
    """A Bot Framework message activity as Teams sends it."""
    conversation = conversation or f"a:chat-{user}"
    activity: dict[str, Any] = {
        "type": "message",
        "id": str(next(_ids) + 1700000000000),
        "timestamp": "2026-03-10T10:00:00.000Z",
        "serviceUrl": connector.url,
        "channelId": "msteams",
        "from": {"id": user, "name": name, "aadObjectId": aad or f"aad-{user[3:]}"},
        "conversation": {"id": conversation, "conversationType": kind, "tenantId": tenant},
        "recipient": {"id": BOT, "name": "Tandem"},
        "text": text,
        "textFormat": "plain",
        "locale": "en-US",
        "channelData": {"tenant": {"id": tenant}} if tenant else {},
        "entities": entities or [],
    }
    if kind == "channel":
        activity["channelData"].update(
            {
                "team": {"id": "19:team-general@thread.tacv2", "name": "Acme Sales"},
                "channel": {"id": conversation.split(";")[0]},
            }
        )
    if value is not None:
        activity["value"] = value
    if reply_to:
        activity["replyToId"] = reply_to
    return activity


def mention(user_id: str, name: str) -> dict[str, Any]:
    return {"type": "mention", "text": f"<at>{name}</at>", "mentioned": {"id": user_id, "name": name}}
