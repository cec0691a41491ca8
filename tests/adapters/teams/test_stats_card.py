"""`stats` in Teams: one Adaptive Card with Teams' native charts (leads by source, hand-offs over the period, the
funnel) and every figure as text beside them."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.adapters.teams.conftest import MARKETER, message
from tests.adapters.teams.fake_connector import FakeConnector


def test_stats_answers_with_adaptive_card_charts_and_their_figures(
    teams_client: TestClient, connector: FakeConnector
) -> None:
    for company in ("Acme", "Globex"):
        handoff = message(connector, f"lead handoff {company} source:webinar", user=MARKETER, name="Marta Marketer")
        assert teams_client.post("/api/messages", json=handoff).status_code == 200
    asked = message(connector, "stats 7d", user=MARKETER, name="Marta Marketer")
    assert teams_client.post("/api/messages", json=asked).status_code == 200
    reply = connector.sent()[-1]
    [attachment] = reply.body["attachments"]
    card = attachment["content"]
    kinds = [element["type"] for element in card["body"]]
    assert "Chart.VerticalBar" in kinds and "Chart.Line" in kinds
    assert "Chart.HorizontalBar" in kinds  # the funnel's stage names are long: it lies on its side
    [by_source] = [e for e in card["body"] if e["type"] == "Chart.VerticalBar"]
    assert by_source["title"] == "Leads by source" and by_source["data"] == [{"x": "webinar", "y": 2.0}]
    assert all(e.get("fallback") == "drop" for e in card["body"] if e["type"].startswith("Chart."))
    text = json.dumps(card, ensure_ascii=False)
    assert '"title": "webinar", "value": "2"' in text  # the figures, for clients without charts
    assert "Hand-offs: 2" in text or '"title": "Hand-offs", "value": "2' in text
