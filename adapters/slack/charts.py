"""Chart → Slack's native ``data_visualization`` block, cut to fit Slack's limits so Slack never rejects the
message; the renderer lists every figure as text beside it, so nothing cut here is lost to the reader.

The shape follows docs.slack.dev/reference/block-kit/blocks/data-visualization-block as the SDKs model it
(python-slack-sdk #1899, slack-messaging, slack-morphism)::

    {"type": "data_visualization", "title": "…",                      # ≤ 50 characters
     "chart": {"type": "bar" | "line",
               "series": [{"name": "…", "data": [{"label": "…", "value": 12}]}],   # 1–6 series, unique names
               "axis_config": {"categories": ["…"], "x_label": "…", "y_label": "…"}}}

Category labels, point labels and series names are at most 20 characters, the axis labels 50; every series has
one finite value per category, in category order (at most 20). A message holds at most two of these blocks, and
they exist only in messages (not App Home or modals)."""

from __future__ import annotations

import re
from typing import Any

from bot.core.replies import Chart

MAX_CHARTS = 2
MAX_SERIES = 6
MAX_CATEGORIES = 20
MAX_TITLE = 50
MAX_AXIS_LABEL = 50
MAX_NAME = 20

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def chart_text(text: str, limit: int) -> str:
    """Chart strings are plain text, not mrkdwn: angle brackets become ‹ › (nothing can ping or link), line
    breaks become spaces, and long text ends in an ellipsis."""
    text = _UNPRINTABLE.sub(" ", text.replace("<", "‹").replace(">", "›")).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unique(names: list[str], limit: int) -> list[str]:
    """Cut names stay distinct (Slack refuses two series or categories cut to the same text): ``Conference b… 2``."""
    out: list[str] = []
    for name in names:
        short = chart_text(name, limit) or "—"
        number = 2
        while short in out:
            suffix = f" {number}"
            short = (chart_text(name, limit - len(suffix)) or "—") + suffix
            number += 1
        out.append(short)
    return out


def data_visualization(chart: Chart) -> dict[str, Any] | None:
    """The native block for the first 6 series and 20 labels of ``chart``; None when it has nothing to draw.
    A point without data is drawn as 0 (Slack needs a value per label); the figures beside it say ``—``."""
    categories = chart.categories[:MAX_CATEGORIES]
    lines = chart.series[:MAX_SERIES]
    if not categories or not lines:
        return None
    labels = _unique(list(categories), MAX_NAME)
    names = _unique([line.name for line in lines], MAX_NAME)
    series = [
        {
            "name": name,
            "data": [
                {"label": label, "value": _number(line.value_at(category))}
                for category, label in zip(categories, labels, strict=True)
            ],
        }
        for line, name in zip(lines, names, strict=True)
    ]
    axis: dict[str, Any] = {"categories": labels}
    x_label = chart_text(chart.x_label, MAX_AXIS_LABEL)
    y_label = chart_text(chart.y_label or chart.unit, MAX_AXIS_LABEL)
    if x_label:
        axis["x_label"] = x_label
    if y_label:
        axis["y_label"] = y_label
    return {
        "type": "data_visualization",
        "title": chart_text(chart.title, MAX_TITLE) or chart_text(chart.y_label, MAX_TITLE) or "Chart",
        "chart": {"type": chart.shape, "series": series, "axis_config": axis},
    }


def left_out(chart: Chart) -> str | None:
    """What the native chart could not show, said plainly, or None when it shows everything."""
    parts = []
    if len(chart.categories) > MAX_CATEGORIES:
        parts.append(f"{MAX_CATEGORIES} of {len(chart.categories)} labels")
    if len(chart.series) > MAX_SERIES:
        parts.append(f"{MAX_SERIES} of {len(chart.series)} series")
    if not parts:
        return None
    return f"The chart shows {' and '.join(parts)}; every figure is listed below."


def _number(value: float | None) -> int | float:
    if value is None:
        return 0
    return int(value) if value.is_integer() else value
