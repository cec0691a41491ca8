"""Chart → inline SVG drawn on the server, plus the figures as a table. The drawing is an accessible image
(``role="img"``, a ``<title>``, an ``aria-label``); the table beside it is what screen readers and copy-paste
use. Every string goes through ``markupsafe``, so a label holding ``<script>`` is shown as text."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from bot.core.replies import Chart, figure

WIDTH = 480
HEIGHT = 240
LEFT = 56
RIGHT = 12
BOTTOM = 36
TOP = 14
LEGEND = 18
SERIES_COLOURS = 6
LEGEND_NAME = 18
MAX_BAR = 56
CHAR_WIDTH = 6.2  # px per character at the labels' 11px font, to shorten labels that would overlap


@dataclass(frozen=True, slots=True)
class _Frame:
    """Where the plot sits in the SVG and how values map to it."""

    top: float
    bottom: float
    low: float
    high: float
    whole: bool = False  # every value is a whole number: so are the ticks (no "0.5 leads")

    def y(self, value: float) -> float:
        return self.bottom - (value - self.low) / (self.high - self.low) * (self.bottom - self.top)


def render_chart(chart: Chart) -> Markup:
    """``<figure>`` with the title, the SVG drawing (when there is something to draw) and the figures table."""
    drawing = _svg(chart) if chart.categories and chart.series else Markup("")
    return Markup(
        '<figure class="r-chart" data-shape="{}"><figcaption class="r-chart-title">{}</figcaption>{}{}</figure>'
    ).format(chart.shape, chart.title, drawing, figures_table(chart))


def figures_table(chart: Chart) -> Markup:
    """One row per label, one column per series; ``—`` where a series has no data."""
    if not chart.categories:
        return Markup("")
    head = Markup("").join(Markup('<th scope="col">{}</th>').format(line.name) for line in chart.series)
    rows = Markup("")
    for label in chart.categories:
        cells = Markup("").join(
            Markup("<td>{}</td>").format(figure(line.value_at(label), chart.unit)) for line in chart.series
        )
        rows += Markup('<tr><th scope="row">{}</th>{}</tr>').format(label, cells)
    return Markup(
        '<table class="r-chart-figures"><caption>{}</caption><thead><tr><th scope="col">{}</th>{}</tr>'
        "</thead><tbody>{}</tbody></table>"
    ).format(chart.title, chart.x_label, head, rows)


def _svg(chart: Chart) -> Markup:
    values = [
        value for line in chart.series for label in chart.categories if (value := line.value_at(label)) is not None
    ]
    whole = all(float(value).is_integer() for value in values)
    low, high = _scale(min(values, default=0.0), max(values, default=0.0), whole)
    top = TOP + (LEGEND if len(chart.series) > 1 else 0)
    frame = _Frame(top=top, bottom=HEIGHT - BOTTOM, low=low, high=high, whole=whole)
    name = f"{'Bar' if chart.shape == 'bar' else 'Line'} chart: {chart.title}"
    body = _grid(frame) + (_bars(chart, frame) if chart.shape == "bar" else _lines(chart, frame))
    body += _x_labels(chart, frame) + _axis_titles(chart, frame) + _legend(chart)
    return Markup(
        '<svg class="r-chart-svg" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>{}</svg>'
    ).format(WIDTH, HEIGHT, name, name, body)


def _scale(low: float, high: float, whole: bool = False) -> tuple[float, float]:
    """The value range drawn: always includes 0, rounded out to a step of 1, 2 or 5 × 10ⁿ."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    step = _step(high - low, whole)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def _step(span: float, whole: bool = False) -> float:
    raw = span / 4
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= raw)
    return max(step, 1.0) if whole else step


def _grid(frame: _Frame) -> Markup:
    step = _step(frame.high - frame.low, frame.whole)
    out = Markup("")
    count = round((frame.high - frame.low) / step)
    for index in range(count + 1):
        value = frame.low + index * step
        y = f"{frame.y(value):.1f}"
        css = "r-chart-zero" if abs(value) < step / 1000 else "r-chart-grid"
        out += Markup(
            '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
            '<text class="r-chart-tick" x="{}" y="{}" text-anchor="end">{}</text>'
        ).format(css, LEFT, y, WIDTH - RIGHT, y, LEFT - 6, f"{frame.y(value) + 4:.1f}", figure(round(value, 6)))
    return out


def _bars(chart: Chart, frame: _Frame) -> Markup:
    band = (WIDTH - LEFT - RIGHT) / len(chart.categories)
    width = min(band * 0.8 / len(chart.series), MAX_BAR)  # a few categories get bars, not slabs
    inset = (band - width * len(chart.series)) / 2
    zero = frame.y(0.0)
    out = Markup("")
    for index, label in enumerate(chart.categories):
        for number, line in enumerate(chart.series):
            value = line.value_at(label)
            if value is None:
                continue
            x = LEFT + index * band + inset + number * width
            y = min(zero, frame.y(value))
            out += Markup(
                '<rect class="r-series-{}" x="{}" y="{}" width="{}" height="{}" rx="2"><title>{}</title></rect>'
            ).format(
                number % SERIES_COLOURS,
                f"{x:.1f}",
                f"{y:.1f}",
                f"{max(width - 1, 1):.1f}",
                f"{abs(frame.y(value) - zero):.1f}",
                _tooltip(chart, line.name, label, value),
            )
    return out


def _lines(chart: Chart, frame: _Frame) -> Markup:
    """One polyline per run of points with data (a gap stays a gap), and a dot per point."""
    band = (WIDTH - LEFT - RIGHT) / len(chart.categories)
    out = Markup("")
    for number, line in enumerate(chart.series):
        colour = number % SERIES_COLOURS
        runs: list[list[str]] = [[]]
        dots = Markup("")
        for index, label in enumerate(chart.categories):
            value = line.value_at(label)
            if value is None:
                runs.append([])
                continue
            x, y = f"{LEFT + (index + 0.5) * band:.1f}", f"{frame.y(value):.1f}"
            runs[-1].append(f"{x},{y}")
            dots += Markup('<circle class="r-series-{}" cx="{}" cy="{}" r="3"><title>{}</title></circle>').format(
                colour, x, y, _tooltip(chart, line.name, label, value)
            )
        for run in runs:
            if len(run) > 1:
                out += Markup('<polyline class="r-line r-series-{}" points="{}"></polyline>').format(
                    colour, " ".join(run)
                )
        out += dots
    return out


def _tooltip(chart: Chart, name: str, label: str, value: float) -> str:
    prefix = f"{name}, " if len(chart.series) > 1 else ""
    return f"{prefix}{label}: {figure(value, chart.unit)}"


def _x_labels(chart: Chart, frame: _Frame) -> Markup:
    """Labels under their bars or points, shortened to their space; when even a short label cannot fit, only
    every n-th is shown (the table has them all)."""
    band = (WIDTH - LEFT - RIGHT) / len(chart.categories)
    every = max(1, math.ceil(4 * CHAR_WIDTH / band))
    room = max(3, int(band * every / CHAR_WIDTH) - 1)
    out = Markup("")
    for index, label in enumerate(chart.categories):
        if index % every:
            continue
        short = label if len(label) <= room else label[: room - 1] + "…"
        out += Markup('<text class="r-chart-label" x="{}" y="{}" text-anchor="middle">{}</text>').format(
            f"{LEFT + (index + 0.5) * band:.1f}", f"{frame.bottom + 14:.1f}", short
        )
    return out


def _axis_titles(chart: Chart, frame: _Frame) -> Markup:
    out = Markup("")
    if chart.x_label:
        out += Markup('<text class="r-chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>').format(
            (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 4, chart.x_label
        )
    y_label = chart.y_label or chart.unit
    if y_label:
        middle = f"{(frame.top + frame.bottom) / 2:.1f}"
        out += Markup(
            '<text class="r-chart-axis" x="12" y="{}" text-anchor="middle" transform="rotate(-90 12 {})">{}</text>'
        ).format(middle, middle, y_label)
    return out


def _legend(chart: Chart) -> Markup:
    if len(chart.series) < 2:
        return Markup("")
    out = Markup("")
    x = float(LEFT)
    for number, line in enumerate(chart.series):
        name = line.name if len(line.name) <= LEGEND_NAME else line.name[: LEGEND_NAME - 1] + "…"
        if x + 14 + CHAR_WIDTH * len(name) > WIDTH:
            break  # the table names every series
        out += Markup(
            '<rect class="r-series-{}" x="{}" y="{}" width="10" height="10" rx="2"></rect>'
            '<text class="r-chart-legend" x="{}" y="{}">{}</text>'
        ).format(number % SERIES_COLOURS, f"{x:.1f}", TOP - 8, f"{x + 14:.1f}", TOP + 1, name)
        x += 14 + CHAR_WIDTH * len(name) + 16
    return out
