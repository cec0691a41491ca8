"""Chart → Slack: the native ``data_visualization`` block within Slack's limits (6 series, 20 labels of 20
characters, a 50-character title, 2 charts a message, messages only), and every figure as text beside it."""

from __future__ import annotations

import json
import re
from typing import Any

from adapters.slack.charts import MAX_CATEGORIES, MAX_NAME, MAX_SERIES, MAX_TITLE
from adapters.slack.renderer import fallback_text, render_blocks
from bot.core.replies import Reply, bar_chart, line_chart, section, series

HOSTILE = "<!channel> <script>alert(1)</script> <@U999> *x*"


def _charts(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [block for block in blocks if block["type"] == "data_visualization"]


def _field_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [
        field["text"]
        for block in blocks
        if block["type"] == "section" and "fields" in block
        for field in block["fields"]
    ]


def test_leads_by_source_is_a_native_bar_chart_with_its_figures_beside_it() -> None:
    chart = bar_chart(
        "Leads by source",
        series("Leads", [("Web", 12), ("Events", 5), ("Partners", 2.5)]),
        x_label="Source",
        y_label="Leads",
        unit="leads",
    )
    blocks = render_blocks(Reply(blocks=(section("Last 30 days"), chart)))
    [native] = _charts(blocks)
    assert native == {
        "type": "data_visualization",
        "title": "Leads by source",
        "chart": {
            "type": "bar",
            "series": [
                {
                    "name": "Leads",
                    "data": [
                        {"label": "Web", "value": 12},
                        {"label": "Events", "value": 5},
                        {"label": "Partners", "value": 2.5},
                    ],
                }
            ],
            "axis_config": {"categories": ["Web", "Events", "Partners"], "x_label": "Source", "y_label": "Leads"},
        },
    }
    assert blocks.index(native) == 1
    assert _field_texts(blocks) == ["*Web*\n12 leads", "*Events*\n5 leads", "*Partners*\n2.5 leads"]


def test_weekly_hand_offs_are_a_line_chart_with_one_value_per_week_for_every_series() -> None:
    chart = line_chart(
        "Weekly hand-offs",
        series("Web", [("W1", 4), ("W2", 6), ("W3", 3)]),
        series("Events", [("W2", 1), ("W3", None)]),
    )
    [native] = _charts(render_blocks(Reply(blocks=(chart,))))
    assert native["chart"]["type"] == "line"
    assert native["chart"]["axis_config"]["categories"] == ["W1", "W2", "W3"]
    web, events = native["chart"]["series"]
    assert [point["label"] for point in events["data"]] == ["W1", "W2", "W3"]  # Slack needs a value per label
    assert [point["value"] for point in events["data"]] == [0, 1, 0]
    figures = _field_texts(render_blocks(Reply(blocks=(chart,))))
    assert figures[0] == "*W1*\nWeb 4 · Events —"  # the text says there is no data, never 0


def test_limits_are_kept_and_the_text_keeps_every_figure() -> None:
    lines = [
        series(
            f"Campaign number {n} of the quarter", [(f"Source with a long name {k}", n * 100 + k) for k in range(31)]
        )
        for n in range(8)
    ]
    chart = bar_chart("Average quality and share scored two or less, by campaign and source", *lines)
    blocks = render_blocks(Reply(blocks=(chart,)))
    [native] = _charts(blocks)
    assert len(native["title"]) <= MAX_TITLE and native["title"].endswith("…")
    assert len(native["chart"]["series"]) == MAX_SERIES
    categories = native["chart"]["axis_config"]["categories"]
    assert len(categories) == MAX_CATEGORIES and len(set(categories)) == MAX_CATEGORIES
    names = [line["name"] for line in native["chart"]["series"]]
    assert len(set(names)) == MAX_SERIES  # cut names stay distinct
    for text in [*categories, *names]:
        assert len(text) <= MAX_NAME
    for line in native["chart"]["series"]:
        assert [point["label"] for point in line["data"]] == categories
    note = next(block for block in blocks if block["type"] == "context")
    assert "20 of 31 labels and 6 of 8 series" in note["elements"][0]["text"]

    figures = "\n".join(_field_texts(blocks))
    for n in range(8):
        for k in range(31):
            assert f"Campaign number {n} of the quarter {n * 100 + k}" in figures
    assert all(len(block.get("fields", ())) <= 10 for block in blocks)


def test_a_message_holds_two_native_charts_and_the_rest_as_text() -> None:
    charts = tuple(bar_chart(f"Chart {n}", series("Leads", [("Web", n)])) for n in range(4))
    blocks = render_blocks(Reply(blocks=charts))
    assert [block["title"] for block in _charts(blocks)] == ["Chart 0", "Chart 1"]
    titles = [block["text"]["text"] for block in blocks if block["type"] == "section" and "text" in block]
    assert titles == ["*Chart 2*", "*Chart 3*"]
    assert _field_texts(blocks) == ["*Web*\n0", "*Web*\n1", "*Web*\n2", "*Web*\n3"]


def test_app_home_shows_charts_as_their_figures() -> None:
    blocks = render_blocks(
        Reply(blocks=(bar_chart("Funnel", series("Leads", [("new", 9), ("won", 2)])),)),
        max_blocks=100,
        native_charts=False,
    )
    assert not _charts(blocks)
    assert blocks[0]["text"]["text"] == "*Funnel*"
    assert _field_texts(blocks) == ["*new*\n9", "*won*\n2"]


def test_hostile_labels_cannot_ping_or_link_in_the_chart_or_its_text() -> None:
    chart = bar_chart(HOSTILE, series(HOSTILE, [(HOSTILE, 1), (HOSTILE + "2", 2)]), x_label=HOSTILE, y_label=HOSTILE)
    blocks = render_blocks(Reply(blocks=(chart,)))
    wire = json.dumps(blocks, ensure_ascii=False)
    for forbidden in ("<!channel>", "<script>", "<@U999>"):
        assert forbidden not in wire
    [native] = _charts(blocks)
    assert native["title"].startswith("‹!channel› ‹script›")
    assert re.search(r"[<>]", json.dumps(native["chart"], ensure_ascii=False)) is None
    assert "&lt;!channel&gt;" in _field_texts(blocks)[0]
    assert "<!channel>" not in fallback_text(Reply(blocks=(chart,)))


def test_a_chart_without_points_is_its_title_alone() -> None:
    blocks = render_blocks(Reply(blocks=(bar_chart("No leads yet"),)))
    assert blocks == [{"type": "section", "text": {"type": "mrkdwn", "text": "*No leads yet*"}}]


def test_a_chart_only_reply_notifies_with_its_figures() -> None:
    chart = bar_chart("Leads by source", series("Leads", [("Web", 12), ("Events", 5)]), unit="leads")
    assert fallback_text(Reply(blocks=(chart,))) == "Leads by source — Web: 12 leads, Events: 5 leads"
