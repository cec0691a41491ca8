"""A meeting's reminder in Teams goes to the sales and the marketing channel as one post delivered to each in turn;
its **Agenda** button works in both channels alike: the rep who presses it in either gets the agenda alone, in
their own chat, and the post stays as everyone sees it."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from bot.core.clock import FakeClock
from bot.core.runtime import Runtime
from schedules.jobs.delivery import deliver_due
from schedules.registry import run_job_now
from tests.adapters.teams.conftest import BOT, MARKETER, REP, mention, message
from tests.adapters.teams.fake_connector import Call, FakeConnector

SALES = "19:sales@thread.tacv2"
MARKETING = "19:marketing@thread.tacv2"


def _say(client: TestClient, connector: FakeConnector, text: str, **kw: Any) -> None:
    assert client.post("/api/messages", json=message(connector, text, **kw)).status_code == 200


def _channel_here(client: TestClient, connector: FakeConnector, key: str, channel: str) -> None:
    _say(
        client,
        connector,
        f"<at>Tandem</at> tandem settings {key} here",
        user=MARKETER,
        name="Marta Marketer",
        conversation=f"{channel};messageid=1700000000001",
        kind="channel",
        entities=[mention(BOT, "Tandem")],
    )


def _submits(node: object) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node["data"]] if node.get("type") == "Action.Submit" else []
        return found + [data for value in node.values() for data in _submits(value)]
    if isinstance(node, list):
        return [data for value in node for data in _submits(value)]
    return []


def _agenda_button(call: Call) -> dict[str, Any]:
    assert "starts in 1 hour" in json.dumps(call.body)
    [data] = [data for data in _submits(call.body) if data.get("tandem_command") == "meeting agenda"]
    return data


def test_the_agenda_button_on_the_reminder_answers_the_rep_alone_in_either_channel(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime, clock: FakeClock
) -> None:
    _channel_here(teams_client, connector, "sales_channel", SALES)
    _channel_here(teams_client, connector, "marketing_channel", MARKETING)
    _say(teams_client, connector, "lead list")  # Rita's own chat with Tandem
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))
    _say(teams_client, connector, "meeting schedule 2026-03-20 15:00 Q1 review", user=MARKETER, name="Marta Marketer")
    assert asyncio.run(deliver_due(teams_runtime, owner="test")).sent == 2  # the booking, announced in both
    clock.set(datetime(2026, 3, 20, 14, 1, tzinfo=UTC))  # an hour before 15:00, in the workspace's zone (UTC)
    assert "reminded 1" in (asyncio.run(run_job_now(teams_runtime, "meetings")).result or "")
    connector.calls.clear()
    assert asyncio.run(deliver_due(teams_runtime, owner="test")).sent == 2
    sales, marketing = connector.sent()
    assert (sales.conversation, marketing.conversation) == (SALES, MARKETING)
    assert _agenda_button(sales) == _agenda_button(marketing)  # one post: one outbox row behind both

    for channel in (SALES, MARKETING):
        connector.calls.clear()
        thread = f"{channel};messageid=1700000000777"
        value = _agenda_button(sales)
        _say(teams_client, connector, "", value=value, reply_to="1700000000777", conversation=thread, kind="channel")
        assert connector.updates() == []  # the post stays as everyone sees it
        [answer] = connector.sent()
        assert answer.conversation == f"a:chat-{REP}", channel  # only Rita sees her answer
        assert "Agenda" in json.dumps(answer.body)
