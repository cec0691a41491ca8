"""Sales tools over Teams: `tool add` and `tool <query>` typed in a chat; the answer's links go through /t/<id>
and a hostile title is shown as text."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.adapters.teams.conftest import MARKETER, message
from tests.adapters.teams.fake_connector import FakeConnector


def test_a_rep_finds_a_tool_in_teams_and_its_link_counts(teams_client: TestClient, connector: FakeConnector) -> None:
    added = message(
        connector,
        'tool add "<at>x</at> **Pricing** deck <b>now</b>" url:https://drive.example.com/p tags:pricing',
        user=MARKETER,
        name="Marta Marketer",
    )
    assert teams_client.post("/api/messages", json=added).status_code == 200
    assert "Published" in connector.texts()[-1]
    assert teams_client.post("/api/messages", json=message(connector, "tool pricng deck")).status_code == 200
    answer = connector.texts()[-1]
    assert "<b>" not in answer and "<at>x</at>" not in answer and "**Pricing**" not in answer
    assert "<at>Marta Marketer</at>" in answer  # the owner, mentioned natively
    [url] = re.findall(r"\((http://127\.0\.0\.1:8000/t/\d+\?m=[^)\s\"]+)\)", answer)
    opened = teams_client.get(url.replace("http://127.0.0.1:8000", ""), follow_redirects=False)
    assert opened.status_code == 302 and opened.headers["location"] == "https://drive.example.com/p"
