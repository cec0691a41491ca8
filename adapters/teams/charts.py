"""Chart → the Adaptive Card chart elements Teams draws natively (learn.microsoft.com, "Charts in Adaptive
Cards"), built from microsoft-teams-cards' typed models:

- a line chart → ``Chart.Line`` (one ``legend`` + ``values`` [{x, y}] per series);
- bars of one series → ``Chart.VerticalBar`` ([{x, y}]), or ``Chart.HorizontalBar`` when the labels are long or
  many (source names, the stage funnel read better sideways);
- bars of several series → ``Chart.VerticalBar.Grouped`` (one ``legend`` + ``values`` per series).

Each element carries ``fallback: "drop"``: a client without charts shows only the figures the card lists beside
it. Chart strings are plain text, not markdown, so they are not backslash-escaped; angle brackets become ‹ ›
like the card's fallback text, and control characters are dropped."""

from __future__ import annotations

import re

from microsoft_teams.cards import (
    BarChartDataValue,
    CardElement,
    GroupedVerticalBarChart,
    GroupedVerticalBarChartData,
    HorizontalBarChart,
    HorizontalBarChartDataValue,
    LineChart,
    LineChartData,
    LineChartValue,
    VerticalBarChart,
    VerticalBarChartDataValue,
)

from bot.core.replies import Chart

LONG_LABEL = 12
MANY_BARS = 8
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def chart_text(text: str) -> str:
    return _UNPRINTABLE.sub(" ", text.replace("<", "‹").replace(">", "›")).strip()


def chart_element(chart: Chart) -> CardElement | None:
    """The native chart element for ``chart``; None when it has nothing to draw. Points without data are left
    out of the drawing (the figures say ``—``)."""
    categories = chart.categories
    if not categories or not chart.series:
        return None
    title = chart_text(chart.title) or None
    x_title = chart_text(chart.x_label) or None
    y_title = chart_text(chart.y_label or chart.unit) or None
    labels = {category: chart_text(category) for category in categories}
    if chart.shape == "line":
        lines = [
            LineChartData(
                legend=chart_text(line.name),
                values=[
                    LineChartValue(x=labels[category], y=value)
                    for category in categories
                    if (value := line.value_at(category)) is not None
                ],
            )
            for line in chart.series
        ]
        return LineChart(
            title=title,
            x_axis_title=x_title,
            y_axis_title=y_title,
            data=lines,
            color_set="categorical",
            fallback="drop",
        )
    if len(chart.series) > 1:
        groups = [
            GroupedVerticalBarChartData(
                legend=chart_text(line.name),
                values=[
                    BarChartDataValue(x=labels[category], y=value)
                    for category in categories
                    if (value := line.value_at(category)) is not None
                ],
            )
            for line in chart.series
        ]
        return GroupedVerticalBarChart(
            title=title,
            x_axis_title=x_title,
            y_axis_title=y_title,
            data=groups,
            color_set="categorical",
            show_bar_values=True,
            fallback="drop",
        )
    [line] = chart.series
    points = [(labels[category], value) for category in categories if (value := line.value_at(category)) is not None]
    if len(points) > MANY_BARS or any(len(label) > LONG_LABEL for label, _ in points):
        return HorizontalBarChart(
            title=title,
            x_axis_title=x_title,
            y_axis_title=y_title,
            data=[HorizontalBarChartDataValue(x=label, y=value) for label, value in points],
            color_set="categorical",
            display_mode="AbsoluteWithAxis",
            fallback="drop",
        )
    return VerticalBarChart(
        title=title,
        x_axis_title=x_title,
        y_axis_title=y_title,
        data=[VerticalBarChartDataValue(x=label, y=value) for label, value in points],
        color_set="categorical",
        show_bar_values=True,
        fallback="drop",
    )
