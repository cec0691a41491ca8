"""Chart → HTML: an accessible inline SVG drawn on the server (role="img", a <title>, an aria-label) and the
figures as a table; hostile labels are shown as text and only the renderer's own tags appear."""

from __future__ import annotations

from html.parser import HTMLParser

from adapters.web.render import render_reply
from bot.core.replies import Reply, bar_chart, line_chart, series

HOSTILE = '<script>alert(1)</script> <!channel> " onload="x'
TAGS = {
    "div",
    "figure",
    "figcaption",
    "svg",
    "title",
    "line",
    "text",
    "rect",
    "polyline",
    "circle",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {
    "class",
    "data-shape",
    "viewbox",
    "role",
    "aria-label",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "width",
    "height",
    "rx",
    "text-anchor",
    "transform",
    "points",
    "cx",
    "cy",
    "r",
    "scope",
}


class Parsed(HTMLParser):
    """Tags with their attributes, the text of each table cell, and all text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[list[str]] = []
        self.text = ""
        self._open: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)
        if tag == "tr":
            self.cells.append([])
        elif tag in ("th", "td") and self.cells:
            self.cells[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._open and self._open[-1] in ("th", "td") and self.cells:
            self.cells[-1][-1] += data

    def attrs_of(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def _parse(html: str) -> Parsed:
    parsed = Parsed(html)
    for tag, attrs in parsed.tags:
        assert tag in TAGS, tag
        assert set(attrs) <= ATTRIBUTES, attrs
    return parsed


def test_leads_by_source_is_an_accessible_svg_bar_chart_with_a_figures_table() -> None:
    chart = bar_chart(
        "Leads by source",
        series("Leads", [("Web", 12), ("Events", 5), ("Partners", None)]),
        x_label="Source",
        unit="leads",
    )
    parsed = _parse(str(render_reply(Reply(blocks=(chart,)))))
    [svg] = parsed.attrs_of("svg")
    assert svg["role"] == "img" and svg["aria-label"] == "Bar chart: Leads by source"
    assert "Bar chart: Leads by source" in parsed.text  # the <title>
    bars = [attrs for attrs in parsed.attrs_of("rect") if attrs["class"] == "r-series-0"]
    assert len(bars) == 2  # Partners has no data: no bar, and not a bar of 0
    web, events = (float(bar["height"] or 0) for bar in bars)
    assert web > events > 0
    assert parsed.cells == [["Source", "Leads"], ["Web", "12 leads"], ["Events", "5 leads"], ["Partners", "—"]]


def test_weekly_hand_offs_are_lines_with_a_legend_and_gaps_where_data_is_missing() -> None:
    chart = line_chart(
        "Weekly hand-offs",
        series("Web", [("W1", 4), ("W2", 6), ("W3", 3), ("W4", 5)]),
        series("Events", [("W1", 1), ("W2", None), ("W3", 2), ("W4", 2)]),
    )
    parsed = _parse(str(render_reply(Reply(blocks=(chart,)))))
    assert parsed.attrs_of("svg")[0]["aria-label"] == "Line chart: Weekly hand-offs"
    polylines = parsed.attrs_of("polyline")
    assert [line["class"] for line in polylines] == ["r-line r-series-0", "r-line r-series-1"]
    assert len((polylines[0]["points"] or "").split()) == 4
    assert len((polylines[1]["points"] or "").split()) == 2  # W1 stands alone, the line resumes at W3
    assert len(parsed.attrs_of("circle")) == 7
    assert "Web" in parsed.text and "Events" in parsed.text  # legend
    assert parsed.cells[0] == ["", "Web", "Events"] and parsed.cells[2] == ["W2", "6", "—"]


def test_negative_values_hang_below_the_zero_line() -> None:
    chart = bar_chart("Change against last week", series("Leads", [("Web", 3), ("Events", -2)]))
    parsed = _parse(str(render_reply(Reply(blocks=(chart,)))))
    zero = float(next(attrs for attrs in parsed.attrs_of("line") if attrs["class"] == "r-chart-zero")["y1"] or 0)
    up, down = (attrs for attrs in parsed.attrs_of("rect") if attrs["class"] == "r-series-0")
    assert abs(float(up["y"] or 0) + float(up["height"] or 0) - zero) < 0.2  # coordinates have one decimal
    assert abs(float(down["y"] or 0) - zero) < 0.2 and float(down["height"] or 0) > 0


def test_hostile_labels_are_text_in_the_drawing_and_the_table() -> None:
    chart = bar_chart(
        HOSTILE,
        series(HOSTILE, [(HOSTILE, 1)]),
        series("Other", [(HOSTILE, 2)]),
        x_label=HOSTILE,
        y_label=HOSTILE,
        unit=HOSTILE,
    )
    html = str(render_reply(Reply(blocks=(chart,))))
    assert "<script>" not in html and "<!channel>" not in html
    parsed = _parse(html)
    assert parsed.attrs_of("svg")[0]["aria-label"] == f"Bar chart: {HOSTILE}"
    assert HOSTILE in parsed.text
    assert all("onload" not in attrs for _tag, attrs in parsed.tags)


def test_many_labels_are_all_in_the_table_even_when_the_axis_shows_some() -> None:
    labels = [f"Campaign {n:02d} spring push" for n in range(40)]
    chart = bar_chart("Won amount by campaign", series("Won", [(label, n) for n, label in enumerate(labels)]), unit="€")
    parsed = _parse(str(render_reply(Reply(blocks=(chart,)))))
    axis = [attrs for attrs in parsed.attrs_of("text") if attrs["class"] == "r-chart-label"]
    assert 0 < len(axis) < 40
    assert [row[0] for row in parsed.cells[1:]] == labels
    assert parsed.cells[5] == ["Campaign 04 spring push", "4 €"]


def test_a_chart_without_points_is_its_title_alone() -> None:
    parsed = _parse(str(render_reply(Reply(blocks=(bar_chart("No leads yet"),)))))
    assert [tag for tag, _ in parsed.tags] == ["div", "figure", "figcaption"]
    assert parsed.text == "No leads yet"
