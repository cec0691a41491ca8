"""A Chart is pure data that survives the outbox, and its figures as text hold every value, saying ``—``
where there is no data (never 0)."""

from __future__ import annotations

from bot.core.replies import (
    Chart,
    Reply,
    bar_chart,
    chart_figures,
    figure,
    from_json,
    line_chart,
    plain_text,
    section,
    series,
    to_json,
)


def test_figures_read_like_people_write_them() -> None:
    assert figure(1250, "leads") == "1,250 leads"
    assert figure(12.5, "h") == "12.5 h"
    assert figure(40, "%") == "40%"
    assert figure(0.25) == "0.25" and figure(2.50) == "2.5"
    assert figure(-3) == "-3"
    assert figure(None, "leads") == "—"


def test_every_series_is_listed_under_every_label_in_first_seen_order() -> None:
    chart = line_chart(
        "Weekly hand-offs", series("Web", [("W1", 4), ("W2", 6)]), series("Events", [("W2", 1), ("W3", 2)])
    )
    assert chart.categories == ("W1", "W2", "W3")
    assert [(label, plain_text(value)) for label, value in chart_figures(chart).items] == [
        ("W1", "Web 4 · Events —"),
        ("W2", "Web 6 · Events 1"),
        ("W3", "Web — · Events 2"),
    ]


def test_a_stored_chart_reads_back_the_same_even_without_data_points() -> None:
    reply = Reply(
        blocks=(
            section("Stats"),
            bar_chart(
                "Median hours to accept",
                series("Hours", [("Web", 3.5), ("Events", float("nan"))]),
                unit="h",
                x_label="Source",
            ),
        )
    )
    back = from_json(to_json(reply))
    assert back == reply
    [_, chart] = back.blocks
    assert isinstance(chart, Chart) and chart.series[0].points == (("Web", 3.5), ("Events", None))


def test_a_chart_only_reply_summarises_as_its_title_and_figures() -> None:
    chart = bar_chart("Leads by source", series("Leads", [("Web", 12), ("Events", 5)]), unit="leads")
    assert Reply(blocks=(chart,)).summary == "Leads by source — Web: 12 leads, Events: 5 leads"
    assert Reply(blocks=(section("Stats for 30 days"), chart)).summary == "Stats for 30 days"
