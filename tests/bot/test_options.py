"""Typed options (SPEC §3 `key:value`): each type's good and bad forms, refusals that name the option and the
form it expects, and no text that can make the option parser raise anything but a UsageError."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import UsageError
from bot.core.grammar import ChannelRef, UserRef, parse
from bot.core.options import (
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    DATE,
    EMAIL,
    FLAG,
    INT,
    MAX_AMOUNT,
    PERSON,
    TEXT,
    URL,
    Invalid,
    OptionSpec,
    format_amount,
    looks_like_amount,
    parse_amount,
    parse_options,
)

TARGET = OptionSpec("target", INT, "a whole number of leads")
ENDS = OptionSpec("ends", DATE)
LINK = OptionSpec("url", URL)
EVERY_TYPE: tuple[OptionSpec[Any], ...] = (
    OptionSpec("note", TEXT),
    TARGET,
    OptionSpec("amount", AMOUNT),
    ENDS,
    LINK,
    OptionSpec("email", EMAIL),
    OptionSpec("to", PERSON),
    OptionSpec("campaign", CAMPAIGN),
    OptionSpec("channel", CHANNEL),
    OptionSpec("force", FLAG),
)


def refusal(option: OptionSpec[Any], raw: str) -> str:
    with pytest.raises(UsageError) as caught:
        option.parse(raw)
    return str(caught.value)


@pytest.mark.parametrize(("raw", "expected"), [("40", 40), ("0", 0), ("1,000", 1000), ("007", 7)])
def test_a_whole_number_is_read(raw: str, expected: int) -> None:
    assert TARGET.parse(raw) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("forty", "`forty` is not a whole number"),
        ("4.5", "not a whole number"),
        ("-3", "can't be negative"),
        ("1,00", "not a whole number"),
        ("٣", "not a whole number"),
        ("9" * 5000, "more than 1,000,000,000"),
    ],
)
def test_a_bad_whole_number_names_the_option_and_the_form(raw: str, why: str) -> None:
    said = refusal(TARGET, raw)
    assert said.startswith("`target:` takes a whole number of leads, like `target:40`.") and why in said


def test_a_date_is_yyyy_mm_dd_and_a_real_day() -> None:
    assert ENDS.parse("2027-02-28") == date(2027, 2, 28)
    assert ENDS.parse("2028-02-29") == date(2028, 2, 29)  # a leap year
    said = refusal(ENDS, "2027-02-30")
    assert said == (
        "`ends:` takes a date as YYYY-MM-DD, like `ends:2027-02-28`. 2027-02-30 is not a day in the calendar."
    )
    for raw in ("28/02/2027", "2027-2-28", "20270228", "next friday", "2027-13-01"):
        assert refusal(ENDS, raw).startswith("`ends:` takes a date as YYYY-MM-DD"), raw


@pytest.mark.parametrize(
    "raw", ["https://acme.test/deck.pdf", "http://intranet.acme.test:8080/x?a=b:c", "HTTPS://Acme.test"]
)
def test_http_and_https_links_are_taken(raw: str) -> None:
    assert LINK.parse(raw) == raw


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("javascript:alert(1)", "`javascript:` links run code in the browser of whoever clicks them"),
        ("JavaScript:alert(1)", "`javascript:` links run code"),
        ("data:text/html,<script>alert(1)</script>", "`data:` links carry hidden content"),
        ("vbscript:msgbox", "`vbscript:` links run code"),
        ("ftp://files.acme.test/deck", "is not an http or https link"),
        ("file:///etc/passwd", "is not an http or https link"),
        ("acme.test/deck", "Start it with https://"),
        ("https://", "no host name"),
        ("http://[::1", "is not a link"),
        ("https://acme.test:99999/", "is not a link"),
        ("https://acme.test/a deck", "no spaces"),
        ("https://acme.test/" + "x" * 2000, "the limit is 2,000"),
    ],
)
def test_anything_but_an_http_link_is_refused_with_the_reason(raw: str, why: str) -> None:
    said = refusal(LINK, raw)
    assert said.startswith("`url:` takes an http(s) link, like `url:https://example.com/deck`.") and why in said


def test_emails_people_campaigns_channels_and_flags() -> None:
    email, to, campaign = OptionSpec("email", EMAIL), OptionSpec("to", PERSON), OptionSpec("campaign", CAMPAIGN)
    assert email.parse("Ann@Acme.com") == "ann@acme.com" and email.parse("mailto:ann@acme.com") == "ann@acme.com"
    assert "`not-an-address` doesn't look like an e-mail address" in refusal(email, "not-an-address")
    assert to.parse("<@U123ABC|ana>") == UserRef(raw="<@U123ABC|ana>", platform_id="U123ABC", name="ana")
    assert to.parse("@rita").name == "rita"
    assert "a name is at most 200" in refusal(to, "x" * 201)
    assert campaign.parse("Q4 Webinar") == "Q4 Webinar" and "at most 200" in refusal(campaign, "x" * 201)
    channel = OptionSpec("channel", CHANNEL)
    assert channel.parse("<#C0123ABC|sales>") == ChannelRef("C0123ABC", "slack")
    assert (
        refusal(channel, "sales") == "`channel:` takes a channel (#name), like `channel:#sales`. "
        "`sales` is not a channel."
    )
    force = OptionSpec("force", FLAG)
    assert [force.parse(w) for w in ("yes", "Y", "on", "true", "1", "no", "off", "0")] == [True] * 5 + [False] * 3
    assert "`maybe` is neither" in refusal(force, "maybe")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25000", "25000.00"),
        ("25,000.50", "25000.50"),
        ("$25k", "25000.00"),
        ("1.2m", "1200000.00"),
        ("1.2M", "1200000.00"),
        ("€1,234.56", "1234.56"),
        ("£99.9", "99.90"),
        ("0.5", "0.50"),
        ("¥300", "300.00"),
        ("1.2345k", "1234.50"),
        ("1,000,000,000,000", "1000000000000.00"),
    ],
)
def test_plausible_amounts_keep_their_cents(raw: str, expected: str) -> None:
    assert looks_like_amount(raw)
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("-500", "Amounts are positive"),
        ("$-5", "Amounts are positive"),
        ("−20", "Amounts are positive"),
        ("1e99", "Scientific notation"),
        ("2.5E3", "Scientific notation"),
        ("0", "zero amount"),
        ("$0.00", "zero amount"),
        ("1.234,56", "Use a dot for cents"),
        ("€1.234,56", "Use a dot for cents"),
        ("25,00", "Use a dot for cents"),
        ("1.234", "Use a dot for cents"),
        ("1000000000000.01", "more than 1,000,000,000,000"),
        ("2000000000000", "more than"),
        ("9" * 400, "more than"),
        ("5000000m", "more than"),
        ("1.2.3", "is not an amount"),
        ("12abc", "is not an amount"),
        ("3rd", "is not an amount"),
        ("1,5k", "is not an amount"),
        ("+500", "is not an amount"),
    ],
)
def test_implausible_amounts_are_refused_with_the_reason(raw: str, why: str) -> None:
    assert looks_like_amount(raw)
    with pytest.raises(Invalid, match=why):
        parse_amount(raw)


@pytest.mark.parametrize("word", ["signed", "inf", "nan", "-", "$", "...", "€uro", "after"])
def test_words_that_do_not_start_like_a_number_are_not_amounts(word: str) -> None:
    assert not looks_like_amount(word)


def test_amounts_are_shown_with_cents_only_when_there_are_some() -> None:
    assert format_amount(Decimal("25000.50")) == "25,000.50"
    assert format_amount(25000.0) == "25,000"
    assert format_amount(1200000) == "1,200,000"
    assert format_amount(0.1 + 0.2) == "0.30"
    assert format_amount(MAX_AMOUNT) == "1,000,000,000,000"


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2))
def test_every_shown_amount_reads_back_as_itself(amount: Decimal) -> None:
    assert parse_amount(format_amount(amount)) == amount
    assert Decimal(str(float(amount))).quantize(Decimal("0.01")) == amount  # cents survive the float column


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_any_amount_text_gives_a_plausible_amount_or_a_reason(text: str) -> None:
    try:
        amount = parse_amount(text)
    except Invalid as error:
        assert str(error)
    else:
        assert Decimal("0.01") <= amount <= MAX_AMOUNT and amount == amount.quantize(Decimal("0.01"))


def test_an_option_given_twice_is_refused_and_an_empty_one_is_not_given() -> None:
    with pytest.raises(UsageError, match="`target:` is given twice"):
        parse_options((TARGET,), parse("campaign announce X target:4 target:5").option_tokens)
    opts = parse_options(EVERY_TYPE, parse('x note:"" target:40').option_tokens)
    assert opts.get(EVERY_TYPE[0]) is None and opts.get(TARGET) == 40 and "note" not in opts


def test_asking_for_an_option_the_command_does_not_declare_is_a_bug_not_a_user_error() -> None:
    opts = parse_options((TARGET,), parse("x target:40").option_tokens)
    with pytest.raises(KeyError):
        opts.get(ENDS)
    with pytest.raises(KeyError):
        opts.get(OptionSpec("target", TEXT))  # the same key with another type


_KEYS = st.sampled_from([o.key for o in EVERY_TYPE] + ["other"])
_VALUES = st.text(max_size=40) | st.sampled_from(["javascript:x", "2027-02-30", "-500", "1e99", "<at>x</at>", '"q'])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_KEYS, _VALUES), max_size=6), st.text(max_size=60))
def test_arbitrary_option_text_raises_nothing_but_a_usage_error(pairs: list[tuple[str, str]], tail: str) -> None:
    text = " ".join(f"{key}:{value}" for key, value in pairs) + " " + tail
    try:
        opts = parse_options(EVERY_TYPE, parse(text).option_tokens)
    except UsageError as error:
        assert str(error) and "Traceback" not in str(error)
    else:
        for option in EVERY_TYPE:
            opts.get(option)
