"""Hostile text never crashes, never becomes markup, and over-long fields are refused with the limit named."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.grammar import clean
from bot.core.replies import Code, Context, Plain
from tests.bot.conftest import Team, text_of

HOSTILE = [
    "<!channel> call me",
    "@here now",
    "<script>alert(1)</script>",
    "<https://evil.test|click>",
    "*bold* _it_ ~x~ `code`",
    "emoji 🚀 and RTL \u202e text",
    "\x00\x07bell",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_notes_are_kept_as_plain_text(team: Team, text: str) -> None:
    reply = team.say("mara", f'lead handoff Acme to:@rita note:"{text}"')
    assert reply.ok, text_of(reply)
    card = team.inbox("rita")[-1]
    from bot.core.outbox import reply_of

    dm = reply_of(card)
    # The user's text travels whole, and only as a Plain span: renderers escape those.
    spans = [span for block in dm.blocks if hasattr(block, "text") for span in block.text]  # type: ignore[attr-defined]
    expected = clean(text).strip()
    assert any(isinstance(s, Plain) and s.text == expected for s in spans), (expected, spans)


def test_an_unclosed_quote_keeps_the_rest_of_the_line_as_the_note_and_says_so(team: Team) -> None:
    reply = team.say("mara", 'lead handoff Acme to:@rita note:"call after the board meeting')
    assert reply.ok and team.lead(1).note == "call after the board meeting"
    assert text_of(reply).endswith('\nI closed the quote you opened at note:"call after the board meeting.')
    assert (
        isinstance(reply.blocks[-1], Context)
        and Code(text='note:"call after the board meeting') in reply.blocks[-1].text
    )
    closed = team.say("mara", 'lead handoff Globex to:@rita note:"call after the board meeting"')
    assert "I closed the quote" not in text_of(closed)
    long = team.say("rita", 'lead feedback L-1 9 "' + "why " * 30)  # refused, and still told
    assert "not a score" in text_of(long) and 'I closed the quote you opened at "why why' in text_of(long)
    assert text_of(long).endswith("…."), text_of(long)


def test_a_10kb_note_is_refused_with_the_limit_named_and_nothing_is_stored(team: Team) -> None:
    reply = team.say("mara", "lead handoff Acme to:@rita note:" + "x" * 10_240)
    assert not reply.ok and "2,000" in text_of(reply)
    assert team.inbox("rita") == []
    reply = team.say("mara", "lead handoff " + "A" * 201)
    assert not reply.ok and "200" in text_of(reply)


def test_a_bad_email_is_refused_kindly(team: Team) -> None:
    assert "doesn't look like an e-mail" in team.text("mara", "lead handoff Acme email:not-an-address")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_random_text_after_any_command_never_crashes(team: Team, text: str) -> None:
    for command in ("lead handoff ", "lead feedback L-1 ", "lead show ", "tandem settings ", "tool ", ""):
        reply = team.say("mara", command + text)
        assert "something went wrong" not in text_of(reply)
