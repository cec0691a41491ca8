"""The grammar (SPEC §3): words, quotes, key:value, mentions, e-mails — and that no text can crash it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import UsageError
from bot.core.grammar import MAX_TEXT, Option, Word, parse, parse_user, tokenize


def test_words_quotes_and_options() -> None:
    command = parse('lead handoff Acme Corp email:jo@acme.com name:"Jo Smith" campaign:“Q4 Webinar”')
    assert [w.text for w in command.words] == ["lead", "handoff", "Acme", "Corp"]
    assert command.options == {"email": "jo@acme.com", "name": "Jo Smith", "campaign": "Q4 Webinar"}


def test_quoted_words_keep_their_spaces_and_colons() -> None:
    command = parse('lead touch L-1 "Re: pricing, call back"')
    assert command.words[-1] == Word("Re: pricing, call back", quoted=True)
    assert command.options == {}


def test_urls_are_values_not_options() -> None:
    command = parse("tool add Deck url:https://example.com/deck?a=b:c")
    assert command.options == {"url": "https://example.com/deck?a=b:c"}
    assert parse("see https://example.com").words[-1].text == "https://example.com"


def test_an_unclosed_quote_runs_to_the_end_and_is_reported() -> None:
    command = parse('lead handoff "Acme Corp')
    assert command.words[-1] == Word("Acme Corp", quoted=True) and command.unclosed == '"Acme Corp'
    option = parse("lead handoff Acme note:“call Jo  ")
    assert option.options == {"note": "call Jo"} and option.unclosed == "note:“call Jo"
    assert parse('lead handoff "Acme Corp" note:"x"').unclosed is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<@U123ABC|ana>", ("U123ABC", None, "ana")),
        ("<@U123ABC>", ("U123ABC", None, None)),
        ("<at>Rita Lopez</at>", (None, None, "Rita Lopez")),
        ("@rita", (None, None, "rita")),
        ("Rita@Acme.com", (None, "rita@acme.com", None)),
        ("mailto:rita@acme.com", (None, "rita@acme.com", None)),
        ("29:1a2b3c", ("29:1a2b3c", None, None)),
        ("U0123456", ("U0123456", None, None)),
    ],
)
def test_users_are_recognised_in_every_platform_form(raw: str, expected: tuple) -> None:
    ref = parse_user(raw)
    assert (ref.platform_id, ref.email, ref.name) == expected


def test_teams_mentions_with_spaces_are_one_token_also_as_option_values() -> None:
    command = parse("lead reassign L-1 to:<at>Rita Lopez</at> now")
    assert command.options["to"] == "<at>Rita Lopez</at>"
    assert [w.text for w in command.words] == ["lead", "reassign", "L-1", "now"]
    assert parse("<at>Rita Lopez</at> hi").words[0].text == "<at>Rita Lopez</at>"


def test_control_characters_are_dropped() -> None:
    assert parse("lead\x00 show\x1b L-1\u200b").words[1].text == "show"


def test_over_long_text_is_refused_with_the_limit() -> None:
    with pytest.raises(UsageError, match="40,000"):
        tokenize("x" * (MAX_TEXT + 1))


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_any_text_tokenizes_without_crashing(text: str) -> None:
    for token in tokenize(text):
        assert isinstance(token, Word | Option)
        if isinstance(token, Option):
            assert token.key == token.key.lower() and token.value


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp", "Cf")), min_size=1, max_size=12
        ).filter(lambda w: w[0] not in "\"'“„”‘" and ":" not in w and not w.startswith("<at>")),
        min_size=1,
        max_size=8,
    )
)
def test_plain_words_round_trip(words: list[str]) -> None:
    import unicodedata

    parsed = [w.text for w in parse(" ".join(words)).words]
    assert parsed == [unicodedata.normalize("NFC", w) for w in words]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf")), min_size=1, max_size=40).filter(
        lambda v: '"' not in v and v.strip() == v and v
    )
)
def test_quoted_option_values_come_back_whole(value: str) -> None:
    import unicodedata

    assert parse(f'lead touch L-1 note:"{value}"').options["note"] == unicodedata.normalize("NFC", value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<#C0123ABC|sales>", ("C0123ABC", "slack")),
        ("<#C0123ABC>", ("C0123ABC", "slack")),
        ("19:abc@thread.tacv2", ("19:abc@thread.tacv2", "teams")),
        ("#marketing", ("#marketing", None)),
    ],
)
def test_channels_are_recognised_in_every_platform_form(raw: str, expected: tuple) -> None:
    from bot.core.grammar import parse_channel

    ref = parse_channel(raw)
    assert ref is not None and (ref.address, ref.platform) == expected
    assert parse_channel("sales team") is None and parse_channel("#") is None
