"""Chart → Adaptive Card: Teams' native ``Chart.*`` elements (dropped by clients without charts) with every
figure as facts beside them; chart strings are plain text that cannot carry markup or ``<at>`` tags."""

from __future__ import annotations

import json
import re
from typing import Any

from microsoft_teams.cards import AdaptiveCard

from adapters.teams.cards import render_card, render_message
from bot.core.replies import Chart, Reply, bar_chart, line_chart, section, series

HOSTILE = "<script>alert(1)</script> <at>Everyone</at> **boss** <!channel>"


def _body(*blocks: Chart) -> list[dict[str, Any]]:
    card, _ = render_card(Reply(blocks=(section("Last 30 days"), *blocks)))
    data = card.model_dump(by_alias=True, exclude_none=True)
    AdaptiveCard.model_validate(data)  # what we send parses back as a card
    return data["body"][1:]  # type: ignore[no-any-return]


def test_leads_by_source_is_a_vertical_bar_chart_with_its_figures_as_facts() -> None:
    chart, facts = _body(
        bar_chart("Leads by source", series("Leads", [("Web", 12), ("Events", 5)]), x_label="Source", unit="leads")
    )
    assert chart == {
        "type": "Chart.VerticalBar",
        "title": "Leads by source",
        "xAxisTitle": "Source",
        "yAxisTitle": "leads",
        "colorSet": "categorical",
        "showBarValues": True,
        "fallback": "drop",
        "data": [{"x": "Web", "y": 12.0}, {"x": "Events", "y": 5.0}],
    }
    assert facts == {
        "type": "FactSet",
        "facts": [{"title": "Web", "value": "12 leads"}, {"title": "Events", "value": "5 leads"}],
    }


def test_the_stage_funnel_with_long_labels_lies_on_its_side() -> None:
    stages = ["new", "contacted", "meeting booked", "proposal sent", "negotiation", "won"]
    funnel = series("Leads", [(stage, 10 - n) for n, stage in enumerate(stages)])
    [chart, _facts] = _body(bar_chart("Stage funnel", funnel))
    assert chart["type"] == "Chart.HorizontalBar" and chart["displayMode"] == "AbsoluteWithAxis"
    assert [point["x"] for point in chart["data"]] == stages


def test_several_series_of_bars_are_grouped() -> None:
    [chart, facts] = _body(
        bar_chart(
            "Quality by campaign",
            series("Spring", [("Web", 4), ("Events", 3)]),
            series("Summer", [("Web", 2), ("Events", None)]),
        )
    )
    assert chart["type"] == "Chart.VerticalBar.Grouped"
    assert [group["legend"] for group in chart["data"]] == ["Spring", "Summer"]
    assert chart["data"][1]["values"] == [{"x": "Web", "y": 2.0}]  # no bar where there is no data
    assert facts["facts"][1] == {"title": "Events", "value": "Spring 3 · Summer —"}


def test_weekly_hand_offs_are_a_line_chart() -> None:
    [chart, facts] = _body(
        line_chart("Weekly hand-offs", series("Hand-offs", [("W1", 4), ("W2", 6)]), y_label="Hand-offs")
    )
    assert chart["type"] == "Chart.Line" and chart["fallback"] == "drop"
    assert chart["data"] == [{"legend": "Hand-offs", "values": [{"x": "W1", "y": 4.0}, {"x": "W2", "y": 6.0}]}]
    assert chart["yAxisTitle"] == "Hand-offs"
    assert [fact["value"] for fact in facts["facts"]] == ["4", "6"]


def test_hostile_labels_stay_text_in_the_chart_and_its_facts() -> None:
    [chart, facts] = _body(bar_chart(HOSTILE, series(HOSTILE, [(HOSTILE, 1)]), x_label=HOSTILE))
    wire = json.dumps(chart, ensure_ascii=False)
    assert re.search(r"[<>]", wire) is None  # no tag of any kind, so no <at> ping and no HTML
    assert chart["title"].startswith("‹script›")
    [fact] = facts["facts"]
    assert re.search(r"(?<!\\)[<>]", fact["title"]) is None and "\\<script\\>" in fact["title"]
    card, entities = render_card(Reply(blocks=(bar_chart(HOSTILE, series("Leads", [("Web", 1)])),)))
    assert entities == [] and card.msteams is not None and not card.msteams.entities


def test_a_chart_reply_is_a_card_whose_preview_holds_the_figures() -> None:
    activity = render_message(Reply(blocks=(bar_chart("Leads by source", series("Leads", [("Web", 12)])),)))
    wire = activity.model_dump(by_alias=True, exclude_none=True)
    assert wire["summary"] == "Leads by source — Web: 12"
    [attachment] = wire["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"


def test_a_chart_without_points_is_its_title_alone() -> None:
    [title] = _body(bar_chart("No leads yet"))
    assert title == {"type": "TextBlock", "text": "**No leads yet**", "wrap": True, "weight": "Bolder"}
