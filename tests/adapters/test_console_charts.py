"""Chart → terminal: text bars with every figure beside its bar; a line chart also shows its trend."""

from __future__ import annotations

from adapters.console import render_text
from bot.core.replies import Reply, bar_chart, line_chart, series


def test_leads_by_source_prints_as_bars_with_their_figures() -> None:
    chart = bar_chart(
        "Leads by source",
        series("Leads", [("Web", 12), ("Events", 6), ("Partners", None)]),
        x_label="Source",
        unit="leads",
    )
    assert render_text(Reply(blocks=(chart,))).split("\n") == [
        "Leads by source",
        "  x: Source",
        "  Web      ████████████████████ 12 leads",
        "  Events   ██████████░░░░░░░░░░ 6 leads",
        "  Partners ░░░░░░░░░░░░░░░░░░░░ —",
    ]


def test_weekly_hand_offs_print_one_group_per_series_with_a_sparkline() -> None:
    chart = line_chart(
        "Weekly hand-offs",
        series("Web", [("W1", 0), ("W2", 7), ("W3", 14)]),
        series("Events", [("W1", 14), ("W2", None), ("W3", 0)]),
    )
    lines = render_text(Reply(blocks=(chart,))).split("\n")
    assert lines[1] == "  Web  ▁▅█"
    assert lines[2] == "    W1 ░░░░░░░░░░░░░░░░░░░░ 0"
    assert lines[4] == "    W3 ████████████████████ 14"
    assert lines[5] == "  Events  █ ▁"
    assert lines[7] == "    W2 ░░░░░░░░░░░░░░░░░░░░ —"


def test_hostile_labels_cannot_drive_the_terminal_and_long_ones_stay_whole() -> None:
    label = "\x1b[31mConference booth in Berlin, spring 2025\x1b[0m"
    out = render_text(Reply(blocks=(bar_chart("\x1b]0;pwned\x07Funnel", series("Leads", [(label, 3)])),)))
    assert "\x1b" not in out and "\x07" not in out
    assert "Conference booth in Berlin, spring 2025" in out and out.endswith(" 3")
