"""The pulse survey in Teams: the question arrives as an Adaptive Card in the rep's chat, a score button answers
and the card is updated to say so (with the buttons still there to change it), and the comment is typed in the
card's own text box."""

from __future__ import annotations

import asyncio
import json

from fastapi.testclient import TestClient
from sqlmodel import select

from bot.core.runtime import Runtime
from schedules.jobs.delivery import deliver_due
from schedules.registry import run_job_now
from storage.models import SurveyAnswer
from tests.adapters.teams.conftest import REP, message
from tests.adapters.teams.fake_connector import FakeConnector
from tests.adapters.teams.test_proactive import _card_data


def _input_of(card: dict) -> dict:  # type: ignore[type-arg]
    """The Input.Text inside the card's ShowCard (the comment box)."""
    found: list[dict] = []  # type: ignore[type-arg]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Input.Text":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("attachments"))
    [box] = found
    return box


def test_a_rep_answers_and_comments_on_the_survey_card_in_teams(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    assert teams_client.post("/api/messages", json=message(connector, "lead list mine")).status_code == 200
    firing = asyncio.run(run_job_now(teams_runtime, "survey"))
    assert firing.result and firing.result.startswith("asked 1 rep")
    asyncio.run(deliver_due(teams_runtime, owner="test"))
    [card] = [c for c in connector.sent() if c.conversation == f"a:chat-{REP}" and "Pulse survey" in json.dumps(c.body)]
    commands = {d["tandem_command"]: d for d in _card_data(card.body)}
    assert set(commands) == {
        *(f"tandem survey answer {n} quarter:2026-Q1" for n in range(1, 6)),
        "tandem survey comment quarter:2026-Q1",
    }
    box = _input_of(card.body)
    assert box["isRequired"] is True and "Shown without your name" in box["label"]

    click = message(connector, "", value=commands["tandem survey answer 4 quarter:2026-Q1"], reply_to="2001")
    assert teams_client.post("/api/messages", json=click).status_code == 200
    [update] = connector.updates()
    assert update.path == f"/v3/conversations/a:chat-{REP}/activities/2001"
    shown = json.dumps(update.body, ensure_ascii=False)
    assert "Thanks — you answered **4** for Q1 2026" in shown
    assert "tandem survey answer 3 quarter:2026-Q1" in [d["tandem_command"] for d in _card_data(update.body)]

    comment = commands["tandem survey comment quarter:2026-Q1"]
    typed = message(connector, "", value={**comment, "tandem_text": "More <at>x</at> case studies, **please**"})
    assert teams_client.post("/api/messages", json=typed).status_code == 200
    with teams_runtime.db.session() as session:
        [row] = session.exec(select(SurveyAnswer)).all()
        assert (row.score, row.comment) == (4, "More <at>x</at> case studies, **please**")
