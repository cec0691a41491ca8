"""Competitive intel over Teams: a rep types `intel …` in a chat, the note reaches the marketing channel set with
`here` as a card that mentions the rep natively and shows hostile text as text; **More on Globex** on that post
answers the clicker in a message of its own and leaves the post as it was for everyone else."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi.testclient import TestClient

from bot.core.runtime import Runtime
from schedules.jobs.delivery import deliver_due
from tests.adapters.teams.conftest import BOT, MARKETER, REP, mention, message
from tests.adapters.teams.fake_connector import FakeConnector

THREAD = "19:marketing@thread.tacv2;messageid=1700000000009"
CHANNEL = "19:marketing@thread.tacv2"
HOSTILE = "<b>cut</b> prices **now** <at>Marta Marketer</at> [click](https://evil.test) <script>x</script>"


def submits(body: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body.get("attachments"))
    return found


def card_texts(body: dict[str, Any]) -> list[str]:
    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                texts.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body.get("attachments"))
    return texts


def test_intel_typed_in_teams_reaches_the_marketing_channel_as_text_and_more_answers_the_clicker(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    here = message(
        connector,
        "<at>Tandem</at> tandem settings marketing_channel here",
        user=MARKETER,
        name="Marta Marketer",
        conversation=THREAD,
        kind="channel",
        entities=[mention(BOT, "Tandem")],
    )
    assert teams_client.post("/api/messages", json=here).status_code == 200
    assert teams_client.post("/api/messages", json=message(connector, f"intel Globex {HOSTILE}")).status_code == 200
    answer = " ".join(card_texts(connector.sent()[-1].body))
    assert "Thanks — that's the first note on **Globex**." in answer and "Posted to the marketing channel" in answer

    connector.calls.clear()
    assert asyncio.run(deliver_due(teams_runtime, owner="test")).sent == 1
    [post] = connector.sent()
    assert post.conversation == CHANNEL
    texts = card_texts(post.body)
    assert any("**Intel on Globex** from <at>Rita Rep</at>" in t for t in texts)  # the rep, mentioned natively
    [entity] = post.body["attachments"][0]["content"]["msteams"]["entities"]
    assert (entity["text"], entity["mentioned"]["id"]) == ("<at>Rita Rep</at>", REP)
    note = next(t for t in texts if "prices" in t)
    assert "\\<b\\>cut\\</b\\> prices \\*\\*now\\*\\* \\<at\\>Marta Marketer\\</at\\>" in note  # shown, not markup
    assert "\\[click\\]\\(https://evil.test\\)" in note and "\\<script\\>" in note
    more = next(d for d in submits(post.body) if d["tandem_command"] == "intel show Globex")
    assert any(d["tandem_command"] == "intel Globex" for d in submits(post.body))  # Add intel, with its input

    connector.calls.clear()
    click = message(
        connector,
        "",
        user=MARKETER,
        name="Marta Marketer",
        conversation=THREAD,
        kind="channel",
        value=more,
        reply_to="1001",
    )
    assert teams_client.post("/api/messages", json=click).status_code == 200
    assert connector.updates() == []  # the channel post stays as everyone sees it
    [shown] = connector.sent()
    assert "**Globex** — 1 note, the latest first:" in json.dumps(shown.body, ensure_ascii=False)
