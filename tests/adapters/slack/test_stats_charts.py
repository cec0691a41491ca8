"""`/stats` in Slack: acknowledged at once and answered through ``response_url`` with Slack's native charts
(``data_visualization``: leads by source, hand-offs over the period) within Slack's limits — at most two a
message, six series each — and every figure as text beside them."""

from __future__ import annotations

import json
from datetime import timedelta

from adapters.slack.charts import MAX_CATEGORIES, MAX_CHARTS, MAX_SERIES
from adapters.slack.renderer import MAX_BLOCKS_MESSAGE
from tests.adapters.slack.conftest import SlackWire


def test_stats_answers_with_native_charts_within_slacks_limits(wire: SlackWire) -> None:
    clock = wire.runtime.clock
    for n, source in enumerate(("webinar", "webinar", "event", "partner")):
        response = wire.command("mara", "/lead", f"handoff Co{n} to:<@URITA> source:{source}")
        assert response.status_code == 200 and "Handed off" in json.dumps(response.json())
        clock.advance(timedelta(hours=3))  # type: ignore[attr-defined]
    assert "Accepted" in json.dumps(wire.command("rita", "/lead", "accept L-1").json())

    assert wire.command("mara", "/stats", "30d").status_code == 200  # acknowledged with nothing: the answer follows
    [answer] = wire.fake.wait_for("response")
    blocks = answer.params["blocks"]
    assert answer.params["response_type"] == "ephemeral" and len(blocks) <= MAX_BLOCKS_MESSAGE
    charts = [block for block in blocks if block["type"] == "data_visualization"]
    assert len(charts) == MAX_CHARTS  # the funnel, a third chart, is listed as text
    by_source, handoffs = charts
    assert by_source["title"] == "Leads by source" and by_source["chart"]["type"] == "bar"
    assert by_source["chart"]["axis_config"]["categories"] == ["webinar", "event", "partner"]
    assert [p["value"] for p in by_source["chart"]["series"][0]["data"]] == [2, 1, 1]
    assert handoffs["chart"]["type"] == "line"
    assert [s["name"] for s in handoffs["chart"]["series"]] == ["This period", "Period before"]
    for chart in charts:
        assert len(chart["chart"]["series"]) <= MAX_SERIES
        assert len(chart["chart"]["axis_config"]["categories"]) <= MAX_CATEGORIES
    text = json.dumps(blocks, ensure_ascii=False)
    assert "*webinar*\\n2" in text  # the figures beside the chart
    assert "Funnel: leads that reached each stage" in text and "*1 Approach*" in text
    assert "*Acceptance*\\n100% — 1 of 1 decided" in text
