"""`tandem chat --as <person>`: the same bot in a terminal. Reply → plain text, and a REPL that also reads
piped lines, so scripts and tests can drive it. Buttons print as the command they run."""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable
from typing import TextIO, assert_never

from sqlmodel import col, select

from adapters.typed import without_bot_mention
from adapters.web.playground.views import lead_moved_on
from bot.core.outbox import reply_of
from bot.core.replies import (
    Bars,
    Bold,
    Buttons,
    Chart,
    Code,
    Context,
    Divider,
    Fields,
    Link,
    Mention,
    Plain,
    Reply,
    Section,
    Series,
    Text,
    When,
    figure,
)
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.demo import DEMO_PLATFORM, DEMO_TEAM, DemoPerson, demo_people, find_demo_person
from storage.models import Outbox

QUIT = {"quit", "exit", ":q"}
# C0/C1 control characters other than newline and tab: stored text must not drive the terminal (ANSI escapes).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BAR_WIDTH = 20


def render_text(reply: Reply) -> str:
    lines: list[str] = []
    for block in reply.blocks:
        if isinstance(block, Section):
            lines.append(text_of(block.text))
        elif isinstance(block, Context):
            lines.append(_indent(text_of(block.text)))
        elif isinstance(block, Fields):
            lines.extend(f"  {_safe(label)}: {text_of(value)}" for label, value in block.items)
        elif isinstance(block, Buttons):
            for button in block.buttons:
                extra = f" <{_safe(button.prompt)}>" if button.prompt else ""
                lines.append(f"  [{_safe(button.label)}] {_safe(button.command)}{extra}")
        elif isinstance(block, Bars):
            lines.append(_safe(block.title))
            for bar in block.bars:
                share = 0.0 if bar.maximum <= 0 else max(0.0, min(1.0, bar.value / bar.maximum))
                filled = round(share * _BAR_WIDTH)
                caption = bar.caption or (f"{bar.value:g}")
                lines.append(
                    f"  {_safe(bar.label)[:24]:<24} {'█' * filled}{'░' * (_BAR_WIDTH - filled)} {_safe(caption)}"
                )
        elif isinstance(block, Divider):
            lines.append("─" * 40)
        elif isinstance(block, Chart):
            lines.extend(chart_lines(block))
        else:
            assert_never(block)
    return "\n".join(lines)


def chart_lines(chart: Chart) -> list[str]:
    """A chart as text bars with every figure beside its bar: one group per series, bars scaled to the largest
    value of the chart. A line chart also gets a sparkline per series, to show its trend at a glance."""
    lines = [_safe(chart.title)] if chart.title else []
    axes = " · ".join(
        _safe(text)
        for text in (chart.x_label and f"x: {chart.x_label}", chart.y_label and f"y: {chart.y_label}")
        if text
    )
    if axes:
        lines.append(_indent(axes))
    values = [
        abs(value) for line in chart.series for label in chart.categories if (value := line.value_at(label)) is not None
    ]
    largest = max(values, default=0.0)
    grouped = len(chart.series) > 1 or chart.shape == "line"
    pad = "    " if grouped else "  "
    width = min(max((len(_safe(label)) for label in chart.categories), default=0), 28)  # longer ones stay whole
    for line in chart.series:
        if grouped:
            trend = f"  {_sparkline(chart, line)}" if chart.shape == "line" else ""
            lines.append(f"  {_safe(line.name)}{trend}")
        for label in chart.categories:
            value = line.value_at(label)
            share = 0.0 if value is None or largest <= 0 else abs(value) / largest
            filled = round(share * _BAR_WIDTH)
            lines.append(
                f"{pad}{_safe(label):<{width}} {'█' * filled}{'░' * (_BAR_WIDTH - filled)} "
                f"{_safe(figure(value, chart.unit))}"
            )
    return lines


def _sparkline(chart: Chart, line: Series) -> str:
    values = [line.value_at(label) for label in chart.categories]
    known = [value for value in values if value is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    ticks = "▁▂▃▄▅▆▇█"
    return "".join(
        " " if value is None else ticks[0 if high == low else round((value - low) / (high - low) * 7)]
        for value in values
    )


def text_of(text: Text) -> str:
    parts: list[str] = []
    for span in text:
        if isinstance(span, Plain | Bold | Code | When):
            parts.append(span.text)
        elif isinstance(span, Link):
            parts.append(f"{span.text} ({span.url})" if span.url != span.text else span.url)
        elif isinstance(span, Mention):
            parts.append("@" + span.name)
        else:
            assert_never(span)
    return _safe("".join(parts))


def _safe(text: str) -> str:
    return _CONTROL.sub("", text)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.split("\n"))


class Inbox:
    """The person's DMs that arrived since the console started (outbox rows addressed to them)."""

    def __init__(self, runtime: Runtime, person: DemoPerson) -> None:
        self.runtime = runtime
        self.person = person
        self.seen = self._latest()
        self.buttons: dict[str, int] = {}  # a button's command → the card it came from
        self.waiting = self._waiting()

    def _waiting(self) -> list[Reply]:
        """Cards sent before this session that still wait for an answer: their buttons work when typed."""
        with self.runtime.db.session() as session:
            rows = list(
                session.exec(
                    select(Outbox)
                    .where(Outbox.target_member_id == self.person.member_id, col(Outbox.response_note).is_(None))
                    .order_by(col(Outbox.id).desc())
                    .limit(50)
                ).all()
            )
            waiting = []
            for row in reversed(rows):
                reply = reply_of(row)
                has_buttons = any(isinstance(block, Buttons) for block in reply.blocks)
                if has_buttons and lead_moved_on(session, row.workspace_id, self.person.member_id, reply) is None:
                    self.remember_buttons(row, reply)
                    waiting.append(reply)
        return waiting

    def _latest(self) -> int:
        with self.runtime.db.session() as session:
            return (
                session.exec(
                    select(Outbox.id)
                    .where(Outbox.target_member_id == self.person.member_id)
                    .order_by(col(Outbox.id).desc())
                    .limit(1)
                ).first()
                or 0
            )

    def new_messages(self) -> list[Outbox]:
        with self.runtime.db.session() as session:
            rows = list(
                session.exec(
                    select(Outbox)
                    .where(
                        Outbox.target_member_id == self.person.member_id,
                        col(Outbox.id) > self.seen,
                        col(Outbox.refreshes_id).is_(None),
                    )  # rewrites, not news
                    .order_by(col(Outbox.id))
                ).all()
            )
        if rows:
            self.seen = rows[-1].id or self.seen
        return rows

    def remember_buttons(self, row: Outbox, reply: Reply) -> None:
        for block in reply.blocks:
            if isinstance(block, Buttons):
                for button in block.buttons:
                    self.buttons[button.command] = row.id or 0

    def source_of(self, line: str) -> int | None:
        """Typing a card's button command counts as pressing that button on the card."""
        for command, outbox_id in self.buttons.items():
            if line == command or line.startswith(command + " "):
                return outbox_id
        return None


def _line_reader(stdin: TextIO, stdout: TextIO, interactive: bool) -> Callable[[], str | None]:
    """On a real terminal, ``input()`` with readline gives line editing and ↑ history; otherwise plain lines."""
    if interactive and stdin is sys.stdin and stdout is sys.stdout:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (enables editing and history for input())

        def from_terminal() -> str | None:
            try:
                return input("> ")
            except EOFError:
                return None

        return from_terminal

    def from_stream() -> str | None:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        return line if line else None

    return from_stream


def run_console(runtime: Runtime, person: str, stdin: TextIO, stdout: TextIO) -> int:
    """Read commands until EOF or ``quit``; print each reply and any new DMs. Returns an exit code."""
    who = find_demo_person(runtime.db, person)
    if who is None:
        known = ", ".join(p.key for p in demo_people(runtime.db)) or "nobody yet — run `tandem demo` first"
        stdout.write(f"There is nobody called '{_safe(person)[:60]}' in the demo workspace. Try: {known}.\n")
        stdout.flush()
        return 2
    interactive = stdin.isatty()
    inbox = Inbox(runtime, who)
    speaker = Person(DEMO_PLATFORM, who.key, who.name, who.email, who.timezone)
    if interactive:
        stdout.write(
            f"Tandem — you are {who.name} ({who.role}, {who.title}). Type `help` for commands, `quit` to leave.\n"
        )
        if inbox.waiting:
            stdout.write(f"📬 {len(inbox.waiting)} card(s) wait for you; type a button's command to answer one:\n")
            for card in inbox.waiting[-5:]:
                stdout.write(_indent(render_text(card)) + "\n\n")
    read = _line_reader(stdin, stdout, interactive)
    while True:
        line = read()
        if line is None:
            break
        line = without_bot_mention(line.strip())
        if not line:
            continue
        if line.lower() in QUIT:
            break
        request = Request(person=speaker, team_id=DEMO_TEAM, text=line, source_message=inbox.source_of(line))
        reply = runtime.dispatcher.handle(request)
        stdout.write(render_text(reply) + "\n")
        for row in inbox.new_messages():
            message = reply_of(row)
            inbox.remember_buttons(row, message)
            stdout.write(f"\n📬 New message from Tandem ({row.kind.replace('_', ' ')}):\n")
            stdout.write(_indent(render_text(message)) + "\n")
        stdout.write("\n")
        stdout.flush()
    return 0
