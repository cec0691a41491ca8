"""Reply: what the bot says, as data. Renderers (Block Kit, Adaptive Cards, HTML, text) escape every
plain span for their platform, so user text can never become markup.

Plain frozen dataclasses: a card is dozens of spans built on every command, and building them is then nearly
free. pydantic reads and writes them only at the edge where a Reply is stored (the outbox): ``to_json`` and
``from_json``."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, TypeAdapter


@dataclass(frozen=True, slots=True, kw_only=True)
class Plain:
    """Text, escaped by every renderer. ``verbatim``: someone's own words (a campaign's name, a comment), whose
    every character is shown as typed — where a platform reads ``*bold*`` or backticks in our own text as
    formatting, it does not in these."""

    kind: Literal["plain"] = "plain"
    text: str
    verbatim: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Bold:
    kind: Literal["bold"] = "bold"
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Code:
    kind: Literal["code"] = "code"
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    kind: Literal["link"] = "link"
    text: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """A member; ``accounts`` maps platform → that platform's user id, so each renderer can ping natively."""

    kind: Literal["mention"] = "mention"
    name: str
    accounts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class When:
    """A moment every reader sees in their own time zone where the platform can (Slack's ``<!date^…>``, Teams'
    card ``{{DATE()}}``, the web in the viewer's zone); ``text`` is the same moment in words for the rest
    (notifications, old clients, the terminal), usually in the workspace's zone and naming it."""

    kind: Literal["when"] = "when"
    at: datetime  # aware; stored and compared as UTC
    text: str


Span = Annotated[Plain | Bold | Code | Link | Mention | When, Field(discriminator="kind")]
Text = tuple[Span, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    kind: Literal["section"] = "section"
    text: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Fields:
    kind: Literal["fields"] = "fields"
    items: tuple[tuple[str, Text], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Button:
    """A button is a command run as the person who clicks. With ``prompt``, the platform first asks for a
    line of text (a reason, a note) and appends it to ``command``."""

    label: str
    command: str
    style: Literal["primary", "danger"] | None = None
    prompt: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Buttons:
    kind: Literal["buttons"] = "buttons"
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    label: str
    value: float
    maximum: float
    caption: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Bars:
    kind: Literal["bars"] = "bars"
    title: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    kind: Literal["context"] = "context"
    text: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Divider:
    kind: Literal["divider"] = "divider"


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    """One line, or one colour of bars: a name and its ``(label, value)`` points in axis order. A value of None
    is a point without data (shown as ``—``, never as 0)."""

    name: str
    points: tuple[tuple[str, float | None], ...]

    def value_at(self, label: str) -> float | None:
        """The series' value at ``label``; None when it has none there (or no finite one)."""
        for point_label, value in self.points:
            if point_label == label:
                return value if value is not None and math.isfinite(value) else None
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    """A bar or line chart as pure data: each platform draws it natively (Slack ``data_visualization``, Adaptive
    Card ``Chart.*``, SVG, text bars) and always lists the same figures as text beside it, for screen readers,
    old clients and charts beyond a platform's limits. ``unit`` follows each figure ("12 leads", "40%")."""

    kind: Literal["chart"] = "chart"
    shape: Literal["bar", "line"]
    title: str
    series: tuple[Series, ...]
    x_label: str = ""
    y_label: str = ""
    unit: str = ""

    @property
    def categories(self) -> tuple[str, ...]:
        """Every point label of every series, in first-seen order: the x axis."""
        seen: dict[str, None] = {}
        for line in self.series:
            for label, _value in line.points:
                seen.setdefault(label, None)
        return tuple(seen)


Block = Annotated[Section | Fields | Buttons | Bars | Context | Divider | Chart, Field(discriminator="kind")]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """``visibility`` is ``ephemeral`` (only the asker sees it) or ``in_channel`` (posted for everyone)."""

    blocks: tuple[Block, ...] = ()
    visibility: Literal["ephemeral", "in_channel"] = "ephemeral"
    ok: bool = True

    @property
    def summary(self) -> str:
        """Plain-text fallback (notifications, logs, the console)."""
        for block in self.blocks:
            if isinstance(block, Section | Context):
                return plain_text(block.text)
        for block in self.blocks:
            if isinstance(block, Chart):
                return chart_summary(block)
        return ""


_STORED = TypeAdapter(Reply)


def to_json(reply: Reply) -> str:
    """The reply as the outbox stores it."""
    return _STORED.dump_json(reply).decode()


def from_json(payload: str | bytes) -> Reply:
    """A stored reply, validated: tuples, known kinds, typed fields."""
    return _STORED.validate_json(payload)


def plain_text(text: Text) -> str:
    parts: list[str] = []
    for span in text:
        if isinstance(span, Mention):
            parts.append("@" + span.name)
        else:
            parts.append(span.text)
    return "".join(parts)


def zone_named(name: str | None) -> ZoneInfo:
    """The zone called ``name``; UTC for none or for a name the tz database does not know."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_when(at: datetime, zone: ZoneInfo) -> str:
    """``Thu 12 Mar 2026, 15:00 CET``: the zone is named, since a meeting is read in several zones. A zone
    without an abbreviation (tzdata writes "+03") reads "UTC+03"."""
    local = at.astimezone(zone)
    label = local.tzname() or ""
    if label.startswith(("+", "-")):
        label = "UTC" + label
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {label}".rstrip()


def when(at: datetime, zone: ZoneInfo) -> When:
    """A moment, with its words in ``zone`` for readers whose platform cannot show it in their own."""
    return When(at=at.astimezone(UTC), text=local_when(at, zone))


def figure(value: float | None, unit: str = "") -> str:
    """A chart value as people read it: ``1,250 leads``, ``12.5 h``, ``40%``; ``—`` where there is none."""
    if value is None or not math.isfinite(value):
        return "—"
    number = f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    if not unit:
        return number
    return number + unit if unit[0] in "%‰°′″" else f"{number} {unit}"


def chart_figures(chart: Chart) -> Fields:
    """Every figure of ``chart`` as ``label: value`` text — what stays when a platform cannot draw the chart or
    draws only part of it. With several series each label lists them all: ``Week 1: Web 4 · Events 2``."""
    items: list[tuple[str, Text]] = []
    for label in chart.categories:
        if len(chart.series) == 1:
            value = figure(chart.series[0].value_at(label), chart.unit)
        else:
            value = " · ".join(f"{line.name} {figure(line.value_at(label), chart.unit)}" for line in chart.series)
        items.append((label, (Plain(text=value),)))
    return Fields(items=tuple(items))


def chart_summary(chart: Chart) -> str:
    """One line for notifications and previews: the title and every figure."""
    figures = ", ".join(f"{label}: {plain_text(value)}" for label, value in chart_figures(chart).items)
    return f"{chart.title} — {figures}" if figures else chart.title


# Small builders so handlers read like sentences.


def p(text: str) -> Plain:
    return Plain(text=text)


def said(text: str) -> Plain:
    """Someone's own words, shown exactly as typed on every platform (see ``Plain.verbatim``)."""
    return Plain(text=text, verbatim=True)


def b(text: str) -> Bold:
    return Bold(text=text)


def code(text: str) -> Code:
    return Code(text=text)


def link(text: str, url: str) -> Link:
    return Link(text=text, url=url)


def section(*spans: Span | str) -> Section:
    return Section(text=_spans(spans))


def context(*spans: Span | str) -> Context:
    return Context(text=_spans(spans))


def fields(*items: tuple[str, Span | str | Text]) -> Fields:
    out: list[tuple[str, Text]] = []
    for label, value in items:
        if isinstance(value, tuple):
            out.append((label, value))
        else:
            out.append((label, _spans((value,))))
    return Fields(items=tuple(out))


def buttons(*items: Button) -> Buttons:
    return Buttons(buttons=tuple(items))


def series(name: str, points: Iterable[tuple[str, float | None]]) -> Series:
    """Non-finite values become None, so a stored chart always reads back (JSON has no NaN)."""
    return Series(name=name, points=tuple((label, _finite(value)) for label, value in points))


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def bar_chart(title: str, *lines: Series, x_label: str = "", y_label: str = "", unit: str = "") -> Chart:
    return Chart(shape="bar", title=title, series=lines, x_label=x_label, y_label=y_label, unit=unit)


def line_chart(title: str, *lines: Series, x_label: str = "", y_label: str = "", unit: str = "") -> Chart:
    return Chart(shape="line", title=title, series=lines, x_label=x_label, y_label=y_label, unit=unit)


def _spans(items: tuple[Span | str, ...]) -> Text:
    return tuple(Plain(text=item) if isinstance(item, str) else item for item in items)


def say(*spans: Span | str, ok: bool = True) -> Reply:
    """A one-section reply."""
    return Reply(blocks=(section(*spans),), ok=ok)
