"""A leading @tandem addresses the bot in the playground and the terminal, as the README teaches."""

from __future__ import annotations

import pytest

from adapters.typed import without_bot_mention


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("@tandem lead show L-1", "lead show L-1"),
        ("@Tandem lead show L-1", "lead show L-1"),
        ("  @TANDEM   help", "help"),
        ("@tandem: lead list mine", "lead list mine"),
        ("@tandem, lead list mine", "lead list mine"),
        ("@tandem", ""),
    ],
)
def test_a_leading_bot_mention_is_not_part_of_the_command(typed: str, command: str) -> None:
    assert without_bot_mention(typed) == command


@pytest.mark.parametrize(
    "typed",
    [
        "lead show L-1",
        "@tandembot lead show L-1",  # someone else
        "@rita lead show L-1",
        'lead handoff "Acme" note:"ask @tandem later"',  # only a leading mention addresses the bot
        "tandem settings",
    ],
)
def test_other_text_is_left_alone(typed: str) -> None:
    assert without_bot_mention(typed) == typed
