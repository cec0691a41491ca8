"""`tandem chat`: Reply → plain text, and the REPL driven through piped lines like a script would."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest

from adapters.console import render_text, run_console
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.replies import (
    Bar,
    Bars,
    Button,
    Buttons,
    Divider,
    Mention,
    Reply,
    b,
    code,
    context,
    fields,
    link,
    p,
    section,
)
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.demo import seed_demo
from bot.server import build_runtime


@pytest.fixture
def demo_runtime(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    runtime = build_runtime(settings, clock=clock)
    seed_demo(runtime)
    yield runtime
    runtime.db.dispose()


class Script(io.StringIO):
    """Piped stdin whose lines may be actions run between two commands (someone else doing something)."""

    def __init__(self, *lines: str | Callable[[], None]) -> None:
        super().__init__()
        self.lines = list(lines)

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        while self.lines:
            line = self.lines.pop(0)
            if callable(line):
                line()
                continue
            return line + "\n"
        return ""


def as_person(runtime: Runtime, key: str, name: str, text: str) -> Reply:
    return runtime.dispatcher.handle(Request(Person("playground", key, name), "demo", text))


def test_reply_renders_as_plain_text_with_buttons_as_commands() -> None:
    reply = Reply(
        blocks=(
            section(b("L-7 · Globex"), p("\n🟡 Waiting to be accepted")),
            fields(("Owner", (Mention(name="Rita Alvarez"),)), ("Source", "webinar")),
            Buttons(
                buttons=(
                    Button(label="Accept", command="lead accept L-7", style="primary"),
                    Button(label="Reject", command="lead reject L-7", prompt="Why are you rejecting it?"),
                )
            ),
            Bars(title="Funnel", bars=(Bar(label="Approach", value=5, maximum=10),)),
            Divider(),
            context("Type ", code("lead help"), " or see ", link("the docs", "https://tandem.example/docs")),
        )
    )
    assert render_text(reply).split("\n") == [
        "L-7 · Globex",
        "🟡 Waiting to be accepted",
        "  Owner: @Rita Alvarez",
        "  Source: webinar",
        "  [Accept] lead accept L-7",
        "  [Reject] lead reject L-7 <Why are you rejecting it?>",
        "Funnel",
        "  Approach                 ██████████░░░░░░░░░░ 5",
        "─" * 40,
        "  Type lead help or see the docs (https://tandem.example/docs)",
    ]


def test_terminal_control_sequences_in_stored_text_are_dropped() -> None:
    text = render_text(Reply(blocks=(section(p("Acme\x1b[2J\x1b]0;pwned\x07 Corp\x9b31m")),)))
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert text.startswith("Acme") and "Corp" in text


def test_piped_commands_hand_off_and_the_owner_sees_the_card(demo_runtime: Runtime) -> None:
    out = io.StringIO()
    code_ = run_console(
        demo_runtime,
        "maya",
        Script(
            'lead handoff "Console Co" email:cc@console.example to:@rita', "lead list open", "quit", "lead list all"
        ),
        out,
    )
    assert code_ == 0
    text = out.getvalue()
    assert "Handed off L-40 Console Co to @Rita Alvarez" in text
    assert "L-40 Console Co" in text.split("Handed off", 1)[1]  # the list ran too
    assert "> " not in text  # no prompt when stdin is not a terminal
    assert text.count("lead list all") == 0 and "Tandem — you are" not in text


def test_new_dms_print_between_commands_and_typing_a_button_answers_the_card(demo_runtime: Runtime) -> None:
    out = io.StringIO()
    script = Script(
        "lead list mine",
        lambda: as_person(
            demo_runtime, "maya", "Maya Chen", 'lead handoff "Bluth Company" to:@rita note:"Banana stand"'
        ),
        "lead show L-1",
        "lead accept L-40",
    )
    assert run_console(demo_runtime, "Rita", script, out) == 0
    text = out.getvalue()
    first, second = text.split("📬 New message from Tandem (handoff):", 1)
    assert "Bluth Company" not in first
    assert "@Maya Chen handed you a new lead: Bluth Company." in second and "[Accept] lead accept L-40" in second
    assert "Accepted by @Rita Alvarez" in second
    from sqlmodel import select

    from storage.models import Outbox

    with demo_runtime.db.session() as session:
        card = session.exec(select(Outbox).where(Outbox.kind == "handoff").order_by(Outbox.id.desc())).first()  # type: ignore[union-attr]
        assert card is not None and card.response_note and "Accepted by @Rita Alvarez" in card.response_note


def test_unknown_person_gets_the_list_of_people(demo_runtime: Runtime) -> None:
    out = io.StringIO()
    assert run_console(demo_runtime, "\x1b[31mmallory", Script("help"), out) == 2
    assert "nobody called '[31mmallory'" in out.getvalue() and "rita" in out.getvalue()
    assert "\x1b" not in out.getvalue()


def test_people_are_found_by_key_email_and_name(demo_runtime: Runtime) -> None:
    for name in ("sam", "sam.patel@acme.example", "Sam Patel", "@sam"):
        out = io.StringIO()
        assert run_console(demo_runtime, name, Script("lead list mine"), out) == 0, name
        assert "Hooli" in out.getvalue(), name  # Sam's own open lead


class Terminal(Script):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_greeting_and_a_prompt(demo_runtime: Runtime) -> None:
    out = io.StringIO()
    assert run_console(demo_runtime, "diana", Terminal("lead criteria", "exit"), out) == 0
    text = out.getvalue()
    assert text.startswith("Tandem — you are Diana Okafor (manager, Head of revenue)")
    assert text.count("> ") >= 2 and "Students and agencies are not qualified" in text


def test_cards_waiting_from_before_are_answered_by_typing_their_button(demo_runtime: Runtime) -> None:
    out = io.StringIO()
    assert run_console(demo_runtime, "rita", Terminal("lead accept L-17"), out) == 0
    text = out.getvalue()
    assert "📬 1 card(s) wait for you" in text and "[Accept] lead accept L-17" in text
    from sqlmodel import select

    from storage.models import Outbox

    with demo_runtime.db.session() as session:
        notes = session.exec(
            select(Outbox.response_note).where(Outbox.kind == "handoff", Outbox.response_note.like("%L-17%"))
        ).all()  # type: ignore[union-attr]
    assert len(notes) == 1 and "Accepted by @Rita Alvarez" in notes[0]


def test_cards_whose_lead_moved_on_are_not_listed_as_waiting(demo_runtime: Runtime) -> None:
    as_person(demo_runtime, "rita", "Rita Alvarez", "lead accept L-17")  # typed elsewhere, card not pressed
    out = io.StringIO()
    assert run_console(demo_runtime, "rita", Terminal("quit"), out) == 0
    assert "card(s) wait for you" not in out.getvalue()


def test_a_leading_at_tandem_addresses_the_bot(demo_runtime: Runtime) -> None:
    out = io.StringIO()
    assert run_console(demo_runtime, "rita", Script("@tandem lead show L-1", "@Tandem help"), out) == 0
    text = out.getvalue()
    assert "I don't know" not in text
    assert "L-1 · Northwind Traders" in text and "Commands:" in text


def test_tools_are_found_in_the_console_with_their_links(demo_runtime: Runtime) -> None:
    out = io.StringIO()
    assert run_console(demo_runtime, "rita", Script("tool batlecard globex", "quit"), out) == 0
    text = out.getvalue()
    assert "Battlecard: Globex (http://127.0.0.1:8000/t/3?m=" in text and "T-3" in text
